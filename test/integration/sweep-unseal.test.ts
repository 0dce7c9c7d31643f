import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { ClusterReport } from '../../shared/app/sweep-types.ts';
import { Secret } from '../../shared/config/secret.ts';
import type { ClusterConfig, SealwatchConfig } from '../../shared/config/types.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody } from '../support/custody-fixture.ts';

// The runtime as the CLI and Lambda build it: a sweep that finds a sealed node of a cluster
// with custody unseals it in the same run; `autoUnseal: false` and missing custody leave it alone.

const key = randomBytes(32);
let sims: SimulatedCluster[];
let store: StateStore;
let runtime: Runtime;

function clusterConfig(id: string, sim: SimulatedCluster, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    id,
    name: id,
    nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
    tls: { caPem: sim.caPem ?? '' },
    ...extra,
  };
}

beforeAll(async () => {
  sims = await Promise.all([1, 2, 3].map(() => startSimulatedCluster({ nodes: 3 })));
  const [withCustody, optedOut, noCustody] = sims as [SimulatedCluster, SimulatedCluster, SimulatedCluster];
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
    clusters: [clusterConfig('prod', withCustody), clusterConfig('manual', optedOut, { autoUnseal: false }), clusterConfig('bare', noCustody)],
  };
  store = createMemoryStateStore({ clock: systemClock });
  runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, store });
  const wrapper = createLocalKeyWrapper({ id: 'local-1', key });
  for (const [id, sim] of [
    ['prod', withCustody],
    ['manual', optedOut],
  ] as const) {
    await putCustody({ store, clusterId: id, shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
  }
});

afterAll(async () => {
  await runtime?.close();
  await store?.close();
  await Promise.all((sims ?? []).map((s) => s.close()));
});

const clusterOf = (clusters: ClusterReport[], id: string) => {
  const c = clusters.find((x) => x.id === id);
  if (!c) throw new Error(`no cluster ${id} in the report`);
  return c;
};

describe('sweep with custody', () => {
  it('unseals a sealed node in the same run, then sees it healthy with nothing to do', async () => {
    for (const sim of sims) sim.nodes[1]?.seal();
    const first = await runtime.sweep.run({ trigger: 'test' });

    const prod = clusterOf(first.clusters, 'prod');
    const node = prod.nodes.find((n) => n.id === sims[0]?.nodes[1]?.id);
    expect(node).toMatchObject({ unsealedBy: 'sealwatch', sealed: false });
    expect(node?.state).not.toBe('sealed');
    expect(node?.unseal).toMatchObject({ kind: 'unseal', outcome: 'unsealed', shareIndexes: [1, 2, 3], wrappers: ['local-1'] });
    expect(node?.unseal).toHaveProperty('timings.totalMs');
    expect((prod.findings ?? []).filter((f) => /^(unseal|custody)\./.test(f.id))).toEqual([]);
    expect(first.totals.unsealed).toBe(1);
    expect(sims[0]?.nodes[1]?.state().sealed).toBe(false);

    // autoUnseal: false, and no custody: detected, left sealed, no action.
    for (const id of ['manual', 'bare']) {
      const cluster = clusterOf(first.clusters, id);
      expect(cluster.actions).toEqual([]);
      expect(cluster.summary.sealedCount).toBe(1);
    }
    expect(keySubmissions(sims[1]?.nodes[1] ?? { requestLog: [] })).toEqual([]);
    expect(keySubmissions(sims[2]?.nodes[1] ?? { requestLog: [] })).toEqual([]);

    const second = await runtime.sweep.run({ trigger: 'test' });
    const again = clusterOf(second.clusters, 'prod');
    expect(again.actions).toEqual([]);
    expect(again.summary.sealedCount).toBe(0);
    expect(again.nodes.every((n) => n.unsealedBy === undefined)).toBe(true);
    expect(second.totals.unsealed).toBe(0);
    expect(keySubmissions(sims[0]?.nodes[1] ?? { requestLog: [] })).toHaveLength(3);

    const audit = await runtime.audit.list('prod');
    expect(audit.map((e) => [e.trigger, e.outcome])).toEqual([['test', 'unsealed']]);
  });
});
