import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createRecoveryService } from '../../shared/app/recovery.ts';
import { createSweepService, type ActionExecutor } from '../../shared/app/sweep.ts';
import type { LeaseManager } from '../../shared/ports/lease.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { startSimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// Leases belong to operations, not processes: two recoveries of one cluster started at once in
// the same process must not both act (before, both "held" the lease and the node got every share
// twice). And an attempt left half-done by a dead sealwatch operation is reset by the next one
// at once, not after the 30 s a stranger's attempt is given.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** One sealed node whose shares are in custody, and the unseal service over them. */
async function sealedNodeInCustody() {
  const sim = await startSimulatedCluster({ nodes: 1, unsealed: false });
  open.push(sim);
  const wrapper = randomLocalWrapper('local-a');
  const h = unsealHarness({ wrappers: [wrapper] });
  open.push(h);
  await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
  const cluster = sweepClusterOf(sim, 'prod');
  /** The sweep service over that cluster with these leases (and the unseal executor, when given). */
  const sweepWith = (leases: LeaseManager, execute?: ActionExecutor) =>
    createSweepService({
      clusters: [cluster],
      vault: h.vault,
      store: h.store,
      leases,
      clock: systemClock,
      logger: silentLogger,
      concurrency: 4,
      nodeTimeoutMs: 2_000,
      ...(execute ? { execute } : {}),
    });
  return { sim, h, node: sim.nodes[0]!, cluster, sweepWith };
}

describe('operations and leases', () => {
  it('two concurrent recover requests in one process: exactly one acts, the other reports the lease as held', async () => {
    const { sim, h, cluster, sweepWith } = await sealedNodeInCustody();
    // Vault answers slowly, so the two requests overlap for certain.
    sim.nodes[0]!.setFaults({ latencyMs: 40 });
    const sweep = sweepWith(createLeaseManager({ store: h.store, clock: systemClock }));
    const recovery = createRecoveryService({ clusters: [cluster], sweep, unseal: h.service });

    const [a, b] = await Promise.all([
      recovery.run({ clusterId: 'prod', action: 'unseal', trigger: 'api' }),
      recovery.run({ clusterId: 'prod', action: 'unseal', trigger: 'api' }),
    ]);
    const outcomes = [a, b].map((r) => r.unseal?.nodes[0]?.outcome).sort();
    expect(outcomes).toEqual(['lease-held', 'unsealed']);
    expect(keySubmissions(sim.nodes[0]!)).toHaveLength(3);
  });

  it('two concurrent whole-cluster recovers (one plan, one apply each): exactly one acts, the other reports the lease as held', async () => {
    const { sim, h, cluster, sweepWith } = await sealedNodeInCustody();
    sim.nodes[0]!.setFaults({ latencyMs: 40 });
    // Every lease asked for, by scope: a recover takes one, for its whole plan.
    const asked: string[] = [];
    const base = createLeaseManager({ store: h.store, clock: systemClock });
    const leases = {
      acquire: (scope: string, ttlMs: number) => (asked.push(scope), base.acquire(scope, ttlMs)),
      renew: base.renew.bind(base),
      release: base.release.bind(base),
    };
    const sweep = sweepWith(leases, h.service.executor);
    const recovery = createRecoveryService({ clusters: [cluster], sweep, unseal: h.service });
    sim.nodes[0]!.clearRequestLog();

    const results = await Promise.all([
      recovery.run({ clusterId: 'prod', action: 'recover', trigger: 'api' }),
      recovery.run({ clusterId: 'prod', action: 'recover', trigger: 'api' }),
    ]);
    const acted = results.filter((r) => (r.steps ?? []).length > 0);
    const held = results.filter((r) => r.sweep?.skipped === 'lease-held');
    expect(acted.map((r) => r.steps?.map((s) => [s.kind, s.outcome]))).toEqual([[['unseal', 'unsealed']]]);
    expect(held).toHaveLength(1);
    expect(held[0]?.steps).toEqual([]);
    expect(asked).toEqual(['cluster/prod', 'cluster/prod']);
    // The simulator saw one threshold of shares, from one operation.
    expect(keySubmissions(sim.nodes[0]!)).toHaveLength(3);
  });

  it('an attempt a dead operation left half-done is reset and completed by the next operation at once', async () => {
    const { node, h, cluster } = await sealedNodeInCustody();
    // The first operation dies after its second share: its deadline fires while Vault is slow.
    node.setFaults({ latencyMs: 150 });
    const dying = await h.service.unsealCluster({ cluster, trigger: 'test', signal: AbortSignal.timeout(380) });
    expect(node.state()).toMatchObject({ sealed: true });
    expect(node.state().progress).toBeGreaterThan(0);
    expect(dying.nodes[0]?.outcome).not.toBe('unsealed');
    node.setFaults({});
    const started = Date.now();
    const next = await h.service.unsealCluster({ cluster, trigger: 'test' });
    expect(next.nodes[0]?.outcome).toBe('unsealed');
    expect(Date.now() - started).toBeLessThan(5_000);
    const audit = await h.audit.list('prod');
    // Both operations are in the trail; the dead one's attempt was audited before its first share.
    expect(audit.map((e) => e.outcome)).toContain('unsealed');
    expect(audit).toHaveLength(2);
  });
});
