import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import type { MemoryWorkQueue } from '../../../shared/adapters/memory-work-queue.ts';
import { wireRecoveryJobs } from '../../../shared/runtime/recovery-wiring.ts';
import { createApp, type AppDeps } from '../../../shared/api/create-app.ts';
import { createApiKeyService, type ApiKeyService, type ApiScope } from '../../../shared/app/api-keys.ts';
import { createAlerting, type Alerting } from '../../../shared/app/notify.ts';
import type { RecoveryRequest, RecoveryResult, RecoveryService } from '../../../shared/app/recovery.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';
import { Secret } from '../../../shared/config/secret.ts';
import type { ApiConfig } from '../../../shared/config/types.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { createAuditLog } from '../../../shared/app/audit-log.ts';

export const WEBHOOK_KEY = new Uint8Array(32).map((_, i) => (i * 7 + 3) % 256);
export const WEBHOOK_SECRET = `whsec_${Buffer.from(WEBHOOK_KEY).toString('base64')}`;
export const AM_TOKEN = 'am-token-0123456789abcdef';

export const CLUSTERS: SweepCluster[] = [
  { id: 'prod', name: 'Production', nodes: ['vault-0', 'vault-1', 'vault-2'].map((id, i) => ({ id, url: `https://10.0.0.${10 + i}:8200` })) },
  { id: 'dev', name: 'Dev', nodes: [{ id: 'vault-0', url: 'http://127.0.0.1:8200', insecureHttp: true }] },
];

export function apiConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    alertmanager: { token: new Secret(AM_TOKEN), clusterLabel: 'vault_cluster', nodeLabel: 'instance' },
    webhooks: { secret: new Secret(WEBHOOK_SECRET) },
    dashboard: { enabled: false },
    limits: { bodyBytes: 256 * 1024, requestsPerMinute: 10_000, timeoutMs: 10_000 },
    ...overrides,
  };
}

/** A recovery service that records what it was asked and answers from the request alone. */
export class RecordingRecovery implements RecoveryService {
  readonly calls: RecoveryRequest[] = [];
  delayMs = 0;
  failWith: Error | undefined;

  async run(request: RecoveryRequest): Promise<RecoveryResult> {
    const { signal, ...asked } = request;
    this.calls.push(asked);
    // Honours the signal as the real unseal service does: an aborted wait ends at once.
    if (this.delayMs > 0) await sleep(this.delayMs, signal);
    if (this.failWith) throw this.failWith;
    const nodes = request.nodeIds ?? CLUSTERS.find((c) => c.id === request.clusterId)?.nodes.map((n) => n.id) ?? [];
    return {
      cluster: request.clusterId,
      action: request.action,
      dryRun: request.dryRun === true,
      unseal: {
        ok: true,
        nodes: nodes.map((node) => ({ node, outcome: request.dryRun ? 'would-unseal' : 'unsealed', message: 'fake', shareIndexes: [1, 2, 3] })),
        findings: [],
      },
    };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

export interface Harness {
  app: ReturnType<typeof createApp>;
  /** Where recoveries past the budget go; `drain()` waits for the in-process worker. */
  queue: MemoryWorkQueue;
  clock: FakeClock;
  store: StateStore;
  recovery: RecordingRecovery;
  keys: ApiKeyService;
  /** The real incident service and silence store over the harness's store. */
  alerting: Alerting;
  key(scopes: ApiScope[]): Promise<string>;
}

export interface HarnessOptions {
  /** Wire the real incidents and silences into the app (default true); false: 404 not_configured. */
  alerting?: boolean;
}

/** The app over a memory store and a fake clock, with a recording recovery service. */
export function harness(overrides: Partial<AppDeps> = {}, options: HarnessOptions = {}): Harness {
  const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  const store = createMemoryStateStore({ clock });
  const recovery = new RecordingRecovery();
  const keys = createApiKeyService({ store, clock });
  const { jobs, local } = wireRecoveryJobs({ recovery, store, clock, logger: silentLogger });
  const alerting = createAlerting({ store, clock, logger: silentLogger, channels: [], clusters: CLUSTERS.map((c) => c.id) });
  const wired: Partial<AppDeps> =
    options.alerting === false
      ? {}
      : {
          incidents: {
            list: async (f) =>
              (await alerting.incidents.list(f.status === 'all' ? { all: true } : {})).filter((i) => !f.cluster || i.cluster === f.cluster).slice(0, f.limit),
            acknowledge: (input) => alerting.incidents.acknowledge(input),
          },
          silences: alerting.silences,
        };
  const app = createApp({
    clusters: CLUSTERS,
    store,
    logger: silentLogger,
    version: 'test',
    clock,
    api: apiConfig(),
    jobs,
    auth: { mode: 'api-keys', keys },
    audit: createAuditLog({ store, clock }),
    ...wired,
    ...overrides,
  });
  return {
    app,
    queue: local as MemoryWorkQueue,
    clock,
    store,
    recovery,
    keys,
    alerting,
    key: async (scopes) => (await keys.create({ name: `k-${scopes.join('-')}`, scopes })).key,
  };
}

export interface ErrorEnvelope {
  error: { code: string; message: string };
  requestId: string;
}
