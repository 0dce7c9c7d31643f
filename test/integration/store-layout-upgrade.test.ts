import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { clusterStateKey, formerClusterStateKey, RECORDS_LAYOUT_KEY } from '../../shared/app/cluster-record-layout.ts';
import { INCIDENTS_LAYOUT_KEY } from '../../shared/app/incident-service.ts';
import type { SealwatchConfig } from '../../shared/config/types.ts';
import { createRuntime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';

// The embedded store on disk, as `npm start` leaves it: a new store is marked as already in the
// current layout (nothing to move), and a store written by an earlier sealwatch has its cluster
// records moved by the first sweep, keeping what they said.

let sim: SimulatedCluster;
let dir: string;

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 1 });
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-layout-'));
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

const configFor = (path: string): SealwatchConfig => ({
  state: { kind: 'embedded', embedded: { path } },
  sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
  wrappers: [],
  clusters: [{ id: 'prod', name: 'Prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })), tls: { caPem: sim.caPem ?? '' } }],
});

describe('state store layout on the embedded store', () => {
  it('a new store carries both layout marks from its creation; opened again, it is not new', async () => {
    const path = join(dir, 'new');
    const runtime = await createRuntime({ config: configFor(path), clock: systemClock, logger: silentLogger });
    const marks = await Promise.all([RECORDS_LAYOUT_KEY, INCIDENTS_LAYOUT_KEY].map((k) => runtime.store.get(k.pk, k.sk)));
    await runtime.close();
    expect(marks.map((m) => m?.data)).toEqual([
      { newStoreAt: expect.any(String), moved: 0 },
      { newStoreAt: expect.any(String), moved: 0 },
    ]);

    // Opened again, the table exists: the store is not new, and nothing is marked again.
    const notices: unknown[] = [];
    const again = await createEmbeddedStateStore({ path, clock: systemClock, onNotice: (n) => notices.push(n) });
    try {
      expect(notices).toEqual([]);
      expect(await again.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toEqual(marks[0]);
    } finally {
      await again.close();
    }
  });

  it('a store of an earlier sealwatch: the first sweep moves the cluster record and plans against what it said', async () => {
    const path = join(dir, 'upgraded');
    // The store as the earlier layout left it: the record at CLUSTER#prod / STATE, no marks.
    const since = '2026-11-01T08:00:00.000Z';
    const node = sim.nodes[0];
    if (!node) throw new Error('no node');
    const earlier = await createEmbeddedStateStore({ path, clock: systemClock });
    await earlier.put({
      ...formerClusterStateKey('prod'),
      data: { nodes: { [node.id]: { state: 'active', since } } },
      condition: { kind: 'absent' },
    });
    await earlier.close();

    const runtime = await createRuntime({ config: configFor(path), clock: systemClock, logger: silentLogger });
    try {
      expect(await runtime.store.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();
      // A dry run first (`recover --dry-run`): it moves and writes nothing, and reads the record
      // where it still is, so it plans as the real run will.
      const dry = await runtime.sweep.recover({ clusterId: 'prod', dryRun: true, trigger: 'test' });
      expect(dry.report.clusters[0]?.nodes.map((n) => [n.state, n.since])).toEqual([['active', since]]);
      expect(await runtime.store.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();
      expect(await runtime.store.get(clusterStateKey('prod').pk, clusterStateKey('prod').sk)).toBeNull();
      expect(await runtime.store.get(formerClusterStateKey('prod').pk, formerClusterStateKey('prod').sk)).not.toBeNull();

      const report = await runtime.sweep.run({ trigger: 'test' });
      expect(report.clusters[0]?.nodes.map((n) => n.state)).toEqual(['active']);

      const moved = await runtime.store.get<{ nodes: Record<string, { state: string; since: string }> }>(
        clusterStateKey('prod').pk,
        clusterStateKey('prod').sk,
      );
      // The node was active before and still is: its `since` is the earlier one, not this sweep's.
      expect(moved?.data.nodes[node.id]).toMatchObject({ state: 'active', since });
      expect(await runtime.store.get(formerClusterStateKey('prod').pk, formerClusterStateKey('prod').sk)).toBeNull();
      expect((await runtime.store.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk))?.data).toEqual({ movedAt: expect.any(String) });
    } finally {
      await runtime.close();
    }
  });
});
