import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../../shared/core/standard-webhooks.ts';
import { apiConfig, harness, WEBHOOK_KEY, WEBHOOK_SECRET, type ErrorEnvelope, type Harness } from './support.ts';

function signed(h: Harness, body: string, options: { id?: string; offsetS?: number; key?: Uint8Array; prefix?: string } = {}) {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const ts = Math.floor(h.clock.now() / 1000) + (options.offsetS ?? 0);
  const p = options.prefix ?? 'webhook';
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [`${p}-id`]: id,
      [`${p}-timestamp`]: String(ts),
      [`${p}-signature`]: signWebhook(options.key ?? WEBHOOK_KEY, id, ts, body),
    },
    body,
  };
}

async function post(h: Harness, init: RequestInit) {
  const res = await h.app.request('/v1/hooks/generic', init);
  return { status: res.status, body: (await res.json()) as ErrorEnvelope & Record<string, unknown> };
}

const recover = JSON.stringify({ cluster: 'prod', node: 'vault-2', action: 'recover' });

describe('POST /v1/hooks/generic (Standard Webhooks)', () => {
  it('acts on a valid signed request and answers 200 with the outcome', async () => {
    const h = harness();
    const { status, body } = await post(h, signed(h, recover));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'done', results: [{ cluster: 'prod', action: 'recover' }] });
    expect(h.recovery.calls).toEqual([{ clusterId: 'prod', action: 'recover', trigger: 'webhook', nodeIds: ['vault-2'] }]);
  });

  it('accepts a request signed by the standardwebhooks reference library, and Svix header names', async () => {
    const h = harness();
    // The reference signs with the wall clock: run this app's clock at wall time.
    h.clock.set(Date.now());
    const sender = new Webhook(WEBHOOK_SECRET);
    const ts = new Date(Math.floor(Date.now() / 1000) * 1000);
    const body = JSON.stringify({ cluster: 'dev', action: 'sweep' });
    const res = await h.app.request('/v1/hooks/generic', {
      method: 'POST',
      headers: { 'webhook-id': 'msg_ref', 'webhook-timestamp': String(ts.getTime() / 1000), 'webhook-signature': sender.sign('msg_ref', ts, body) },
      body,
    });
    expect(res.status).toBe(200);
    expect((await post(h, signed(h, JSON.stringify({ cluster: 'dev', action: 'unseal' }), { prefix: 'svix' }))).status).toBe(200);
    expect(h.recovery.calls.map((c) => [c.clusterId, c.action])).toEqual([
      ['dev', 'sweep'],
      ['dev', 'unseal'],
    ]);
  });

  it('refuses wrong signatures, stale or future timestamps, missing headers: 401 with a code, no action', async () => {
    const h = harness();
    const cases: [RequestInit, string][] = [
      [signed(h, recover, { key: new Uint8Array(32) }), 'bad_signature'],
      [{ ...signed(h, recover), body: recover.replace('vault-2', 'vault-1') }, 'bad_signature'],
      [signed(h, recover, { offsetS: -301 }), 'stale_timestamp'],
      [signed(h, recover, { offsetS: 301 }), 'stale_timestamp'],
      [{ method: 'POST', body: recover }, 'missing_headers'],
    ];
    for (const [init, code] of cases) {
      const { status, body } = await post(h, init);
      expect([status, body.error.code]).toEqual([401, code]);
      expect(body.requestId).toBeTruthy();
    }
    expect((await post(h, signed(h, recover, { offsetS: -299 }))).status).toBe(200);
    expect(h.recovery.calls).toHaveLength(1);
  });

  it('answers a resent webhook-id with the first answer and acts once; the id with another body is refused', async () => {
    const h = harness();
    const first = await post(h, signed(h, recover, { id: 'msg_same' }));
    expect(first.status).toBe(200);
    h.clock.advance(60_000);
    const again = await post(h, signed(h, recover, { id: 'msg_same' }));
    expect([again.status, again.body]).toEqual([200, first.body]);
    const other = await post(h, signed(h, JSON.stringify({ cluster: 'dev', action: 'sweep' }), { id: 'msg_same' }));
    expect([other.status, other.body.error.code]).toEqual([409, 'replayed']);
    expect(h.recovery.calls).toHaveLength(1);
  });

  it('lets concurrent deliveries of one id through exactly once', async () => {
    const h = harness();
    const init = signed(h, recover, { id: 'msg_race' });
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await post(h, init)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The others find the delivery in progress and are told to retry (Powertools' in-progress error).
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(h.recovery.calls).toHaveLength(1);
  });

  it('answers malformed JSON, invalid bodies and unknown targets with 4xx codes and takes no action', async () => {
    const h = harness();
    const cases: [string, number, string][] = [
      ['{"cluster":', 400, 'invalid_json'],
      ['[]', 400, 'invalid_input'],
      [JSON.stringify({ cluster: 'prod', action: 'reboot' }), 400, 'invalid_input'],
      [JSON.stringify({ cluster: 'PROD!', action: 'sweep' }), 400, 'invalid_input'],
      [JSON.stringify({ cluster: 'nope', action: 'sweep' }), 404, 'not_found'],
      [JSON.stringify({ cluster: 'prod', node: 'vault-9', action: 'unseal' }), 404, 'not_found'],
    ];
    for (const [text, status, code] of cases) {
      const res = await post(h, signed(h, text));
      expect([res.status, res.body.error.code], text).toEqual([status, code]);
    }
    expect(h.recovery.calls).toEqual([]);
  });

  it('refuses an oversize body with 413 before verifying anything', async () => {
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 1024, requestsPerMinute: 1000, timeoutMs: 5000 } }) });
    const big = JSON.stringify({ cluster: 'prod', action: 'sweep', pad: 'x'.repeat(2000) });
    const res = await post(h, signed(h, big));
    expect([res.status, res.body.error.code]).toEqual([413, 'payload_too_large']);
    // Without Content-Length too (a stream): the limit is on the bytes, not the header.
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    const streamed = await h.app.request('/v1/hooks/generic', { ...signed(h, big), body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(h.recovery.calls).toEqual([]);
  });

  it('answers 404 not_configured without a secret, and 202 accepted when recovery outlasts the budget', async () => {
    const { webhooks: _off, ...withoutSecret } = apiConfig();
    const noSecret = harness({ api: withoutSecret });
    const res = await post(noSecret, signed(noSecret, recover));
    expect([res.status, res.body.error.code]).toEqual([404, 'not_configured']);

    const slow = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 1000, timeoutMs: 300 } }) });
    slow.recovery.delayMs = 1_000;
    const accepted = await post(slow, signed(slow, recover));
    expect([accepted.status, accepted.body.status]).toEqual([202, 'accepted']);
    expect(accepted.body.recoveryId).toMatch(/^rcv-/);
    // The request's attempt was aborted before the answer; the in-process worker redoes it.
    await slow.queue.drain();
    expect(slow.recovery.calls).toHaveLength(2);
    const reader = await slow.key(['read']);
    const record = await slow.app.request(`/v1/recoveries/${String(accepted.body.recoveryId)}`, { headers: { authorization: `Bearer ${reader}` } });
    expect(await record.json()).toMatchObject({ status: 'done', trigger: 'webhook', results: [{ cluster: 'prod', action: 'recover' }] });
  });

  it('rate-limits verified deliveries only: unsigned floods do not use up the sender budget', async () => {
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 2, timeoutMs: 5000 } }) });
    for (let i = 0; i < 5; i += 1) expect((await post(h, { method: 'POST', body: recover })).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post(h, signed(h, recover))).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(h.recovery.calls).toHaveLength(2);
  });

  it('refuses replays before they spend the budget, so a captured delivery cannot lock the sender out', async () => {
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 2, timeoutMs: 5000 } }) });
    const captured = signed(h, recover, { id: 'msg_captured' });
    expect((await post(h, captured)).status).toBe(200);
    // Resends get the stored answer without spending the sender's budget.
    for (let i = 0; i < 5; i += 1) expect((await post(h, signed(h, recover, { id: 'msg_captured' }))).status).toBe(200);
    expect((await post(h, signed(h, recover))).status).toBe(200);
    expect(h.recovery.calls).toHaveLength(2);
  });

  it('reports a failing recovery inside a 200 summary, with our message only', async () => {
    const h = harness();
    h.recovery.failWith = new Error('socket hang up at /internal/path.ts:12');
    const { status, body } = await post(h, signed(h, recover));
    expect(status).toBe(200);
    expect(body.results).toEqual([{ cluster: 'prod', error: { code: 'internal', message: expect.any(String) } }]);
    expect(JSON.stringify(body)).not.toContain('internal/path');
  });
});
