import { randomBytes } from 'node:crypto';
import { split } from 'shamir-secret-sharing';
import { afterEach, describe, expect, it } from 'vitest';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { deriveKeyCheck } from '../../shared/core/share-validation.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { decodeShare, keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';
import { describeLeaks, scanForLeaks } from '../support/leak-scan.ts';

// A `keys import --replace` that failed part-way leaves share records of two keys under one meta
// record; they all decrypt (the wrap context has no generation). The custody key check must keep
// a mixed set from ever reaching Vault: unseal with a consistent subset when there is one, send
// nothing otherwise, and never write UNSEAL_BLOCK (Vault never saw a wrong key).

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** Shares of another split of another secret (`n` of `t`), none with an x-coordinate in `avoid`. */
async function foreignShares(n: number, t: number, avoid: readonly string[]): Promise<string[]> {
  const taken = new Set(avoid.map((k) => decodeShare(k).at(-1)));
  for (;;) {
    const secret = new Uint8Array(randomBytes(32));
    const shares = await split(secret, n, t);
    secret.fill(0);
    if (shares.every((s) => !taken.has(s.at(-1)))) return shares.map((s) => Buffer.from(s).toString('hex'));
  }
}

const genuineCheck = async (keys: readonly string[], t: number) => deriveKeyCheck(keys.slice(0, t).map((k) => new Uint8Array(decodeShare(k))));

/** Whether a `sys/unseal` request body carries this share (the client sends hex; base64 checked too). */
const carries = (body: string, share: string) => {
  const bytes = decodeShare(share);
  return body.toLowerCase().includes(bytes.toString('hex')) || body.includes(bytes.toString('base64'));
};

describe('custody key check before any share is sent', () => {
  it('unseals with a consistent subset when one record is stale, never sending the stale share', async () => {
    const sim: SimulatedCluster = await startSimulatedCluster({ nodes: 1, unsealed: false });
    open.push(sim);
    const keys = sim.init?.keys ?? [];
    expect(keys).toHaveLength(5);
    const [bad] = await foreignShares(5, 3, keys);
    if (!bad) throw new Error('no foreign share');
    const stored = [keys[0] ?? '', bad, keys[2] ?? '', keys[3] ?? '', keys[4] ?? ''];
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper] });
    open.push(h);
    // The meta records the genuine key; share record 2 is the odd one out.
    await putCustody({
      store: h.store,
      clusterId: 'prod',
      shares: stored,
      threshold: 3,
      wrapperFor: wrapper,
      generation: 2,
      keyCheck: await genuineCheck(keys, 3),
    });

    const node = sim.nodes[0];
    if (!node) throw new Error('no node');
    const result = await h.service.unsealNode({ cluster: sweepClusterOf(sim, 'prod'), nodeId: node.id, trigger: 'test' });

    expect(result.outcome).toBe('unsealed');
    expect(node.state().sealed).toBe(false);
    // Record 2 takes part in the first subsets tried; the first one without it is {1, 3, 4}.
    expect(result.shareIndexes).toEqual([1, 3, 4]);
    const submissions = keySubmissions(node);
    expect(submissions).toHaveLength(3);
    expect(submissions.some((body) => carries(body, bad))).toBe(false);
    expect([0, 2, 3].map((i) => submissions.filter((body) => carries(body, keys[i] ?? '')).length)).toEqual([1, 1, 1]);
    expect(result.findings).toEqual([]);
    expect((await h.audit.list('prod')).map((e) => [e.outcome, e.shareIndexes])).toEqual([['unsealed', [1, 3, 4]]]);
    expect(await createCustodyRepository(h.store).block('prod')).toBeNull();
  });

  it('sends nothing, raises one critical finding and no UNSEAL_BLOCK when no subset rebuilds the key', async () => {
    const sim: SimulatedCluster = await startSimulatedCluster({ nodes: 3, unsealed: false, init: { shares: 3, threshold: 3 } });
    open.push(sim);
    const keys = sim.init?.keys ?? [];
    expect(keys).toHaveLength(3);
    const foreign = await foreignShares(3, 3, keys);
    // Records 1 and 3 are from another split: a replace that stopped after share 2 of a 3-of-3.
    const stored = [foreign[0] ?? '', keys[1] ?? '', foreign[2] ?? ''];
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper] });
    open.push(h);
    await putCustody({
      store: h.store,
      clusterId: 'prod',
      shares: stored,
      threshold: 3,
      wrapperFor: wrapper,
      generation: 2,
      keyCheck: await genuineCheck(keys, 3),
    });
    const cluster = sweepClusterOf(sim, 'prod');

    const result = await h.service.unsealCluster({ cluster, trigger: 'test' });

    expect(result.ok).toBe(false);
    // The first node finds it; the others are skipped for the rest of the run, not retried.
    expect(result.nodes.map((n) => n.outcome)).toEqual(['custody-inconsistent', 'custody-inconsistent', 'custody-inconsistent']);
    expect(result.nodes.map((n) => n.findings.length)).toEqual([1, 0, 0]);
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding).toMatchObject({ id: 'unseal.custody-inconsistent', severity: 'critical', cluster: 'prod', node: sim.nodes[0]?.id });
    expect(finding?.evidence).toMatchObject({ shareIndexes: [1, 2, 3], custodyGeneration: 2, combinations: 1 });
    expect(finding?.message).toContain('keys import --replace');
    expect(result.nodes[0]?.shareIndexes).toEqual([]);

    for (const node of sim.nodes) {
      expect(keySubmissions(node)).toEqual([]);
      expect(node.state().sealed).toBe(true);
    }
    expect(await createCustodyRepository(h.store).block('prod')).toBeNull();
    expect((await h.audit.list('prod')).map((e) => [e.node, e.outcome, e.shareIndexes])).toEqual([[sim.nodes[0]?.id, 'custody-inconsistent', []]]);

    // Nothing it produced names a share, of either split.
    const secrets = [...keys, ...foreign].map((k, i) => ({ label: `share ${i}`, value: decodeShare(k) }));
    const leaks = scanForLeaks(secrets, [{ source: 'result', text: JSON.stringify(result) }, ...h.logs.map((text, i) => ({ source: `log ${i + 1}`, text }))]);
    expect(leaks, describeLeaks(leaks)).toEqual([]);

    // Not a block: once the custody is re-imported whole, the next run unseals.
    await putCustody({ store: h.store, clusterId: 'prod', shares: keys, threshold: 3, wrapperFor: wrapper, generation: 3 });
    const after = await h.service.unsealCluster({ cluster, trigger: 'test' });
    expect(after.nodes.map((n) => n.outcome)).toEqual(['unsealed', 'unsealed', 'unsealed']);
    expect(sim.nodes.every((n) => !n.state().sealed)).toBe(true);
  });
});
