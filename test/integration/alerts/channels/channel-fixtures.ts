import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';

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
