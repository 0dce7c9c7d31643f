import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Secret } from '../../shared/config/secret.ts';
import type { AlertChannel, DeliveryResult } from '../../shared/ports/alert-channel.ts';
import { closedOrigin, NOW, notification, startSilentServer, UnresolvableSecret } from '../integration/alerts/channels/channel-fixtures.ts';
import { type SinkAnswer, type SinkServer, startSinkServer } from '../support/sink-server.ts';

export interface ChannelFactoryOptions {
  timeoutMs?: number;
  now?: () => number;
}

/** One channel adapter and how its service talks, for the contract below. */
export interface AlertChannelSetup {
  /** Builds the channel against `origin` (the sink, a closed port or a silent server). */
  make(origin: string, options: ChannelFactoryOptions, secret?: Secret): AlertChannel;
  /** Every credential the channel holds (keys, tokens, URL path tokens): none may appear in a result. */
  secrets: string[];
  /** What the service answers when it takes a notification, and the status `send` reports. */
  accepted: SinkAnswer;
  /** The service's own permanent refusal (4xx) and its overload answer, each echoing `text`. */
  refusal(text: string): SinkAnswer;
  overloaded(text: string): SinkAnswer;
  /**
   * Plain-HTTP channels (not SDK-based): they honour Retry-After, never follow redirects and read
   * their secret at send time.
   */
  http: boolean;
}

function expectNoSecret(result: DeliveryResult, secrets: readonly string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) expect(text, 'a secret leaked into the delivery result').not.toContain(secret);
  expect(text).not.toContain('127.0.0.1');
}

/**
 * The guarantees of the AlertChannel port (shared/ports/alert-channel.ts), run against every
 * channel adapter and a real local sink: `send` never throws, takes one attempt (the outbox owns
 * retries), classifies every failure as retryable or not, and no result carries a secret or the
 * endpoint. Answers echo the channel's secrets, so redaction is exercised rather than assumed.
 */
export function describeAlertChannelContract(name: string, setup: AlertChannelSetup): void {
  describe(`AlertChannel contract: ${name}`, () => {
    let sink: SinkServer;
    beforeAll(async () => {
      sink = await startSinkServer({ fallback: setup.accepted });
    });
    afterAll(async () => {
      await sink.close();
    });
    beforeEach(() => {
      sink.requests.length = 0;
      sink.setScript([], setup.accepted);
    });
    const send = (channel: AlertChannel) => channel.send(notification(), new AbortController().signal);
    const echo = `rejected: ${setup.secrets.join(' ')} at https://hooks.example/x/${setup.secrets[0] ?? ''}`;

    it('an accepted notification is ok with the status, in one request that names the cluster and node', async () => {
      const result = await send(setup.make(sink.url, {}));
      expect(result).toEqual({ ok: true, status: setup.accepted.status });
      expect(sink.requests).toHaveLength(1);
      const body = decodeURIComponent((sink.requests[0]?.body ?? '').replace(/\+/g, ' '));
      expect(body).toContain('prod-eu');
      expect(body).toContain('vault-2');
    });

    it('the service overloaded is retryable, after one attempt, and carries no secret', async () => {
      sink.setScript([setup.overloaded(echo)]);
      const result = await send(setup.make(sink.url, {}));
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(sink.requests).toHaveLength(1);
      expectNoSecret(result, setup.secrets);
    });

    it('a permanent refusal is not retryable and carries no secret', async () => {
      sink.setScript([setup.refusal(echo)]);
      const result = await send(setup.make(sink.url, {}));
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(sink.requests).toHaveLength(1);
      expectNoSecret(result, setup.secrets);
    });

    it('a refused connection is retryable', async () => {
      const result = await send(setup.make(await closedOrigin(), {}));
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (!result.ok) expect(result.error).toMatch(/network error/);
      expectNoSecret(result, setup.secrets);
    });

    it('a silent endpoint times out by the deadline, retryable', async () => {
      const silent = await startSilentServer();
      try {
        const started = performance.now();
        const result = await send(setup.make(silent.url, { timeoutMs: 300 }));
        expect(result).toMatchObject({ ok: false, retryable: true });
        if (!result.ok) expect(result.error).toMatch(/timed out after 300 ms/);
        expect(performance.now() - started).toBeLessThan(10_000);
        expectNoSecret(result, setup.secrets);
      } finally {
        await silent.close();
      }
    });

    it('an aborted send resolves, retryable', async () => {
      const silent = await startSilentServer();
      try {
        const controller = new AbortController();
        const pending = setup.make(silent.url, { timeoutMs: 20_000 }).send(notification(), controller.signal);
        setTimeout(() => controller.abort(), 50);
        const result = await pending;
        expect(result).toMatchObject({ ok: false, retryable: true });
        if (!result.ok) expect(result.error).toMatch(/aborted/);
      } finally {
        await silent.close();
      }
    });

    if (!setup.http) return;

    it('429 with Retry-After: 2 is retryable after 2000 ms', async () => {
      sink.setScript([{ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }]);
      const result = await send(setup.make(sink.url, { now: () => NOW }));
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 2000, status: 429 });
      expect(sink.requests).toHaveLength(1);
    });

    it('Retry-After as an HTTP date is measured from the injected clock', async () => {
      const at = new Date(NOW + 90_000).toUTCString();
      sink.setScript([{ status: 503, headers: { 'retry-after': at } }]);
      const result = await send(setup.make(sink.url, { now: () => NOW }));
      expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 90_000, status: 503 });
    });

    it('500 is retryable', async () => {
      sink.setScript([{ status: 500, body: echo }]);
      const result = await send(setup.make(sink.url, {}));
      expect(result).toMatchObject({ ok: false, retryable: true, status: 500 });
      expectNoSecret(result, setup.secrets);
    });

    it('400 is permanent, and its error text keeps the reason with the secrets cut out', async () => {
      sink.setScript([{ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: echo, errors: [echo] }) }]);
      const result = await send(setup.make(sink.url, {}));
      expect(result).toMatchObject({ ok: false, retryable: false, status: 400 });
      if (!result.ok) expect(result.error).toContain('rejected: [redacted]');
      expectNoSecret(result, setup.secrets);
    });

    it('a redirect is not followed and not retried', async () => {
      sink.setScript([{ status: 301, headers: { location: `${sink.url}/elsewhere` } }]);
      const result = await send(setup.make(sink.url, {}));
      expect(result).toMatchObject({ ok: false, retryable: false, status: 301 });
      expect(sink.requests).toHaveLength(1);
    });

    it('a secret that cannot be resolved is retryable and sends nothing', async () => {
      const result = await send(setup.make(sink.url, {}, new UnresolvableSecret()));
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (!result.ok) expect(result.error).not.toMatch(/ParameterNotFound|\/sealwatch/);
      expect(sink.requests).toHaveLength(0);
    });
  });
}
