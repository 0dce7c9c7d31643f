import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { clusterOf, clusterReport, findingKeys, healthHarness, type HealthHarness } from './raft-harness.ts';

// One sweep over several simulated clusters, each broken in its own way; the findings of each
// cluster name exactly its condition. Node findings need no token; `authed` also reads raft.

let sims: Record<'healthy' | 'brainA' | 'brainB' | 'ha' | 'removed' | 'upgrade' | 'notoken', SimulatedCluster>;
let h: HealthHarness;
let report: SweepReport;

beforeAll(async () => {
  const start = (nodeIdPrefix?: string) => startSimulatedCluster({ nodes: 3, ...(nodeIdPrefix ? { nodeIdPrefix } : {}) });
  const [healthy, brainA, brainB, ha, removed, upgrade, notoken] = await Promise.all([start(), start('a-'), start('b-'), start(), start(), start(), start()]);
  sims = { healthy, brainA, brainB, ha, removed, upgrade, notoken } as typeof sims;
  h = await healthHarness({
    clock: systemClock,
    clusters: [
      clusterOf('healthy', [healthy], { auth: { kind: 'token' } }),
      clusterOf('brain', [brainA, brainB]),
      clusterOf('ha', [ha]),
      clusterOf('removed', [removed]),
      clusterOf('upgrade', [upgrade]),
      clusterOf('notoken', [notoken], { auth: { kind: 'token' } }),
    ],
    tokens: { healthy },
  });
  // A standby whose forwarding heartbeats fail (Vault 1.19: 474).
  sims.ha.nodes.find((n) => n.id !== sims.ha.activeNode()?.id)?.setHaUnhealthy(true);
  // A node removed from raft (Vault 1.19 seals it and reports removed_from_cluster).
  const active = sims.removed.activeNode();
  const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
  try {
    await vault.client({ url: active?.url ?? '', caPem: sims.removed.caPem ?? '' }).raftRemovePeer('vault-2', { token: sims.removed.rootToken ?? '' });
  } finally {
    await vault.close();
  }
  // The active node upgraded before its standbys.
  sims.upgrade.activeNode()?.setVersion('1.20.0');
  report = await h.sweep();
});

afterAll(async () => {
  await h?.close();
  await Promise.all(Object.values(sims ?? {}).map((s) => s.close()));
});

const nodeLevel = /^(cluster|node)\./;

describe('cluster findings from one sweep', () => {
  it('a healthy cluster has no node findings; with a token its raft is read (default autopilot config drifts)', () => {
    const c = clusterReport(report, 'healthy');
    expect(findingKeys(c.findings, nodeLevel)).toEqual([]);
    expect(findingKeys(c.findings, /^(raft|sealwatch)\./)).toEqual(['raft.autopilot-config:warning']);
    expect(c.findings?.find((f) => f.id === 'raft.autopilot-config')?.evidence).toMatchObject({
      problems: ['cleanup_dead_servers is off', 'min_quorum is unset'],
      minQuorum: 0,
    });
  });

  it('two raft groups configured as one cluster: split brain with two actives and two cluster ids', () => {
    const c = clusterReport(report, 'brain');
    expect(findingKeys(c.findings, nodeLevel)).toEqual(['cluster.split-brain:critical']);
    const evidence = c.findings?.find((f) => f.id === 'cluster.split-brain')?.evidence;
    expect(evidence?.activeNodes).toEqual([sims.brainA.activeNode()?.id, sims.brainB.activeNode()?.id].sort());
    expect(evidence?.clusterIds).toEqual([sims.brainA.clusterId, sims.brainB.clusterId].sort());
  });

  it('a 474 standby', () => {
    const c = clusterReport(report, 'ha');
    const standby = sims.ha.nodes.find(
      (n) => n.state().active === false && n.id !== sims.ha.activeNode()?.id && c.nodes.find((r) => r.id === n.id)?.httpStatus === 474,
    );
    expect(standby).toBeDefined();
    expect(findingKeys(c.findings, nodeLevel)).toEqual([`node.ha-unhealthy@${standby?.id}:warning`]);
  });

  it('a node removed from raft (1.19)', () => {
    const c = clusterReport(report, 'removed');
    expect(c.nodes.find((n) => n.id === 'vault-2')?.state).toBe('removed');
    expect(findingKeys(c.findings, nodeLevel)).toEqual(['node.removed@vault-2:critical']);
  });

  it('an upgrade-order violation: the active runs a newer version than the standbys', () => {
    const c = clusterReport(report, 'upgrade');
    const active = sims.upgrade.activeNode()?.id;
    expect(findingKeys(c.findings, nodeLevel)).toEqual(['cluster.upgrade-order@' + active + ':warning', 'cluster.version-skew:warning']);
    expect(c.findings?.find((f) => f.id === 'cluster.upgrade-order')?.evidence).toMatchObject({ activeVersion: '1.20.0' });
  });

  it('auth configured but no token in custody: the raft check fails as a finding, node checks still run', () => {
    const c = clusterReport(report, 'notoken');
    expect(findingKeys(c.findings)).toEqual(['sealwatch.inspector-failed:warning']);
    expect(c.findings?.[0]).toMatchObject({ evidence: { inspector: 'raft' } });
    expect(c.findings?.[0]?.message).toMatch(/token set --cluster notoken/);
  });

  it('never carries a token in the report', () => {
    const text = JSON.stringify(report);
    for (const sim of Object.values(sims)) expect(text).not.toContain(sim.rootToken ?? 'no-token');
  });
});
