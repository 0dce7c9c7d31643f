import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raftStateKey } from '../../../shared/app/raft-state.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { clusterOf, clusterReport, findingKeys, healthHarness, requestsTo, type HealthHarness } from './raft-harness.ts';

// Raft findings and dead-peer removal on 5-node simulated raft clusters, read with the control
// token from custody. Time for `removeDeadPeers.after` is a fake clock; Vault is real HTTP.

const HOUR = 3_600_000;
const raftSettings = { auth: { kind: 'token' as const }, raft: { autoJoin: false, removeDeadPeers: { after: HOUR, minQuorum: 3 } } };

function nonActive(sim: SimulatedCluster, count: number): string[] {
  const active = sim.activeNode()?.id;
  return sim.nodes
    .filter((n) => n.id !== active)
    .slice(-count)
    .map((n) => n.id);
}

describe('a peer dead longer than removeDeadPeers.after', () => {
  let sim: SimulatedCluster;
  let h: HealthHarness;
  const clock = new FakeClock({ autoAdvance: true });
  let dead: string;

  beforeAll(async () => {
    // The simulated leader measures silence on the sweep's clock.
    sim = await startSimulatedCluster({ nodes: 5, now: () => clock.now() });
    h = await healthHarness({ clusters: [clusterOf('five', [sim], raftSettings)], tokens: { five: sim }, clock });
    dead = nonActive(sim, 1)[0] as string;
    await sim.kill(dead);
    // Vault still says node_status "alive" for a silent follower; it is down once out of contact (> 10 s).
    clock.advance(60_000);
  });
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('is reported, remembered, and left alone before `after`', async () => {
    const report = clusterReport(await h.sweep(), 'five');
    expect(findingKeys(report.findings, /^raft\./)).toEqual(
      [`raft.dead-peer@${dead}:warning`, 'raft.autopilot-unhealthy:warning', 'raft.failure-tolerance:warning', 'raft.autopilot-config:warning'].sort(),
    );
    expect(requestsTo([sim], 'sys/storage/raft/remove-peer')).toEqual([]);
    const item = await h.store.get<{ peers: Record<string, { deadSince: number }> }>(raftStateKey('five').pk, 'RAFT');
    expect(item?.data.peers).toEqual({ [dead]: { deadSince: expect.any(Number) } });

    // Nothing changed: the raft record is not written again.
    await h.sweep();
    expect((await h.store.get(raftStateKey('five').pk, 'RAFT'))?.version).toBe(item?.version);
  });

  it('is removed exactly once after `after`, with an audit event', async () => {
    clock.advance(HOUR + 60_000);
    const report = clusterReport(await h.sweep(), 'five');
    const removals = requestsTo([sim], 'sys/storage/raft/remove-peer');
    expect(removals).toHaveLength(1);
    expect(JSON.parse(removals[0]?.body ?? '{}')).toEqual({ server_id: dead });
    expect(removals[0]?.token).toBe(true);
    expect(findingKeys(report.findings, /^raft\.peer-removed/)).toEqual([`raft.peer-removed@${dead}:info`]);
    // A plan action of the sweep, with its reason, like an unseal or a join.
    expect(report.actions).toMatchObject([
      {
        kind: 'raft-remove-peer',
        nodeId: dead,
        outcome: 'removed',
        reason: expect.stringMatching(/^dead raft peer \(raft\.removeDeadPeers\): dead for \d+ s/),
      },
    ]);
    const audit = await h.runtime.audit.list('five');
    expect(audit.filter((e) => e.action === 'raft-remove-peer')).toMatchObject([{ node: dead, outcome: 'removed', trigger: 'test' }]);

    // The next sweep sees four healthy voters and removes nothing more.
    clock.advance(HOUR);
    const after = clusterReport(await h.sweep(), 'five');
    expect(requestsTo([sim], 'sys/storage/raft/remove-peer')).toHaveLength(1);
    expect(findingKeys(after.findings, /^raft\./)).toEqual([`raft.missing-member@${dead}:warning`, 'raft.autopilot-config:warning'].sort());
  });
});

describe('a 5-node raft cluster with two nodes killed', () => {
  let sim: SimulatedCluster;
  let h: HealthHarness;
  const clock = new FakeClock({ autoAdvance: true });
  let dead: string[];

  beforeAll(async () => {
    sim = await startSimulatedCluster({ nodes: 5, now: () => clock.now() });
    h = await healthHarness({ clusters: [clusterOf('five', [sim], raftSettings)], tokens: { five: sim }, clock });
    dead = nonActive(sim, 2);
    for (const id of dead) await sim.kill(id);
    clock.advance(60_000);
  });
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('reports failure tolerance 0 as critical and removes nothing while quorum is at stake', async () => {
    const first = clusterReport(await h.sweep(), 'five');
    expect(findingKeys(first.findings, /^raft\.(failure-tolerance|dead-peer)/)).toEqual(
      ['raft.failure-tolerance:critical', ...dead.map((id) => `raft.dead-peer@${id}:warning`)].sort(),
    );
    expect(first.findings?.find((f) => f.id === 'raft.failure-tolerance')?.evidence).toMatchObject({ failureTolerance: 0, voters: 5, expected: 2 });

    clock.advance(3 * HOUR);
    const later = clusterReport(await h.sweep(), 'five');
    expect(requestsTo([sim], 'sys/storage/raft/remove-peer')).toEqual([]);
    expect(later.findings?.find((f) => f.id === 'raft.removal-held')?.message).toMatch(/quorum at stake/);
    expect(sim.nodes.filter((n) => !dead.includes(n.id)).every((n) => !n.state().sealed)).toBe(true);
  });
});
