import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../../shared/config/secret.ts';
import type { AlertChannel, DeliveryResult, Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';

/** A fixed "now" for Retry-After dates and webhook timestamps: 2026-11-22T10:05:00Z. */
export const NOW = Date.UTC(2026, 10, 22, 10, 5, 0);

export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: 'ntf_01JD8ZQ3V5T2',
    kind: 'trigger',
    dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed',
    severity: 'critical',
    title: 'prod-eu/vault-2 is sealed',
    message: 'vault-2 has been sealed since 10:00 UTC. Auto-unseal failed 3 times; sealwatch retries every sweep.',
    cluster: 'prod-eu',
    node: 'vault-2',
    findingId: 'node.sealed',
    evidence: { httpStatus: 503, sealed: true, shareIndexes: [1, 2, 3], version: '1.19.0', lastError: null },
    openedAt: '2026-11-22T10:00:00.000Z',
    occurredAt: '2026-11-22T10:05:00.000Z',
    links: [{ href: 'https://runbooks.example/vault-sealed', text: 'Runbook' }],
    ...overrides,
  };
}

/** A cluster-wide notification (no node). */
export function clusterNotification(overrides: Partial<Notification> = {}): Notification {
  const { node: _node, ...rest } = notification(overrides);
  return { ...rest, dedupKey: 'sealwatch:prod-eu:-:cluster.no-active', findingId: 'cluster.no-active', title: 'prod-eu has no active node' };
}

/** A secret reference that cannot be resolved right now (SSM unreachable). */
export class UnresolvableSecret extends Secret {
  constructor() {
    super('');
  }
  override reveal(): string {
    throw new Error('ParameterNotFound: /sealwatch/slack');
  }
  override async value(): Promise<string> {
    throw new Error('ParameterNotFound: /sealwatch/slack');
  }
}

export function json(body: string): unknown {
  return JSON.parse(body);
}

/** A server that accepts connections and never answers (timeouts). */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An origin nobody listens on (connection refused). */
export async function closedOrigin(): Promise<string> {
  const silent = await startSilentServer();
  await silent.close();
  return silent.url;
}

export interface ChannelFactoryOptions {
  timeoutMs?: number;
  now?: () => number;
}

export interface FailureMatrixSetup {
  /** Builds the channel against `origin` (the sink, a closed port or a silent server). */
  make(origin: string, options: ChannelFactoryOptions, secret?: Secret): AlertChannel;
  /** Every credential the channel holds (keys, tokens, URL path tokens): none may appear in an error. */
  secrets: string[];
}

function expectNoSecret(result: DeliveryResult, secrets: readonly string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) expect(text, 'a secret leaked into the delivery result').not.toContain(secret);
  expect(text).not.toContain('127.0.0.1');
}

/**
 * The status and transport behaviour every HTTP channel shares, run against a real socket: the
 * sink answers each scripted status and the result must classify it. Error bodies echo the
 * channel's secrets, so redaction is exercised rather than assumed.
 */
export function describeFailureMatrix(setup: FailureMatrixSetup): void {
  describe('delivery failures', () => {
    let sink: SinkServer;
    beforeAll(async () => {
      sink = await startSinkServer();
    });
    afterAll(async () => {
      await sink.close();
    });
    beforeEach(() => {
      sink.requests.length = 0;
    });
    const send = (channel: AlertChannel) => channel.send(notification(), new AbortController().signal);
    const echo = `rejected: ${setup.secrets.join(' ')} at ${'https://hooks.example/x/'}${setup.secrets[0] ?? ''}`;

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

    it('400 is permanent, and its error text carries no secret', async () => {
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

    it('a refused connection is retryable', async () => {
      const result = await send(setup.make(await closedOrigin(), {}));
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (!result.ok) expect(result.error).toMatch(/network error/);
      expectNoSecret(result, setup.secrets);
    });

    it('a silent endpoint times out, retryable', async () => {
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

    it('an aborted send is retryable', async () => {
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

    it('a secret that cannot be resolved is retryable and sends nothing', async () => {
      const result = await send(setup.make(sink.url, {}, new UnresolvableSecret()));
      expect(result).toMatchObject({ ok: false, retryable: true });
      if (!result.ok) expect(result.error).not.toMatch(/ParameterNotFound|\/sealwatch/);
      expect(sink.requests).toHaveLength(0);
    });
  });
}
