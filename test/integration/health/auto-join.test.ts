import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { keySubmissions } from '../../support/custody-fixture.ts';
import { clusterOf, clusterReport, findingKeys, healthHarness, requestsTo, type HealthHarness } from './raft-harness.ts';

// raft.autoJoin: a wiped node (same id and URL, fresh and uninitialized) is joined to the active
// node with the cluster CA and unsealed from custody, in the sweep that finds it.

let sim: SimulatedCluster;
let optedOut: SimulatedCluster;
let h: HealthHarness;

beforeAll(async () => {
  [sim, optedOut] = await Promise.all([startSimulatedCluster({ nodes: 3 }), startSimulatedCluster({ nodes: 3 })]);
  h = await healthHarness({
    clock: systemClock,
    clusters: [clusterOf('prod', [sim], { raft: { autoJoin: true } }), clusterOf('manual', [optedOut])],
    custody: { prod: sim, manual: optedOut },
  });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([sim?.close(), optedOut?.close()]);
});

describe('a wiped node replaced', () => {
  it('is joined and unsealed in one sweep; the cluster is healthy after it', async () => {
    const wiped = sim.nodes.find((n) => n.id !== sim.activeNode()?.id) ?? sim.nodes[2];
    await Promise.all([sim.wipe(wiped?.id ?? ''), optedOut.wipe('vault-2')]);
    for (const s of [sim, optedOut]) for (const n of s.nodes) n.clearRequestLog();
    expect(wiped?.state()).toMatchObject({ initialized: false });

    const report = await h.sweep();
    const prod = clusterReport(report, 'prod');
    expect(wiped?.state()).toMatchObject({ initialized: true, sealed: false, removed: false });
    const joins = requestsTo([sim], 'sys/storage/raft/join');
    expect(joins.map((r) => r.node)).toEqual([wiped?.id]);
    const body = JSON.parse(joins[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({ leader_api_addr: sim.activeNode()?.url, leader_ca_cert: sim.caPem });
    expect(keySubmissions(wiped as never)).toHaveLength(3);
    expect(findingKeys(prod.findings)).toEqual([`raft.node-joined@${wiped?.id}:info`]);
    expect(prod.findings?.[0]?.message).toMatch(/unseal: unsealed/);
    const audit = await h.runtime.audit.list('prod');
    expect(audit.map((e) => [e.action, e.node, e.outcome]).sort()).toEqual(
      [
        ['raft-join', wiped?.id, 'joined'],
        ['unseal', wiped?.id, 'unsealed'],
      ].sort(),
    );
    // The join is an action of the sweep's plan, reported with its reason like an unseal.
    expect(prod.actions).toMatchObject([
      { kind: 'raft-join', nodeId: wiped?.id, outcome: 'joined', reason: expect.stringMatching(/uninitialized .* active node \(raft\.autoJoin\)/) },
    ]);

    // Without autoJoin the wiped node is only reported; initialized nodes are never sent a join.
    const manual = clusterReport(report, 'manual');
    expect(findingKeys(manual.findings)).toEqual(['node.uninitialized@vault-2:warning']);
    expect(requestsTo([optedOut], 'sys/storage/raft/join')).toEqual([]);

    const next = clusterReport(await h.sweep(), 'prod');
    expect(next.nodes.map((n) => n.state).sort()).toEqual(['active', 'standby', 'standby']);
    expect(findingKeys(next.findings)).toEqual([]);
    expect(requestsTo([sim], 'sys/storage/raft/join')).toHaveLength(1);
  });
});
