import { describe, expect, it } from 'vitest';
import type { NodeUnsealGuard } from '../../../shared/core/custody-types.ts';
import { planRewrap } from '../../../shared/core/plan-custody-rewrap.ts';
import {
  describeCustodyAction,
  planCustodyWrite,
  planTokenOnlyWrite,
  type CustodyWriteIntent,
  type CustodyWriteRead,
} from '../../../shared/core/plan-custody-write.ts';

const empty: CustodyWriteRead = { meta: null, shareIndexes: [], block: null, guards: [] };
const stored = (over: Partial<NonNullable<CustodyWriteRead['meta']>> = {}): CustodyWriteRead => ({
  meta: { generation: 3, kind: 'unseal', threshold: 2, shares: 4, keyCheck: 'kc-old', createdAt: '2026-01-01T00:00:00Z', version: 7, ...over },
  shareIndexes: [1, 2, 3, 4],
  block: null,
  guards: [],
});
const intent = (over: Partial<CustodyWriteIntent> = {}): CustodyWriteIntent => ({
  kind: 'unseal',
  threshold: 2,
  assignment: [
    { index: 1, wrapper: 'aws' },
    { index: 2, wrapper: 'local' },
    { index: 3, wrapper: 'local' },
  ],
  keyCheck: 'kc-new',
  replace: false,
  rekeyed: false,
  ...over,
});
const guard = (nodeId: string, generation: number, blocked: boolean): NodeUnsealGuard => ({
  generation,
  nodeId,
  rejections: blocked ? 2 : 1,
  blocked,
  reason: 'rejected',
  status: 400,
  vaultError: 'x',
  shareIndexes: [1, 2],
  wrappers: ['aws'],
  firstAt: 't',
  lastAt: 't',
});
const steps = (plan: ReturnType<typeof planCustodyWrite>) => (plan.outcome === 'write' ? plan.actions.map(describeCustodyAction) : plan.reason);

describe('planCustodyWrite', () => {
  it('a first custody: every share under its wrapper, the token, then the metadata (absent-conditioned) last', () => {
    const plan = planCustodyWrite(empty, intent({ tokenWrapper: 'local' }));
    expect(steps(plan)).toEqual([
      'write share 1 (generation 1) wrapped by aws',
      'write share 2 (generation 1) wrapped by local',
      'write share 3 (generation 1) wrapped by local',
      'write token root wrapped by local',
      'write metadata generation 1',
    ]);
    expect(plan).toMatchObject({ outcome: 'write', generation: 1, replaces: null, warnings: [] });
    if (plan.outcome === 'write') expect(plan.actions.at(-1)).toMatchObject({ kind: 'write-meta', ifVersion: null });
  });

  it('existing custody without replace is refused, whatever the key', () => {
    for (const keyCheck of ['kc-old', 'kc-new', null]) {
      expect(planCustodyWrite(stored(), intent({ keyCheck }))).toMatchObject({ outcome: 'refused', reason: 'custody-exists', existing: { generation: 3 } });
    }
  });

  it('a replace with the same key: generation + 1, the surplus share deleted, metadata conditioned on the version read', () => {
    const plan = planCustodyWrite(stored(), intent({ keyCheck: 'kc-old', replace: true }));
    expect(steps(plan)).toEqual([
      'write share 1 (generation 4) wrapped by aws',
      'write share 2 (generation 4) wrapped by local',
      'write share 3 (generation 4) wrapped by local',
      'delete share 4',
      'write metadata generation 4 (replaces 3)',
    ]);
    if (plan.outcome === 'write') expect(plan.actions.at(-1)).toMatchObject({ ifVersion: 7, replaces: 3 });
  });

  it('a replace with another key: refused without a rekey, unless Vault rejected the stored custody', () => {
    expect(planCustodyWrite(stored(), intent({ replace: true }))).toMatchObject({ outcome: 'refused', reason: 'shares-differ' });
    // A guard of an older generation does not count; one blocking this generation does.
    const olderGuard = { ...stored(), guards: [guard('v0', 2, true)] };
    expect(planCustodyWrite(olderGuard, intent({ replace: true }))).toMatchObject({ outcome: 'refused', reason: 'shares-differ' });
    const blocked = { ...stored(), guards: [guard('v1', 3, true), guard('v0', 2, true)] };
    const plan = planCustodyWrite(blocked, intent({ replace: true }));
    expect(plan.outcome).toBe('write');
    if (plan.outcome !== 'write') return;
    expect(plan.warnings).toEqual([expect.stringMatching(/which Vault rejected \(blocked for generation 3\): replaced/)]);
    // Every guard read belongs to replaced custody: lifted after the metadata, by node order.
    expect(plan.actions.slice(-3).map(describeCustodyAction)).toEqual([
      'write metadata generation 4 (replaces 3)',
      'delete the unseal guard of node v0 (generation 2)',
      'delete the unseal guard of node v1 (generation 3)',
    ]);
  });

  it('a declared rekey: allowed with another key, a warning with the same key', () => {
    expect(planCustodyWrite(stored(), intent({ replace: true, rekeyed: true }))).toMatchObject({ outcome: 'write', warnings: [] });
    expect(planCustodyWrite(stored(), intent({ replace: true, rekeyed: true, keyCheck: 'kc-old' }))).toMatchObject({
      outcome: 'write',
      warnings: ['a rekey was declared, but these shares rebuild the same key as the custody they replace'],
    });
  });

  it('an unknown key (init before Vault answers) is not compared; the cluster block of the old custody is cleared', () => {
    const read = { ...stored(), block: { generation: 3, at: 't', nodeId: 'v0', vaultError: 'x' } };
    const plan = planCustodyWrite(read, intent({ replace: true, keyCheck: null }));
    expect(steps(plan)).toContain('clear the cluster block of generation 3');
  });

  it('shares left without metadata (an interrupted first write) are overwritten or deleted, no replace needed', () => {
    const plan = planCustodyWrite({ ...empty, shareIndexes: [1, 2, 3, 4, 5] }, intent());
    expect(plan).toMatchObject({ outcome: 'write', generation: 1 });
    if (plan.outcome !== 'write') return;
    expect(plan.actions.filter((a) => a.kind === 'delete-share').map((a) => [a.index, a.reason])).toEqual([
      [4, expect.stringMatching(/interrupted write/)],
      [5, expect.stringMatching(/interrupted write/)],
    ]);
  });

  it('a token alone (PGP init) is one write', () => {
    expect(planTokenOnlyWrite('local').map(describeCustodyAction)).toEqual(['write token root wrapped by local']);
  });
});

describe('planRewrap', () => {
  const shares = [
    { index: 2, wrapper: 'local', keyId: 'k2', version: 4 },
    { index: 1, wrapper: 'aws', keyId: 'k1', version: 2 },
  ];
  const base = { generation: 3, shares, to: 'local', wrapperIds: ['aws', 'local'] };

  it('one action per selected share in index order, conditioned on its version', () => {
    const plan = planRewrap(base);
    expect(plan).toMatchObject({ outcome: 'rewrap', generation: 3 });
    if (plan.outcome !== 'rewrap') return;
    expect(plan.actions.map((a) => [a.index, a.from, a.fromKeyId, a.to, a.ifVersion])).toEqual([
      [1, 'aws', 'k1', 'local', 2],
      [2, 'local', 'k2', 'local', 4],
    ]);
    expect(plan.actions.map((a) => a.reason)).toEqual([expect.stringMatching(/migration/), expect.stringMatching(/rotation/)]);
  });

  it.each([
    ['an unknown target', { to: 'azure' }, { reason: 'unknown-wrapper', wrapper: 'azure' }],
    ['no custody', { generation: null }, { reason: 'no-custody' }],
    ['an index not stored', { indexes: [2, 9] }, { reason: 'unknown-shares', indexes: [9], stored: [1, 2] }],
    ['a source wrapper not configured', { wrapperIds: ['local'] }, { reason: 'unknown-wrapper', wrapper: 'aws' }],
  ])('refuses %s', (_name, over, refusal) => {
    expect(planRewrap({ ...base, ...over })).toEqual({ outcome: 'refused', refusal });
  });
});
