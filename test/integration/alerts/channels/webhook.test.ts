import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookAlertChannel } from '../../../../shared/adapters/webhook-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkRequest, type SinkServer } from '../../../support/sink-server.ts';
import { json, NOW, notification } from './channel-fixtures.ts';

const KEY_B64 = randomBytes(32).toString('base64');
const WHSEC = `whsec_${KEY_B64}`;

function headersOf(request: SinkRequest | undefined): Record<string, string> {
  const h = request?.headers ?? {};
  return {
    'webhook-id': String(h['webhook-id']),
    'webhook-timestamp': String(h['webhook-timestamp']),
    'webhook-signature': String(h['webhook-signature']),
  };
}

describe('webhook alert channel (Standard Webhooks)', () => {
  let sink: SinkServer;
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: { status: 204 } });
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(() => {
    sink.requests.length = 0;
    sink.setScript([]);
  });

  const channel = (now: () => number = Date.now, secret = WHSEC) =>
    createWebhookAlertChannel({ id: 'hook', url: `${sink.url}/hooks/sealwatch`, secret: new Secret(secret), now });
  const send = (n: Notification, now?: () => number) => channel(now).send(n, new AbortController().signal);

  it('posts a {type, timestamp, data} document that the reference library verifies', async () => {
    expect(await send(notification())).toEqual({ ok: true, status: 204 });
    const request = sink.requests[0];
    expect(request?.path).toBe('/hooks/sealwatch');
    expect(request?.headers['content-type']).toBe('application/json');
    const verified = new Webhook(WHSEC).verify(request?.body ?? '', headersOf(request));
    expect(verified).toEqual({
      type: 'sealwatch.alert.trigger',
      timestamp: '2026-11-22T10:05:00.000Z',
      data: {
        id: 'ntf_01JD8ZQ3V5T2',
        kind: 'trigger',
        dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed',
        severity: 'critical',
        title: 'prod-eu/vault-2 is sealed',
        message: notification().message,
        cluster: 'prod-eu',
        node: 'vault-2',
        findingId: 'node.sealed',
        evidence: { httpStatus: 503, sealed: true, shareIndexes: [1, 2, 3], version: '1.19.0', lastError: null },
        openedAt: '2026-11-22T10:00:00.000Z',
        occurredAt: '2026-11-22T10:05:00.000Z',
        links: [{ href: 'https://runbooks.example/vault-sealed', text: 'Runbook' }],
      },
    });
  });

  it("signs id.timestamp.body exactly as the reference signer does, with this attempt's time", async () => {
    await send(notification(), () => NOW);
    const request = sink.requests[0];
    const headers = headersOf(request);
    expect(headers['webhook-id']).toBe('ntf_01JD8ZQ3V5T2');
    expect(headers['webhook-timestamp']).toBe(String(NOW / 1000));
    const expected = new Webhook(WHSEC).sign('ntf_01JD8ZQ3V5T2', new Date(NOW), request?.body ?? '');
    expect(headers['webhook-signature']).toBe(expected);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('keeps webhook-id across retries while the timestamp moves', async () => {
    await send(notification(), () => NOW);
    await send(notification(), () => NOW + 65_000);
    const [first, second] = sink.requests.map(headersOf);
    expect(second?.['webhook-id']).toBe(first?.['webhook-id']);
    expect(Number(second?.['webhook-timestamp']) - Number(first?.['webhook-timestamp'])).toBe(65);
    expect(second?.['webhook-signature']).not.toBe(first?.['webhook-signature']);
  });

  it('fails verification under another key or a tampered body', async () => {
    await send(notification());
    const request = sink.requests[0];
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(request?.body ?? '', headersOf(request))).toThrow();
    expect(() => new Webhook(WHSEC).verify((request?.body ?? '').replace('critical', 'info'), headersOf(request))).toThrow();
  });

  it('sends reminder and resolve as their own event types with the same dedup key', async () => {
    await send(notification({ kind: 'reminder' }));
    await send(notification({ kind: 'resolve', id: 'ntf_resolve_1' }));
    const [reminder, resolve] = sink.requests.map((r) => json(r.body) as { type: string; data: { dedupKey: string; kind: string } });
    expect(reminder).toMatchObject({ type: 'sealwatch.alert.reminder', data: { kind: 'reminder', dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed' } });
    expect(resolve).toMatchObject({ type: 'sealwatch.alert.resolve', data: { kind: 'resolve', dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed' } });
    expect(headersOf(sink.requests[1])['webhook-id']).toBe('ntf_resolve_1');
  });

  it('accepts a secret without the whsec_ prefix, like the reference libraries', async () => {
    await channel(Date.now, KEY_B64).send(notification(), new AbortController().signal);
    expect(() => new Webhook(WHSEC).verify(sink.requests[0]?.body ?? '', headersOf(sink.requests[0]))).not.toThrow();
  });

  it('disables the endpoint on 410 Gone', async () => {
    sink.setScript([{ status: 410, body: 'gone' }]);
    expect(await send(notification())).toEqual({ ok: false, retryable: false, disable: true, status: 410, error: 'HTTP 410: gone' });
  });

  it('refuses a secret that is not base64, sending nothing and quoting nothing', async () => {
    const result = await channel(Date.now, 'whsec_not base64!').send(notification(), new AbortController().signal);
    expect(result).toEqual({ ok: false, retryable: false, error: 'webhook secret is not a whsec_ base64 key' });
    expect(sink.requests).toHaveLength(0);
  });

  it('bounds the free-text fields', async () => {
    await send(notification({ message: 'm'.repeat(50_000), title: 't'.repeat(5000) }));
    const body = json(sink.requests[0]?.body ?? '') as { data: { message: string; title: string } };
    expect(body.data.message.length).toBe(8000);
    expect(body.data.title.length).toBe(1000);
    expect(body.data.message.endsWith('…')).toBe(true);
  });
});
