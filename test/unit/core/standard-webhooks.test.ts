import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret, signWebhook, verifyWebhook } from '../../../shared/core/standard-webhooks.ts';

// The reference implementation checks timestamps against the wall clock, so the comparisons
// use timestamps near Date.now(); our verifier gets the same "now" explicitly.
const secretBytes = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256);
const secret = `whsec_${Buffer.from(secretBytes).toString('base64')}`;
const key = decodeWebhookSecret(secret) as Uint8Array;

const headers = (id: string, timestamp: number, signature: string) => ({ id, timestamp: String(timestamp), signature });

describe('Standard Webhooks v1 verification', () => {
  it('decodes whsec_ secrets and refuses text that is not base64', () => {
    expect(Buffer.from(key).equals(Buffer.from(secretBytes))).toBe(true);
    expect(decodeWebhookSecret(Buffer.from(secretBytes).toString('base64'))).toEqual(key);
    expect(decodeWebhookSecret('whsec_')).toBeNull();
    expect(decodeWebhookSecret('whsec_not base64!')).toBeNull();
  });

  it('refuses keys shorter than the 24 bytes Standard Webhooks asks for', () => {
    expect(decodeWebhookSecret(`whsec_${Buffer.alloc(23, 1).toString('base64')}`)).toBeNull();
    expect(decodeWebhookSecret(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)?.length).toBe(24);
  });

  it('agrees with the standardwebhooks package in both directions, for random ids and bodies', () => {
    const reference = new Webhook(secret);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes(' ')),
        fc.string({ maxLength: 300 }),
        (id, body) => {
          const now = Date.now();
          const ts = Math.floor(now / 1000);
          const theirs = reference.sign(id, new Date(ts * 1000), body);
          expect(signWebhook(key, id, ts, body)).toBe(theirs);
          expect(verifyWebhook({ key, headers: headers(id, ts, theirs), body, nowMs: now })).toEqual({ ok: true, id, timestamp: ts });
          const ours = signWebhook(key, id, ts, body);
          expect(() =>
            reference.verify(body, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': ours }, { jsonParse: false }),
          ).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects what the reference rejects: a changed body, id, timestamp or key', () => {
    const reference = new Webhook(secret);
    const now = Date.now();
    const ts = Math.floor(now / 1000);
    const body = '{"cluster":"prod","action":"recover"}';
    const sig = signWebhook(key, 'msg_1', ts, body);
    const cases = [
      { body: `${body} `, id: 'msg_1', ts, sig },
      { body, id: 'msg_2', ts, sig },
      { body, id: 'msg_1', ts: ts + 1, sig },
      { body, id: 'msg_1', ts, sig: signWebhook(new Uint8Array(32), 'msg_1', ts, body) },
    ];
    for (const c of cases) {
      expect(() => reference.verify(c.body, { 'webhook-id': c.id, 'webhook-timestamp': String(c.ts), 'webhook-signature': c.sig })).toThrow();
      expect(verifyWebhook({ key, headers: headers(c.id, c.ts, c.sig), body: c.body, nowMs: now })).toMatchObject({ ok: false, code: 'bad_signature' });
    }
  });

  it('accepts any matching signature of a space-separated list (key rotation) and ignores other versions', () => {
    const ts = 1_700_000_000;
    const good = signWebhook(key, 'id', ts, 'x');
    const other = signWebhook(new Uint8Array([1, 2, 3]), 'id', ts, 'x');
    expect(verifyWebhook({ key, headers: headers('id', ts, `${other} ${good}`), body: 'x', nowMs: ts * 1000 }).ok).toBe(true);
    expect(verifyWebhook({ key, headers: headers('id', ts, good.replace('v1,', 'v1a,')), body: 'x', nowMs: ts * 1000 }).ok).toBe(false);
  });

  it('enforces the 5-minute tolerance in both directions, like the reference', () => {
    const ts = 1_700_000_000;
    const sig = signWebhook(key, 'id', ts, 'x');
    const at = (offsetS: number) => verifyWebhook({ key, headers: headers('id', ts, sig), body: 'x', nowMs: (ts + offsetS) * 1000 });
    expect(at(300).ok).toBe(true);
    expect(at(-300).ok).toBe(true);
    expect(at(301)).toMatchObject({ ok: false, code: 'stale_timestamp' });
    expect(at(-301)).toMatchObject({ ok: false, code: 'stale_timestamp' });
    const reference = new Webhook(secret);
    const staleTs = Math.floor(Date.now() / 1000) - 301;
    expect(() =>
      reference.verify('x', { 'webhook-id': 'id', 'webhook-timestamp': String(staleTs), 'webhook-signature': signWebhook(key, 'id', staleTs, 'x') }),
    ).toThrow();
  });

  it('names missing headers and malformed timestamps', () => {
    expect(verifyWebhook({ key, headers: { id: 'a', timestamp: undefined, signature: 'v1,x' }, body: '', nowMs: 0 })).toMatchObject({
      code: 'missing_headers',
    });
    expect(verifyWebhook({ key, headers: headers('a', 0, 'v1,x'), body: '', nowMs: 0 })).toMatchObject({ code: 'bad_signature' });
    expect(verifyWebhook({ key, headers: { id: 'a', timestamp: '12.5', signature: 'v1,x' }, body: '', nowMs: 0 })).toMatchObject({ code: 'bad_timestamp' });
  });
});
