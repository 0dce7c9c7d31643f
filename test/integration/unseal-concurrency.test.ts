import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';

// Two triggers for one cluster at the same moment (say the schedule and a webhook, on two Lambda
// instances): the cluster lease lets exactly one act; the other reports that it skipped.

const wrapper = randomLocalWrapper('local-a');
let sim: SimulatedCluster;
let h: UnsealHarness;

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 2, unsealed: false });
  h = unsealHarness({ wrappers: [wrapper] });
  await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
});

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

describe('concurrent unseal triggers', () => {
  it('exactly one unseals; the other skips because the lease is held', async () => {
    // Slow answers keep the first holder busy while the second asks for the lease.
    for (const node of sim.nodes) node.setFaults({ latencyMs: 60 });
    const schedule = h.another();
    const webhook = h.another();
    const cluster = sweepClusterOf(sim, 'prod');
    const [a, b] = await Promise.all([schedule.unsealCluster({ cluster, trigger: 'schedule' }), webhook.unsealCluster({ cluster, trigger: 'webhook' })]);
    for (const node of sim.nodes) node.setFaults({});

    const results = [a, b];
    const winner = results.find((r) => r.nodes.every((n) => n.outcome === 'unsealed'));
    const loser = results.find((r) => r.nodes.every((n) => n.outcome === 'lease-held'));
    expect(winner).toBeDefined();
    expect(loser).toBeDefined();
    expect(loser?.ok).toBe(false);
    expect(loser?.nodes[0]?.message).toMatch(/lease cluster\/prod/);
    // Each node got exactly one set of shares.
    expect(sim.nodes.map((n) => keySubmissions(n).length)).toEqual([3, 3]);
    expect(sim.nodes.every((n) => !n.state().sealed)).toBe(true);
    // Skipping is not an attempt: only the winner's two unseals are audited.
    expect((await h.audit.list('prod')).map((e) => e.outcome)).toEqual(['unsealed', 'unsealed']);
  });
});
