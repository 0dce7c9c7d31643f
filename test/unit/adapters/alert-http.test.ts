import { describe, expect, it } from 'vitest';
import {
  channelHttpDefaults,
  classifyStatus,
  deliver,
  describeBody,
  exchange,
  parseRetryAfter,
  resolveSecret,
  safeDetail,
  urlTokens,
} from '../../../shared/adapters/alert-http.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { ValidationError } from '../../../shared/errors.ts';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const none = new Headers();

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2000],
    [' 120 ', 120_000],
    ['0', 0],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
  ])('%j → %i ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([null, undefined, '', 'soon', '-1', '1.5', '2026-11-22T12:00:30Z', '99999999999999999999'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  it.each([200, 201, 202, 204])('%i is delivered', (status) => {
    expect(classifyStatus(status, none, { now: NOW })).toEqual({ ok: true, status });
  });

  it.each([408, 429, 500, 502, 503, 504])('%i is retryable', (status) => {
    expect(classifyStatus(status, none, { now: NOW })).toEqual({ ok: false, retryable: true, status, error: `HTTP ${status}` });
  });

  it.each([400, 401, 403, 404, 409, 410, 413, 422])('%i is permanent', (status) => {
    expect(classifyStatus(status, none, { now: NOW })).toMatchObject({ ok: false, retryable: false, status });
  });

  it('carries Retry-After on retryable answers only', () => {
    const headers = new Headers({ 'retry-after': '2' });
    expect(classifyStatus(429, headers, { now: NOW })).toEqual({ ok: false, retryable: true, status: 429, retryAfterMs: 2000, error: 'HTTP 429' });
    expect(classifyStatus(503, headers, { now: NOW })).toMatchObject({ retryAfterMs: 2000 });
    expect(classifyStatus(400, headers, { now: NOW })).not.toHaveProperty('retryAfterMs');
  });

  it('names a redirect as not followed and does not retry it', () => {
    expect(classifyStatus(302, none, { now: NOW })).toEqual({ ok: false, retryable: false, status: 302, error: 'HTTP 302 (redirect not followed)' });
  });

  it('appends the channel detail', () => {
    expect(classifyStatus(400, none, { now: NOW, detail: 'invalid_payload' })).toMatchObject({ error: 'HTTP 400: invalid_payload' });
  });
});

describe('safeDetail', () => {
  it('redacts secrets (also URL-encoded) and URLs, on one bounded line', () => {
    const secret = 'k3y/with+chars=';
    const text = `bad key ${secret} or ${encodeURIComponent(secret)}\nsee https://hooks.slack.com/services/T/B/x?y=1 ${'z'.repeat(400)}`;
    const out = safeDetail(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain('hooks.slack.com');
    expect(out.startsWith('bad key [redacted] or [redacted] see [url] zzz')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).not.toContain('\n');
  });
});

describe('describeBody', () => {
  it('reads JSON message and errors, or error', () => {
    expect(describeBody('{"status":"invalid event","message":"Event object is invalid","errors":["a","b"]}')).toBe('Event object is invalid; a; b');
    expect(describeBody('{"error":"nope"}')).toBe('nope');
  });

  it('keeps short plain text, drops HTML and long bodies', () => {
    expect(describeBody('no_service\n')).toBe('no_service');
    expect(describeBody('<html><body>502</body></html>')).toBe('');
    expect(describeBody('x'.repeat(500))).toBe('');
    expect(describeBody('{not json')).toBe('{not json');
  });
});

describe('urlTokens', () => {
  it('lists long path segments and query values', () => {
    expect(urlTokens('https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/abcdefghijkl?sig=sigsigsig1&v=1')).toEqual([
      'services',
      'T0ABCDEFG',
      'B0ABCDEFG',
      'abcdefghijkl',
      'sigsigsig1',
    ]);
    expect(urlTokens('not a url')).toEqual([]);
  });
});

describe('exchange / deliver with an injected fetch', () => {
  const signal = new AbortController().signal;

  it('sends JSON without following redirects', async () => {
    let seen: RequestInit | undefined;
    const fetchFake = (async (_url: string, init: RequestInit) => {
      seen = init;
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    const result = await exchange({ url: 'https://example.test/x', body: '{}' }, { timeoutMs: 1000, signal, fetch: fetchFake });
    expect(result).toMatchObject({ ok: true, status: 200, body: 'ok' });
    expect(seen?.redirect).toBe('manual');
    expect(seen?.method).toBe('POST');
    expect(seen?.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'sealwatch' });
  });

  it('describes a transport failure by its code only', async () => {
    const fetchFake = (async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNRESET https://hooks.slack.com/services/T/B/secret-token'), { code: 'ECONNRESET' }),
      });
    }) as typeof fetch;
    const result = await deliver(
      { url: 'https://hooks.slack.com/services/T/B/secret-token', body: '{}' },
      { timeoutMs: 1000, signal, fetch: fetchFake, now: () => NOW, secrets: [] },
    );
    expect(result).toEqual({ ok: false, retryable: true, error: 'network error (ECONNRESET)' });
  });

  it('scrubs the request URL and its tokens from an echoed error body', async () => {
    const url = 'https://example.test/hooks/tok-abcdefgh1234';
    const fetchFake = (async () => new Response(`bad hook tok-abcdefgh1234`, { status: 404 })) as typeof fetch;
    const result = await deliver({ url, body: '{}' }, { timeoutMs: 1000, signal, fetch: fetchFake, now: () => NOW, secrets: [] });
    expect(result).toEqual({ ok: false, retryable: false, status: 404, error: 'HTTP 404: bad hook [redacted]' });
  });
});

describe('resolveSecret', () => {
  it('returns the value, or a classified failure without the reference', async () => {
    expect(await resolveSecret(new Secret('v'), 'slack webhook URL')).toEqual({ ok: true, value: 'v' });
    expect(await resolveSecret(new Secret(''), 'slack webhook URL')).toEqual({
      ok: false,
      failure: { ok: false, retryable: false, error: 'slack webhook URL is empty' },
    });
    const lazy = Secret.lazy({
      reference: { kind: 'ssm', name: '/team/slack-hook' },
      resolve: async () => {
        throw new Error('ssm down');
      },
      now: () => NOW,
    });
    const failed = await resolveSecret(lazy, 'slack webhook URL');
    expect(failed).toEqual({ ok: false, failure: { ok: false, retryable: true, error: 'slack webhook URL could not be resolved' } });
  });
});

describe('channelHttpDefaults', () => {
  it('validates once and fills defaults', () => {
    expect(channelHttpDefaults('slack', 's', {}).timeoutMs).toBe(10_000);
    expect(() => channelHttpDefaults('slack', '', { timeoutMs: 0 })).toThrow(ValidationError);
  });
});
