import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import type { ClusterReport, SweepReport } from '../../../shared/app/sweep-types.ts';
import { Secret } from '../../../shared/config/secret.ts';
import type { ClusterConfig, SealwatchConfig } from '../../../shared/config/types.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import type { Clock } from '../../../shared/ports/clock.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';

/** The cluster config of one or more simulated clusters seen as one sealwatch cluster. */
export function clusterOf(id: string, sims: readonly SimulatedCluster[], extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    id,
    name: id,
    nodes: sims.flatMap((s) => s.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false }))),
    tls: { caPem: sims.map((s) => s.caPem ?? '').join('\n') },
    ...extra,
  };
}

export interface HealthHarness {
  runtime: Runtime;
  store: StateStore;
  sweep(): Promise<SweepReport>;
  close(): Promise<void>;
}

/**
 * A runtime as the CLI builds it, over a memory store, with one local wrapper; custody of each
 * `custody` cluster holds its simulator's shares and (for `auth: token` clusters) its root token.
 */
export async function healthHarness(options: {
  clusters: ClusterConfig[];
  custody?: Record<string, SimulatedCluster>;
  tokens?: Record<string, SimulatedCluster>;
  clock: Clock;
}): Promise<HealthHarness> {
  const key = randomBytes(32);
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
    clusters: options.clusters,
  };
  const store = createMemoryStateStore({ clock: options.clock });
  const runtime = await createRuntime({ config, clock: options.clock, logger: silentLogger, store, alertChannels: [] });
  const wrapper = createLocalKeyWrapper({ id: 'local-1', key });
  for (const [id, sim] of Object.entries(options.custody ?? {})) {
    await putCustody({ store, clusterId: id, shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
  }
  for (const [id, sim] of Object.entries(options.tokens ?? {})) {
    const cluster = runtime.health.recoveryClusters.get(id);
    if (!cluster || !sim.rootToken) throw new Error(`no cluster ${id} or no root token`);
    await runtime.health.tokens.store(cluster, sim.rootToken);
  }
  return {
    runtime,
    store,
    sweep: () => runtime.sweep.run({ trigger: 'test' }),
    async close() {
      await runtime.close();
      await store.close();
    },
  };
}

export function clusterReport(report: SweepReport, id: string): ClusterReport {
  const cluster = report.clusters.find((c) => c.id === id);
  if (!cluster) throw new Error(`no cluster ${id} in the report`);
  return cluster;
}

/** `id@node:severity`, sorted: compact and order-independent. */
export function findingKeys(findings: readonly Finding[] | undefined, filter: RegExp = /./): string[] {
  return (findings ?? [])
    .filter((f) => filter.test(f.id))
    .map((f) => `${f.id}${f.node ? `@${f.node}` : ''}:${f.severity}`)
    .sort();
}

/** Requests a simulated node received on `path` (e.g. `sys/storage/raft/remove-peer`). */
export function requestsTo(sims: readonly SimulatedCluster[], path: string) {
  return sims.flatMap((s) => s.nodes.flatMap((n) => n.requestLog.filter((r) => r.path.endsWith(path)).map((r) => ({ node: n.id, ...r }))));
}
