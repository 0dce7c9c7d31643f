import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createSweepService } from '../../shared/app/sweep.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import { startSimulatedCluster, type SimulatedCluster, type VaultProfileName } from '../../shared/simulator/index.ts';
import { decodeShare, keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';

// One share of another cluster mixed into custody: Vault rejects the combination (400 since
// 1.13, 500 before). A rejection blocks the node that gave it; each other node gets at most one
// attempt, and once two distinct nodes have rejected the same custody generation the whole
// cluster is blocked. Blocked nodes are never sent a share again until the custody is replaced;
// their critical findings stand on every sweep so the incident stays open.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** Shares 1, 2 of `a` and, as share 3, a share of `b` whose x coordinate differs from theirs. */
function mixedShares(a: SimulatedCluster, b: SimulatedCluster): string[] {
  const own = a.init?.keys ?? [];
  const xs = new Set(own.slice(0, 2).map((k) => decodeShare(k).at(-1)));
  const foreign = (b.init?.keys ?? []).find((k) => !xs.has(decodeShare(k).at(-1)));
  if (!foreign || own.length !== 5) throw new Error('unexpected init output');
  return [own[0] ?? '', own[1] ?? '', foreign, own[3] ?? '', own[4] ?? ''];
}

async function setup(profile: VaultProfileName) {
  const [a, b] = await Promise.all([
    startSimulatedCluster({ nodes: 3, unsealed: false, profile }),
    startSimulatedCluster({ nodes: 1, unsealed: false, profile }),
  ]);
  open.push(a, b);
  const wrapper = randomLocalWrapper('local-a');
  const h: UnsealHarness = unsealHarness({ wrappers: [wrapper] });
  open.push(h);
  await putCustody({ store: h.store, clusterId: 'prod', shares: mixedShares(a, b), threshold: 3, wrapperFor: wrapper, generation: 1 });
  const cluster = sweepClusterOf(a, 'prod');
  const sweep = createSweepService({
    clusters: [cluster],
    vault: h.vault,
    store: h.store,
    leases: createLeaseManager({ store: h.store, clock: systemClock }),
    clock: systemClock,
    logger: silentLogger,
    concurrency: 4,
    nodeTimeoutMs: 2_000,
    autoUnseal: async () => true,
    execute: h.service.executor,
  });
  return { a, h, wrapper, sweep };
}

const findingsOf = (reports: SweepReport[]) => reports.flatMap((r) => r.clusters.flatMap((c) => c.findings ?? []));
const outcomesOf = (report: SweepReport) => report.clusters.flatMap((c) => c.actions.map((a) => a.outcome));

describe.each<[VaultProfileName, number]>([
  ['vault-1.19', 400],
  ['vault-1.12', 500],
])('wrong key on %s (Vault answers %i)', (profile, status) => {
  it('two nodes get the bad combination once each, then the cluster is blocked until the custody is replaced', async () => {
    const { a, h, wrapper, sweep } = await setup(profile);
    const reports: SweepReport[] = [];
    for (let i = 0; i < 3; i++) reports.push(await sweep.run({ trigger: 'schedule' }));

    // Vault saw the three shares of the bad combination once on each of two nodes, never on the third.
    expect(a.nodes.map((n) => keySubmissions(n).length)).toEqual([3, 3, 0]);
    expect(a.nodes.every((n) => n.state().sealed)).toBe(true);

    // The same standing findings on every sweep: two node blocks and the cluster block.
    for (const report of reports) {
      const critical = findingsOf([report]).filter((f) => f.severity === 'critical');
      expect(new Set(critical.map((f) => `${f.id}@${f.node ?? '-'}`))).toEqual(
        new Set(['unseal.wrong-key@vault-0', 'unseal.wrong-key@vault-1', 'unseal.custody-rejected@-']),
      );
    }
    const wrongKey = findingsOf(reports).find((f) => f.id === 'unseal.wrong-key');
    expect(String(wrongKey?.evidence.vaultError)).toContain('cipher: message authentication failed');
    // ≥1.13 words it as an invalid key (400); ≤1.12 did not (500).
    expect(String(wrongKey?.evidence.vaultError).includes('invalid key')).toBe(status === 400);

    const audit = await h.audit.list('prod');
    expect(audit.map((e) => [e.node, e.outcome]).sort()).toEqual([
      ['vault-0', 'wrong-key'],
      ['vault-1', 'wrong-key'],
    ]);
    expect(audit.every((e) => e.shareIndexes.join() === '1,2,3')).toBe(true);

    expect(outcomesOf(reports[0] as SweepReport)).toEqual(['wrong-key', 'wrong-key', 'blocked']);
    expect(outcomesOf(reports[1] as SweepReport)).toEqual(['blocked', 'blocked', 'blocked']);
    expect(outcomesOf(reports[2] as SweepReport)).toEqual(['blocked', 'blocked', 'blocked']);
    const repo = createCustodyRepository(h.store);
    expect((await repo.block('prod'))?.data).toMatchObject({ generation: 1, nodes: ['vault-0', 'vault-1'], reason: 'wrong-key' });

    // Replacing the custody (a new generation) lifts every block.
    await putCustody({ store: h.store, clusterId: 'prod', shares: a.init?.keys ?? [], threshold: 3, wrapperFor: wrapper, generation: 2 });
    const after = await sweep.run({ trigger: 'schedule' });
    expect(outcomesOf(after)).toEqual(['unsealed', 'unsealed', 'unsealed']);
    expect(a.nodes.every((n) => !n.state().sealed)).toBe(true);
    expect(await repo.block('prod')).toBeNull();
    expect(await repo.guards('prod')).toEqual([]);
  });
});
