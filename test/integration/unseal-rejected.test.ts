import { afterEach, describe, expect, it } from 'vitest';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { startSimulatedCluster } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// The guard that needs no error text: a node that answers the threshold-th share with wording no
// Vault version uses (here a 500) and stays sealed with its attempt cleared has rejected the
// shares. It gets one more full threshold, not before the retry time (a sweep interval), then it
// is blocked like a wrong key: `unseal.rejected` (critical), one audit event per attempt, kept in
// state across a restart, lifted by an audited clear-block.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const RETRY_MS = 60_000;

describe('an unclassified rejection of a full threshold', () => {
  it('gets at most two full thresholds, then unseal.rejected blocks the node, across a restart, until cleared', async () => {
    const config = { shares: 3, threshold: 2 };
    const sim = await startSimulatedCluster({ nodes: 1, unsealed: false, init: config, profile: 'vault-1.19' });
    open.push(sim);
    const node = sim.nodes[0]!;
    node.setFaults({ unsealAnswer: { status: 500, errors: ['core: storage is having a bad day (0x2a)'] } });
    const clock = new FakeClock({ start: Date.UTC(2026, 11, 7, 12), autoAdvance: true });
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper], clock, service: { retryAfterMs: RETRY_MS } });
    open.push(h);
    await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 2, wrapperFor: wrapper });
    const cluster = sweepClusterOf(sim, 'prod');
    const run = async (service = h.service) => service.unsealCluster({ cluster, trigger: 'test' });

    // 1st: one full threshold, rejected; a warning names the retry time.
    const first = await run();
    expect(first.nodes.map((n) => n.outcome)).toEqual(['rejected']);
    expect(first.findings).toMatchObject([{ id: 'unseal.rejected', severity: 'warning', evidence: { httpStatus: 500, rejections: 1, blocked: false } }]);
    expect(String(first.findings[0]?.evidence.vaultError)).toBe('core: storage is having a bad day (0x2a)');
    expect(keySubmissions(node)).toHaveLength(2);

    // Again within the retry time: nothing sent, the warning stands.
    const early = await run();
    expect(early.nodes.map((n) => n.outcome)).toEqual(['retry-later']);
    expect(early.findings.map((f) => [f.id, f.severity])).toEqual([['unseal.rejected', 'warning']]);
    expect(keySubmissions(node)).toHaveLength(2);

    // After the retry time: the one more threshold, rejected again: blocked, critical.
    clock.advance(RETRY_MS);
    const second = await run();
    expect(second.nodes.map((n) => n.outcome)).toEqual(['rejected']);
    expect(second.findings).toMatchObject([{ id: 'unseal.rejected', severity: 'critical', evidence: { rejections: 2, blocked: true } }]);
    expect(keySubmissions(node)).toHaveLength(4);

    // A restart (a new service on the same state) finds the block: nothing more is sent.
    clock.advance(10 * RETRY_MS);
    const restarted = unsealHarness({ wrappers: [wrapper], clock, store: h.store, service: { retryAfterMs: RETRY_MS } });
    open.push(restarted);
    const later = await run(restarted.service);
    expect(later.nodes.map((n) => n.outcome)).toEqual(['blocked']);
    expect(later.findings.map((f) => [f.id, f.severity])).toEqual([['unseal.rejected', 'critical']]);
    expect(keySubmissions(node)).toHaveLength(4);
    expect((await createCustodyRepository(h.store).guards('prod')).map((g) => g.data)).toMatchObject([
      { nodeId: node.id, blocked: true, reason: 'rejected', rejections: 2 },
    ]);
    expect((await h.audit.list('prod')).map((e) => e.outcome)).toEqual(['rejected', 'rejected']);

    // The operator fixes the node and lifts the block (audited): the next run unseals.
    node.setFaults({});
    const cleared = await restarted.service.clearBlocks({ clusterId: 'prod', nodeId: node.id, trigger: 'cli' });
    expect(cleared).toEqual({ cluster: 'prod', nodes: [node.id], clusterBlockCleared: false });
    expect((await h.audit.list('prod'))[0]).toMatchObject({ action: 'unseal-clear-block', node: node.id, outcome: 'cleared' });
    expect((await run(restarted.service)).nodes.map((n) => n.outcome)).toEqual(['unsealed']);
    expect(await createCustodyRepository(h.store).guards('prod')).toEqual([]);
  });

  it('a 200 that takes the last share but leaves the node sealed is a rejection too', async () => {
    const sim = await startSimulatedCluster({ nodes: 1, unsealed: false, init: { shares: 3, threshold: 2 }, profile: 'vault-1.14' });
    open.push(sim);
    const node = sim.nodes[0]!;
    // Vault's answer when raft unseals asynchronously: sealed, attempt cleared. Here it never unseals.
    node.setFaults({ unsealAnswer: { status: 200, errors: [] } });
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper], service: { completionWaitMs: 200 } });
    open.push(h);
    await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 2, wrapperFor: wrapper });
    const result = await h.service.unsealCluster({ cluster: sweepClusterOf(sim, 'prod'), trigger: 'test' });
    expect(result.nodes.map((n) => n.outcome)).toEqual(['rejected']);
    expect(keySubmissions(node)).toHaveLength(2);
  });
});
