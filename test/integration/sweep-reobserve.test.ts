import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { clusterStateKey } from '../../shared/app/cluster-record-layout.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { clusterOf, clusterReport, healthHarness, requestsTo } from './health/raft-harness.ts';

// After an action only the nodes acted on are looked at again — an unsealed node by the unseal's
// own look after its last share — unless the first look had no usable leader (then an unseal can
// elect one and change nodes nobody touched, so the whole cluster is looked at again). And a sweep reads
// a cluster's raft state once, for the removal planner and the raft inspector together. Counted
// on the simulator's request log, per node.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** `GET sys/health` requests per node: one per look at the node (the sweep's, or the unseal's own). */
function looks(sim: SimulatedCluster): Record<string, number> {
  return Object.fromEntries(sim.nodes.map((n) => [n.id, n.requestLog.filter((r) => r.method === 'GET' && r.path === '/v1/sys/health').length]));
}

function clearLogs(sim: SimulatedCluster) {
  for (const n of sim.nodes) n.clearRequestLog();
}

/**
 * A cluster of `nodes` with custody, swept once (all healthy), then one standby sealed and the
 * request logs cleared: what every re-observation case starts from.
 */
async function oneStandbySealed(nodes: number, cluster: Parameters<typeof clusterOf>[2] = {}, withToken = false) {
  const sim = await startSimulatedCluster({ nodes });
  open.push(sim);
  const h = await healthHarness({
    clock: systemClock,
    clusters: [clusterOf('prod', [sim], cluster)],
    custody: { prod: sim },
    ...(withToken ? { tokens: { prod: sim } } : {}),
  });
  open.push(h);
  await h.sweep();
  const sealed = sim.nodes.find((n) => n.id !== sim.activeNode()?.id);
  if (!sealed) throw new Error('no standby');
  sealed.seal();
  clearLogs(sim);
  return { sim, h, sealed };
}

describe('re-observation after actions', () => {
  it('with one active node, only the unsealed node is looked at again', async () => {
    const { sim, h, sealed } = await oneStandbySealed(5);

    const report = clusterReport(await h.sweep(), 'prod');

    expect(report.actions.map((a) => [a.kind, a.nodeId, a.outcome])).toEqual([['unseal', sealed.id, 'unsealed']]);
    expect(looks(sim)).toEqual(Object.fromEntries(sim.nodes.map((n) => [n.id, n.id === sealed.id ? 2 : 1])));
    // The second look is in the report: the node is repaired within the sweep.
    expect(report.nodes.find((n) => n.id === sealed.id)).toMatchObject({ state: 'standby', passedThrough: { state: 'sealed' }, unsealedBy: 'sealwatch' });
    // Nodes nobody touched got nothing but the one look (two GETs) of the sweep.
    for (const n of sim.nodes.filter((x) => x.id !== sealed.id))
      expect(n.requestLog.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /v1/sys/health', 'GET /v1/sys/seal-status']);
  });

  it('without an active node in the first look, the whole cluster is looked at again (a leader may have been elected)', async () => {
    const sim = await startSimulatedCluster({ nodes: 3 });
    open.push(sim);
    const h = await healthHarness({ clock: systemClock, clusters: [clusterOf('prod', [sim])], custody: { prod: sim } });
    open.push(h);
    await h.sweep();
    // Two of three sealed: the raft quorum is gone, the unsealed node has no leader to follow.
    const kept = sim.activeNode();
    if (!kept) throw new Error('no active node');
    for (const n of sim.nodes) if (n.id !== kept.id) n.seal();
    expect(sim.activeNode()).toBeNull();
    clearLogs(sim);

    const report = clusterReport(await h.sweep(), 'prod');

    expect(report.actions.map((a) => [a.nodeId, a.outcome]).sort()).toEqual(
      sim.nodes
        .filter((n) => n.id !== kept.id)
        .map((n) => [n.id, 'unsealed'])
        .sort(),
    );
    // Looks per node: the sweep's first and second; the unsealed ones also the unseal's own.
    expect(looks(sim)).toEqual(Object.fromEntries(sim.nodes.map((n) => [n.id, n.id === kept.id ? 2 : 3])));
    // The quorum is back and a leader elected: the report says so for every node, the one nobody
    // touched included, exactly as the nodes answer now.
    const now = Object.fromEntries(sim.nodes.map((n) => [n.id, n.id === sim.activeNode()?.id ? 'active' : 'standby']));
    expect(Object.fromEntries(report.nodes.map((n) => [n.id, n.state]))).toEqual(now);
    expect(report.nodes.filter((n) => n.state === 'active')).toHaveLength(1);
  });

  it('a recover looks again only at what it acted on, too: one observation of the others, one raft read', async () => {
    const { sim, h, sealed } = await oneStandbySealed(
      5,
      { auth: { kind: 'token' }, raft: { autoJoin: true, removeDeadPeers: { after: 3_600_000, minQuorum: 3 } } },
      true,
    );

    const result = await h.runtime.recovery.run({ clusterId: 'prod', action: 'recover', trigger: 'test' });

    expect(result.steps?.map((s) => [s.kind, s.nodeId, s.outcome])).toEqual([['unseal', sealed.id, 'unsealed']]);
    expect(looks(sim)).toEqual(Object.fromEntries(sim.nodes.map((n) => [n.id, n.id === sealed.id ? 2 : 1])));
    expect(requestsTo([sim], 'sys/storage/raft/configuration')).toHaveLength(1);
    expect(sim.nodes.reduce((sum, n) => sum + n.requestLog.length, 0)).toBeLessThanOrEqual(21);
  });
});

describe('a recover that fails part-way', () => {
  it('keeps the unseal it made in its result and reports the failure (not "nothing to do")', async () => {
    const { h, sealed } = await oneStandbySealed(3);
    // The cluster record cannot be written after the unseal (the store throttles, say).
    const put = h.store.put.bind(h.store);
    h.store.put = async (request) => {
      if (request.pk === clusterStateKey('prod').pk && request.sk === clusterStateKey('prod').sk) throw new Error('store went away');
      return put(request);
    };

    const result = await h.runtime.recovery.run({ clusterId: 'prod', action: 'recover', trigger: 'test' });

    expect(sealed.state().sealed).toBe(false);
    expect(result.steps?.map((s) => [s.kind, s.nodeId, s.outcome])).toEqual([['unseal', sealed.id, 'unsealed']]);
    expect(result.unseal?.ok).toBe(false);
    expect(result.unseal?.findings).toContain('sealwatch.cluster-failed');
    expect(result.sweep?.findings).toContain('sealwatch.cluster-failed');
    // Its nodes as they were after the unseal, not as first seen: the node unsealed is not
    // reported (and alerted) as sealed.
    expect(result.sweep?.nodes.find((n) => n.node === sealed.id)?.state).not.toBe('sealed');
    expect(result.sweep?.nodes.filter((n) => n.state === 'sealed')).toEqual([]);
  });
});

describe('one raft read per sweep', () => {
  it('the removal planner and the raft inspector share one set of raft reads from the active node', async () => {
    // The simulated leader measures silence on the sweep's clock.
    const clock = new FakeClock({ autoAdvance: true });
    const sim = await startSimulatedCluster({ nodes: 5, now: () => clock.now() });
    open.push(sim);
    const h = await healthHarness({
      clock,
      clusters: [clusterOf('prod', [sim], { auth: { kind: 'token' }, raft: { autoJoin: false, removeDeadPeers: { after: 3_600_000, minQuorum: 3 } } })],
      tokens: { prod: sim },
    });
    open.push(h);
    // One node dead: the planner has a peer to track (and keeps it before `after`), the inspector
    // a dead peer to report — both from the same reads.
    const dead = sim.nodes.find((n) => n.id !== sim.activeNode()?.id);
    if (!dead) throw new Error('no standby');
    await sim.kill(dead.id);
    clock.advance(60_000);
    clearLogs(sim);

    const report = clusterReport(await h.sweep(), 'prod');

    const raftReads = ['sys/storage/raft/configuration', 'sys/storage/raft/autopilot/state', 'sys/storage/raft/autopilot/configuration'].map((path) =>
      requestsTo([sim], path).map((r) => r.node),
    );
    expect(raftReads).toEqual([[sim.activeNode()?.id], [sim.activeNode()?.id], [sim.activeNode()?.id]]);
    // Both consumers saw it: the inspector's raft findings and the planner's dead-since record.
    expect((report.findings ?? []).some((f) => f.id.startsWith('raft.') && f.node === dead.id)).toBe(true);
    expect(await h.store.get('CLUSTER#prod', 'RAFT')).toMatchObject({ data: { peers: { [dead.id]: expect.any(Object) } } });
  });
});
