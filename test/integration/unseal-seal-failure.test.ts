import { afterEach, describe, expect, it } from 'vitest';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { startSimulatedCluster, type VaultProfileName } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// An auto-unseal node whose own KMS fails answers the right recovery shares with `failed to
// decrypt encrypted stored keys: <cause>` — even when the cause reads `message authentication
// failed`. That is the node's seal, not the custody: a seal finding, no block, and the same
// custody unseals the node once the KMS is back.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

describe.each<VaultProfileName>(['vault-1.12', 'vault-1.19'])('KMS failure on %s', (profile) => {
  it('is reported as a seal problem, custody is not blocked, and the node unseals when the KMS returns', async () => {
    const config = { shares: 3, threshold: 2 };
    const sim = await startSimulatedCluster({ nodes: 1, profile, sealType: 'awskms', init: config, kmsFailureCause: 'cipher: message authentication failed' });
    open.push(sim);
    const node = sim.nodes[0]!;
    node.seal();
    sim.setKmsAvailable(false);
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper] });
    open.push(h);
    await putCustody({ store: h.store, clusterId: 'prod', kind: 'recovery', shares: sim.init?.recoveryKeys ?? [], threshold: 2, wrapperFor: wrapper });
    const cluster = sweepClusterOf(sim, 'prod');

    const first = await h.service.unsealCluster({ cluster, trigger: 'test' });
    expect(first.nodes.map((n) => n.outcome)).toEqual(['seal-failure']);
    expect(first.findings.map((f) => f.id)).toEqual(['unseal.seal-failure']);
    const finding = first.findings[0]!;
    expect(finding.message).toMatch(/its (awskms|auto-unseal) seal/);
    expect(String(finding.evidence.vaultError)).toContain('failed to decrypt encrypted stored keys');
    // One threshold in the run: a full threshold reached Vault, no in-run retry.
    expect(keySubmissions(node)).toHaveLength(2);

    const repo = createCustodyRepository(h.store);
    expect(await repo.block('prod')).toBeNull();
    expect(await repo.guards('prod')).toEqual([]);
    expect((await h.audit.list('prod')).map((e) => e.outcome)).toEqual(['seal-failure']);

    sim.setKmsAvailable(true);
    const second = await h.service.unsealCluster({ cluster, trigger: 'test' });
    expect(second.nodes.map((n) => n.outcome)).toEqual(['unsealed']);
    expect(node.state().sealed).toBe(false);
  });
});
