import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { clusterStateKey } from '../../shared/app/cluster-record-layout.ts';
import type { ClusterRecord } from '../../shared/core/cluster-record.ts';
import { ConflictError, UnavailableError } from '../../shared/errors.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';

// A long-lived process (serve, a warm Lambda) keeps the cluster records it read or wrote and,
// on the next sweep, asks the store for their versions only; a record is read in full again
// only when another writer changed it (or its version is not known here). Counted on the store.

const sims: SimulatedCluster[] = [];
let runtime: Runtime;
let inner: StateStore;
/** What the sweep asked the store about cluster records. */
const calls = { recordsRead: 0, versionsAsked: 0, failVersions: false, failBatch: false, conflictOnRecordPut: false };

beforeAll(async () => {
  sims.push(await startSimulatedCluster({ nodes: 1 }), await startSimulatedCluster({ nodes: 1 }));
  inner = createMemoryStateStore({ clock: systemClock });
  const isRecord = (k: { pk: string; sk: string }) => k.pk === clusterStateKey('x').pk && k.sk.startsWith('CLUSTER#');
  const store: StateStore = {
    ...inner,
    get: (pk, sk) => inner.get(pk, sk),
    getMany: (keys) => ((calls.recordsRead += keys.filter(isRecord).length), inner.getMany(keys)),
    versions: async (keys) => {
      calls.versionsAsked += keys.filter(isRecord).length;
      if (calls.failVersions) throw new Error('store briefly unavailable');
      return inner.versions(keys);
    },
    put: async (request) => {
      if (isRecord(request) && calls.conflictOnRecordPut) {
        calls.conflictOnRecordPut = false;
        throw new ConflictError('another writer was first');
      }
      return inner.put(request);
    },
    putMany: async (items) => {
      if (calls.failBatch) {
        calls.failBatch = false;
        throw new UnavailableError('batch write failed');
      }
      return inner.putMany(items);
    },
    delete: (pk, sk, condition) => inner.delete(pk, sk, condition),
    query: (request) => inner.query(request),
    queryVersions: (request) => inner.queryVersions(request),
    close: () => inner.close(),
  };
  runtime = await createRuntime({
    config: {
      state: { kind: 'embedded', embedded: { path: '/unused' } },
      sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
      wrappers: [],
      clusters: sims.map((sim, i) => ({
        id: `c${i}`,
        name: `C${i}`,
        nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
        tls: { caPem: sim.caPem ?? '' },
      })),
    },
    clock: systemClock,
    logger: silentLogger,
    store,
  });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all(sims.map((s) => s.close()));
});

/** The calls one sweep made, and its report. */
async function sweep() {
  const before = { ...calls };
  const report = await runtime.sweep.run({ trigger: 'test' });
  return { report, recordsRead: calls.recordsRead - before.recordsRead, versionsAsked: calls.versionsAsked - before.versionsAsked };
}

describe('cluster records kept between sweeps', () => {
  it('are checked by version and not read again while nobody else writes them', async () => {
    const first = await sweep();
    expect(first.report.clusters.map((c) => c.persisted)).toEqual([true, true]);
    expect([first.recordsRead, first.versionsAsked]).toEqual([2, 0]);
    // The first records went out in the sweep's batch write, which says which versions it wrote.
    for (let i = 0; i < 3; i++) {
      const later = await sweep();
      expect([later.recordsRead, later.versionsAsked]).toEqual([0, 2]);
      expect(later.report.totals.nodes).toBe(2);
      expect(later.report.clusters.map((c) => c.persisted)).toEqual([false, false]);
    }
  });

  it('a record another writer changed is read again, and the sweep plans against what it says', async () => {
    const key = clusterStateKey('c1');
    const stored = await inner.get<ClusterRecord>(key.pk, key.sk);
    if (!stored) throw new Error('no record');
    const [nodeId, node] = Object.entries(stored.data.nodes)[0] ?? [];
    if (!nodeId || !node) throw new Error('no node record');
    expect(node.state).toMatch(/^(active|standby)$/);
    // Another sealwatch process saw the node sealed (its record says so since a minute ago).
    const since = Date.now() - 60_000;
    await inner.put<ClusterRecord>({
      ...key,
      data: { nodes: { ...stored.data.nodes, [nodeId]: { ...node, state: 'sealed', since } } },
      condition: { kind: 'version', version: stored.version },
    });

    const after = await sweep();

    expect([after.recordsRead, after.versionsAsked]).toEqual([1, 2]);
    const report = after.report.clusters.find((c) => c.id === 'c1');
    // Planned against the other writer's record: the node is back, a transition from sealed.
    expect(report?.nodes.find((n) => n.id === nodeId)).toMatchObject({ state: node.state, previousState: 'sealed', transition: true });
    expect(report?.persisted).toBe(true);
    // The record this sweep wrote is kept with its new version: the next sweep reads nothing.
    const next = await sweep();
    expect([next.recordsRead, next.versionsAsked]).toEqual([0, 2]);
    expect(next.report.clusters.find((c) => c.id === 'c1')?.nodes.find((n) => n.id === nodeId)).toMatchObject({ transition: false });
  });

  it('when the versions cannot be read, every record is read in full instead of trusting what is kept', async () => {
    calls.failVersions = true;
    try {
      const failed = await sweep();
      expect([failed.recordsRead, failed.versionsAsked]).toEqual([2, 2]);
      expect(failed.report.clusters.map((c) => c.findings?.some((f) => f.id === 'sealwatch.cluster-failed') ?? false)).toEqual([false, false]);
      expect(failed.report.totals.nodes).toBe(2);
    } finally {
      calls.failVersions = false;
    }
  });

  /** Writes c1's record as another process that saw its node sealed a minute ago would. */
  async function otherWriterSawSealed(): Promise<string> {
    const key = clusterStateKey('c1');
    const stored = await inner.get<ClusterRecord>(key.pk, key.sk);
    const [nodeId, node] = Object.entries(stored?.data.nodes ?? {})[0] ?? [];
    if (!stored || !nodeId || !node) throw new Error('no record');
    await inner.put<ClusterRecord>({
      ...key,
      data: { nodes: { ...stored.data.nodes, [nodeId]: { ...node, state: 'sealed', since: Date.now() - 60_000 } } },
      condition: { kind: 'version', version: stored.version },
    });
    return nodeId;
  }

  it('a write that loses to another writer drops the kept record: the next sweep reads it in full', async () => {
    const nodeId = await otherWriterSawSealed();
    calls.conflictOnRecordPut = true;
    const lost = await sweep();
    expect(lost.report.clusters.find((c) => c.id === 'c1')).toMatchObject({ persisted: false, warning: 'state changed concurrently; not persisted' });

    const next = await sweep();
    expect([next.recordsRead, next.versionsAsked]).toEqual([1, 1]);
    // Planned against what the store holds (still the other writer's record), and written now.
    const c1 = next.report.clusters.find((c) => c.id === 'c1');
    expect(c1?.nodes.find((n) => n.id === nodeId)).toMatchObject({ previousState: 'sealed', transition: true });
    expect(c1?.persisted).toBe(true);
  });

  it('a record item that holds no record (null data) fails nothing: the sweep writes a new one', async () => {
    const key = clusterStateKey('c0');
    await inner.put({ ...key, data: null, condition: { kind: 'any' } });

    const swept = await sweep();

    expect([swept.recordsRead, swept.versionsAsked]).toEqual([1, 2]);
    expect(swept.report.clusters.map((c) => c.findings?.some((f) => f.id === 'sealwatch.cluster-failed') ?? false)).toEqual([false, false]);
    expect(swept.report.clusters.find((c) => c.id === 'c0')?.persisted).toBe(true);
    expect((await inner.get<ClusterRecord>(key.pk, key.sk))?.data?.nodes).toBeTruthy();
    const next = await sweep();
    expect([next.recordsRead, next.versionsAsked]).toEqual([0, 2]);
  });

  it('first records whose batch write failed are not kept: the next sweep reads them', async () => {
    for (const id of ['c0', 'c1']) await inner.delete(clusterStateKey(id).pk, clusterStateKey(id).sk);
    calls.failBatch = true;
    const failed = await sweep();
    expect(failed.report.clusters.map((c) => c.persisted)).toEqual([false, false]);

    const next = await sweep();
    expect([next.recordsRead, next.versionsAsked]).toEqual([2, 0]);
    expect(next.report.clusters.map((c) => c.persisted)).toEqual([true, true]);
  });
});
