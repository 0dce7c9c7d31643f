import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { Secret } from '../../shared/config/secret.ts';
import type { ApiConfig, SealwatchConfig } from '../../shared/config/types.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { putCustody } from '../support/custody-fixture.ts';

/** One request the served app answered (recorded by a thin wrapper around `app.fetch`). */
export interface ServedCall {
  method: string;
  path: string;
  status: number;
  /** Request body text (only for paths under `/v1/hooks/`). */
  body: string;
  /** Response body text (only for paths under `/v1/hooks/`). */
  response: string;
  /** Epoch ms (from `clock`) when the answer was ready. */
  answeredAt: number;
}

export interface ServedSealwatch {
  sim: SimulatedCluster;
  runtime: Runtime;
  store: StateStore;
  clusterId: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  calls: ServedCall[];
  close(): Promise<void>;
}

export interface ServedSealwatchOptions {
  clusterId: string;
  /** `api:` keys besides the defaults (dashboard on, default limits). */
  api: Partial<ApiConfig>;
  /** Default: a memory store. */
  store?: StateStore;
  clock: Clock;
  nodes?: number;
  /** `clusters[].autoUnseal` (default: unset, i.e. on because custody exists). */
  autoUnseal?: boolean;
}

/**
 * sealwatch as `serve` runs it, minus the scheduler: a simulated Vault cluster (TLS, 3-of-5
 * Shamir) whose shares are in custody under a random local key, the runtime over it, and the
 * API app as `serve` builds it (API keys required) on `@hono/node-server` on 127.0.0.1.
 */
export async function startServedSealwatch(options: ServedSealwatchOptions): Promise<ServedSealwatch> {
  const { clusterId, clock } = options;
  const sim = await startSimulatedCluster({ nodes: options.nodes ?? 3, clusterName: clusterId, init: { shares: 5, threshold: 3 }, tls: true });
  const key = randomBytes(32);
  const api: ApiConfig = {
    dashboard: { enabled: true },
    limits: { bodyBytes: 262_144, requestsPerMinute: 100_000, timeoutMs: 25_000 },
    ...options.api,
  };
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'local-custody', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
    clusters: [
      {
        id: clusterId,
        name: clusterId,
        nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
        tls: { caPem: sim.caPem ?? '' },
        ...(options.autoUnseal === undefined ? {} : { autoUnseal: options.autoUnseal }),
      },
    ],
    api,
  };
  const store = options.store ?? createMemoryStateStore({ clock });
  let runtime: Runtime | undefined;
  let server: ServerType | undefined;
  const close = async () => {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    await runtime?.close();
    await store.close();
    await sim.close();
  };
  try {
    runtime = await createRuntime({ config, clock, logger: silentLogger, store });
    const wrapper = createLocalKeyWrapper({ id: 'local-custody', key });
    key.fill(0);
    await putCustody({ store, clusterId, shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
    // Exactly what `sealwatch serve` mounts, API keys required.
    const app = createApp(apiDepsFromRuntime(runtime, { version: 'e2e', auth: { mode: 'api-keys' }, serveMetrics: false }));
    const calls: ServedCall[] = [];
    const fetch = async (request: Request): Promise<Response> => {
      const path = new URL(request.url).pathname;
      const hook = path.startsWith('/v1/hooks/');
      const body = hook ? await request.clone().text() : '';
      const response = await app.fetch(request);
      const text = hook ? await response.clone().text() : '';
      calls.push({ method: request.method, path, status: response.status, body, response: text, answeredAt: clock.now() });
      return response;
    };
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
      s.once('error', reject);
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('no server address');
    return { sim, runtime, store, clusterId, url: `http://127.0.0.1:${address.port}`, calls, close };
  } catch (error) {
    await close();
    throw error;
  }
}
