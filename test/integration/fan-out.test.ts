import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { countingStore, type CountingStore } from '../../shared/app/counting-store.ts';
import { clusterStateKey, formerClusterStateKey, RECORDS_LAYOUT_KEY } from '../../shared/app/cluster-record-layout.ts';
import { createMemoryWorkQueue } from '../../shared/adapters/memory-work-queue.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createFanOut, handleWorkBatch, mergeSweepReports, type WorkResult } from '../../shared/app/fan-out.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createSweepService, type ClusterInspector } from '../../shared/app/sweep.ts';
import type { SweepCluster, SweepReport } from '../../shared/app/sweep-types.ts';
import { UnavailableError } from '../../shared/errors.ts';
import type { SweepWorkMessage, WorkMessage } from '../../shared/ports/work-queue.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { startSimulatedFleet } from '../../shared/simulator/index.ts';
import type { SimulatedCluster } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';

const CLUSTERS = 200;

/** Only sweep messages travel in these tests. */
function sweepOnly(m: WorkMessage): SweepWorkMessage {
  if (m.kind !== 'sweep-cluster') throw new Error(`unexpected ${m.kind} message`);
  return m;
}

// A finding for every cluster with a sealed node, so findings travel through the workers too.
const sealedInspector: ClusterInspector = {
  name: 'sealed-count',
  async inspect({ cluster, plan }) {
    const sealed = plan.nodes.filter((n) => n.state === 'sealed').map((n) => n.nodeId);
    return sealed.length === 0
      ? []
      : [{ id: 'test.sealed', severity: 'warning', cluster: cluster.id, message: `${sealed.length} sealed`, evidence: { sealed } }];
  },
};

describe('scale-out: dispatch -> in-process queue -> worker', () => {
  let fleet: SimulatedCluster[];
  let clusters: SweepCluster[];
  let vault: VaultClientFactory;

  beforeAll(async () => {
    fleet = await startSimulatedFleet({ clusters: CLUSTERS, nodesPerCluster: 3, tls: false, concurrency: 32 });
    // Variety the merge must keep in place: sealed nodes in some clusters, one cluster down.
    for (let i = 0; i < CLUSTERS; i += 7) fleet[i]?.nodes[1]?.seal();
    for (const n of fleet[13]?.nodes ?? []) n.seal();
    clusters = fleet.map((c, i) => ({
      id: `c-${String(i).padStart(3, '0')}`,
      name: `Cluster ${i}`,
      nodes: c.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: true })),
    }));
    vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
  }, 120_000);
  afterAll(async () => {
    await vault?.close();
    await Promise.all((fleet ?? []).map((c) => c.close()));
  }, 60_000);

  // Same fleet, same fixed clock, separate stores: the two paths must see and decide the same.
  /** Leases and the sweep write through one counter, so `stateWrites` counts the lease too. */
  function sweepService(store: CountingStore, clock: FakeClock) {
    return createSweepService({
      clusters,
      vault,
      store,
      leases: createLeaseManager({ store, clock }),
      clock,
      logger: silentLogger,
      concurrency: 64,
      nodeTimeoutMs: 5_000,
      inspectors: [sealedInspector],
      writeCount: () => store.writeCount(),
    });
  }

  /** `workersApart`: the workers run in another process than the dispatcher (as on Lambda), with a sweep service of their own. */
  async function fannedOut(store: CountingStore, clock: FakeClock, threshold = 50, workersApart = false) {
    const queue = createMemoryWorkQueue({ concurrency: 16 });
    const fanOutWith = (sweep: ReturnType<typeof sweepService>) =>
      createFanOut({ clusterIds: clusters.map((c) => c.id), clusterThreshold: threshold, queue, sweep, clock, logger: silentLogger });
    const fanOut = fanOutWith(sweepService(store, clock));
    const workers = workersApart ? fanOutWith(sweepService(store, clock)) : fanOut;
    const results: WorkResult[] = [];
    let delivery = 0;
    // The worker code path: queue record -> handleWorkBatch -> fanOut.work -> one-cluster sweep.
    queue.consume(async (message) => {
      delivery += 1;
      const batch = await handleWorkBatch([{ messageId: `m-${delivery}`, body: JSON.stringify(message) }], (m) => workers.work(sweepOnly(m)), silentLogger);
      results.push(...batch.results);
      if (batch.failedIds.length > 0) throw new Error('worker batch failed');
    });
    const startedAt = clock.now();
    const writesBefore = store.writeCount();
    const dispatched = await fanOut.dispatch({ trigger: 'schedule' });
    await queue.drain();
    const swept = results.flatMap((r) => (r.outcome === 'swept' ? [r.report] : []));
    const merged = mergeSweepReports({ trigger: 'schedule', startedAt, finishedAt: clock.now(), clusterOrder: clusters.map((c) => c.id), reports: swept });
    return { dispatched, results, merged, deadLetters: queue.deadLetters(), writes: store.writeCount() - writesBefore };
  }

  const withoutTimings = (report: SweepReport) => {
    const { durationMs: _d, timings: _t, stateWrites: _w, ...rest } = report;
    return { ...rest, clusters: rest.clusters.map((c) => ({ ...c, nodes: c.nodes.map(({ durationMs: _n, ...node }) => node) })) };
  };

  it('sweeps 200 clusters through the workers and merges a report equal to a single-process sweep', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
    const single = await sweepService(countingStore(createMemoryStateStore({ clock })), clock).run({ trigger: 'schedule' });
    const out = await fannedOut(countingStore(createMemoryStateStore({ clock })), clock);

    expect(out.dispatched).toMatchObject({ mode: 'fan-out', clusters: CLUSTERS });
    expect(out.results).toHaveLength(CLUSTERS);
    expect(new Set(out.results.map((r) => r.clusterId)).size).toBe(CLUSTERS);
    expect(out.deadLetters).toEqual([]);
    expect(single.totals.clusters).toBe(CLUSTERS);
    expect(single.totals.byState.sealed).toBeGreaterThan(CLUSTERS / 7);
    expect(single.clusters.some((c) => (c.findings ?? []).length > 0)).toBe(true);
    expect(withoutTimings(out.merged.report)).toEqual(withoutTimings(single));
    expect(out.merged.skippedClusters).toEqual([]);
    // Each worker wrote its cluster record, took and released its own lease, and wrote its own
    // heartbeat item, where the single sweep wrote one heartbeat item for all its clusters.
    // (Workers share one store here, so the per-report counts overlap; on Lambda each counts only its own.)
    expect(out.writes).toBe(single.stateWrites + 3 * (CLUSTERS - 1));
  }, 120_000);

  it('stays equal on the next run, when previous states and transitions come from the store', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 13) });
    const singleStore = countingStore(createMemoryStateStore({ clock }));
    const fanStore = countingStore(createMemoryStateStore({ clock }));
    await sweepService(singleStore, clock).run({ trigger: 'schedule' });
    await fannedOut(fanStore, clock);
    fleet[20]?.nodes[0]?.seal();
    clock.advance(60_000);
    const single = await sweepService(singleStore, clock).run({ trigger: 'schedule' });
    const out = await fannedOut(fanStore, clock);
    expect(single.totals.transitions).toBeGreaterThan(0);
    expect(withoutTimings(out.merged.report)).toEqual(withoutTimings(single));
  }, 120_000);

  it('a store of an earlier layout: the dispatcher moves every record once before queuing, and the workers plan against them', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 14) });
    const store = countingStore(createMemoryStateStore({ clock }));
    // Every record as the earlier layout kept it (CLUSTER#<id> / STATE), written by a sweep an hour ago.
    const earlier = createMemoryStateStore({ clock });
    await sweepService(countingStore(earlier), clock).run({ trigger: 'schedule' });
    const former = await earlier.query({ pk: clusterStateKey(clusters[0]?.id ?? '').pk, skPrefix: 'CLUSTER#' });
    for (const item of former.items)
      await store.put({ ...formerClusterStateKey(item.sk.slice('CLUSTER#'.length)), data: item.data, condition: { kind: 'any' } });
    clock.advance(3_600_000);
    const gets: string[] = [];
    const realGet = store.get;
    store.get = (pk, sk) => (gets.push(`${pk} ${sk}`), realGet(pk, sk));
    const formerReads: number[] = [];
    const realGetMany = store.getMany;
    store.getMany = (keys) => {
      const formerKeys = keys.filter((k) => k.sk === 'STATE').length;
      if (formerKeys > 0) formerReads.push(formerKeys);
      return realGetMany(keys);
    };

    const out = await fannedOut(store, clock, 50, true);
    const during = [...gets];

    expect(former.items).toHaveLength(CLUSTERS);
    expect(out.results.every((r) => r.outcome === 'swept')).toBe(true);
    for (const item of former.items) {
      const id = item.sk.slice('CLUSTER#'.length);
      expect(await store.get(formerClusterStateKey(id).pk, formerClusterStateKey(id).sk)).toBeNull();
      // Unchanged since the hour-old sweep, so not rewritten: the record moved, `since` and all.
      expect((await store.get(clusterStateKey(id).pk, clusterStateKey(id).sk))?.data).toEqual(item.data);
    }
    expect(out.merged.report.totals.transitions).toBe(0);
    // The dispatcher read every former record at once and marked the store; the workers' process
    // read the mark once and moved nothing itself.
    expect(formerReads).toEqual([CLUSTERS]);
    expect(during.filter((g) => g === `${RECORDS_LAYOUT_KEY.pk} ${RECORDS_LAYOUT_KEY.sk}`)).toHaveLength(2);
    expect(during.filter((g) => g.endsWith(' STATE'))).toEqual([]);
  }, 120_000);

  it('a dispatcher whose move fails still queues every cluster; each worker then moves its own record', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 15) });
    const store = countingStore(createMemoryStateStore({ clock }));
    const id = clusters[3]?.id ?? '';
    await store.put({ ...formerClusterStateKey(id), data: { nodes: {} }, condition: { kind: 'any' } });
    const realGetMany = store.getMany;
    let failed = 0;
    store.getMany = async (keys) => {
      // The dispatcher's read of every former record is throttled.
      if (keys.length === CLUSTERS && keys.every((k) => k.sk === 'STATE')) {
        failed += 1;
        throw new UnavailableError('throttled');
      }
      return realGetMany(keys);
    };

    const out = await fannedOut(store, clock, 50, true);

    expect(failed).toBe(1);
    expect(out.dispatched).toMatchObject({ mode: 'fan-out', clusters: CLUSTERS });
    expect(out.results.filter((r) => r.outcome === 'swept')).toHaveLength(CLUSTERS);
    expect(await store.get(formerClusterStateKey(id).pk, formerClusterStateKey(id).sk)).toBeNull();
    expect(await store.get(clusterStateKey(id).pk, clusterStateKey(id).sk)).not.toBeNull();
  }, 120_000);

  it('sweeps in-process at or below the threshold', async () => {
    const clock = new FakeClock();
    const queue = createMemoryWorkQueue();
    const sent: SweepWorkMessage[] = [];
    queue.consume(async (m) => void sent.push(sweepOnly(m)));
    const fanOut = createFanOut({
      clusterIds: clusters.map((c) => c.id),
      clusterThreshold: CLUSTERS,
      queue,
      sweep: sweepService(countingStore(createMemoryStateStore({ clock })), clock),
      clock,
      logger: silentLogger,
    });
    expect(fanOut.fansOut()).toBe(false);
    const result = await fanOut.dispatch();
    await queue.drain();
    expect(result.mode).toBe('single');
    expect(result.mode === 'single' && result.report.totals.clusters).toBe(CLUSTERS);
    expect(sent).toEqual([]);
  }, 120_000);
});

describe('worker edge cases', () => {
  const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  const cluster: SweepCluster = { id: 'only', name: 'only', nodes: [{ id: 'n', url: 'http://127.0.0.1:9', insecureHttp: true }] };
  const message = (over: Partial<SweepWorkMessage> = {}): SweepWorkMessage => ({
    kind: 'sweep-cluster',
    dispatchId: 'd-1',
    clusterId: 'only',
    trigger: 'schedule',
    dispatchedAt: new Date(clock.now()).toISOString(),
    ...over,
  });
  // A sweep service double that records calls or fails like a broken state store.
  const sweepDouble = (fail: boolean) => {
    const calls: unknown[] = [];
    return {
      calls,
      service: {
        async run(request?: { trigger?: string; clusterIds?: readonly string[] }): Promise<SweepReport> {
          calls.push(request);
          if (fail) throw new UnavailableError('state store down');
          return {
            trigger: request?.trigger ?? '',
            startedAt: '',
            durationMs: 0,
            clusters: [],
            totals: { clusters: 0, nodes: 0, byState: {} as SweepReport['totals']['byState'], transitions: 0, unsealed: 0 },
            timings: { observeMs: 0, applyMs: 0, persistMs: 0, p50NodeMs: 0, p99NodeMs: 0 },
            stateWrites: 0,
          };
        },
      },
    };
  };

  it('drops messages for clusters no longer configured and messages older than the maximum age', async () => {
    const double = sweepDouble(false);
    const fanOut = createFanOut({
      clusterIds: [cluster.id],
      clusterThreshold: 0,
      queue: undefined,
      sweep: double.service,
      clock,
      logger: silentLogger,
      maxMessageAgeMs: 60_000,
    });
    await expect(fanOut.work(message({ clusterId: 'gone' }))).resolves.toMatchObject({ outcome: 'dropped', reason: 'unknown-cluster' });
    await expect(fanOut.work(message({ dispatchedAt: new Date(clock.now() - 61_000).toISOString() }))).resolves.toMatchObject({
      outcome: 'dropped',
      reason: 'expired',
    });
    await expect(fanOut.work(message({ dispatchedAt: 'not a date' }))).resolves.toMatchObject({ outcome: 'dropped', reason: 'expired' });
    expect(double.calls).toEqual([]);
    await expect(fanOut.work(message({ trigger: 'webhook' }))).resolves.toMatchObject({ outcome: 'swept' });
    expect(double.calls).toEqual([{ trigger: 'webhook', clusterIds: ['only'] }]);
  });

  it('without a queue, sweeps in-process even past the threshold', async () => {
    const double = sweepDouble(false);
    const fanOut = createFanOut({ clusterIds: ['a', 'b'], clusterThreshold: 1, queue: undefined, sweep: double.service, clock, logger: silentLogger });
    expect(fanOut.fansOut()).toBe(false);
    expect((await fanOut.dispatch()).mode).toBe('single');
    expect(double.calls).toEqual([{ trigger: 'schedule' }]);
  });

  it('reports failing sweeps as batch item failures; the queue re-delivers, then dead-letters', async () => {
    const double = sweepDouble(true);
    const fanOut = createFanOut({ clusterIds: [cluster.id], clusterThreshold: 0, queue: undefined, sweep: double.service, clock, logger: silentLogger });
    const batch = await handleWorkBatch(
      [
        { messageId: 'a', body: JSON.stringify(message()) },
        { messageId: 'b', body: '{"kind":"something-else"}' },
        { messageId: 'c', body: 'not json' },
      ],
      (m) => fanOut.work(sweepOnly(m)),
      silentLogger,
    );
    // Only the sweep that threw is retried: a malformed body can never succeed.
    expect(batch.failedIds).toEqual(['a']);
    expect(batch.results).toEqual([]);

    const queue = createMemoryWorkQueue({ maxReceives: 3 });
    queue.consume(async (m) => {
      const r = await handleWorkBatch([{ messageId: 'x', body: JSON.stringify(m) }], (w) => fanOut.work(sweepOnly(w)), silentLogger);
      if (r.failedIds.length > 0) throw new Error('failed');
    });
    await queue.send([message()]);
    await queue.drain();
    expect(queue.deadLetters().map((d) => sweepOnly(d.message).clusterId)).toEqual(['only']);
    expect(double.calls.length).toBe(1 + 3);
  });

  it('refuses a negative or fractional threshold', () => {
    const double = sweepDouble(false);
    expect(() => createFanOut({ clusterIds: [], clusterThreshold: -1, queue: undefined, sweep: double.service, clock, logger: silentLogger })).toThrow(
      RangeError,
    );
    expect(() => createFanOut({ clusterIds: [], clusterThreshold: 1.5, queue: undefined, sweep: double.service, clock, logger: silentLogger })).toThrow(
      RangeError,
    );
  });
});
