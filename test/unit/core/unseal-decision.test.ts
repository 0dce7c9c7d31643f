import { describe, expect, it } from 'vitest';
import {
  assessAttempt,
  backoffDelay,
  checkSubmission,
  compareSealToCustody,
  describeMismatches,
  orderShareCandidates,
  planShareUse,
} from '../../../shared/core/unseal-decision.ts';

const shamirSeal = { type: 'shamir', initialized: true, t: 3, n: 5, recoverySeal: false };
const unsealCustody = { kind: 'unseal' as const, threshold: 3, shares: 5 };
const recoveryCustody = { kind: 'recovery' as const, threshold: 3, shares: 5 };

describe('compareSealToCustody', () => {
  it.each([
    ['shamir custody, shamir 3-of-5 node', unsealCustody, shamirSeal, []],
    ['recovery custody, awskms node (≥1.15.4)', recoveryCustody, { ...shamirSeal, type: 'awskms', recoverySeal: true, recoverySealType: 'shamir' }, []],
    ['recovery custody, auto-unseal node reporting type shamir (<1.15.4)', recoveryCustody, { ...shamirSeal, recoverySeal: true }, []],
    ['threshold differs', unsealCustody, { ...shamirSeal, t: 2 }, ['t']],
    ['share count differs', unsealCustody, { ...shamirSeal, n: 7 }, ['n']],
    ['shamir custody, auto-unseal node', unsealCustody, { ...shamirSeal, type: 'awskms', recoverySeal: true }, ['recovery_seal', 'type']],
    ['shamir custody, type reported otherwise', unsealCustody, { ...shamirSeal, type: 'transit' }, ['type']],
    ['recovery custody, shamir node', recoveryCustody, shamirSeal, ['recovery_seal']],
    [
      'recovery custody, odd recovery type',
      recoveryCustody,
      { ...shamirSeal, type: 'awskms', recoverySeal: true, recoverySealType: 'pkcs11' },
      ['recovery_seal_type'],
    ],
    ['uninitialized', unsealCustody, { ...shamirSeal, initialized: false, t: 0, n: 0 }, ['initialized', 't', 'n']],
  ])('%s', (_name, custody, seal, fields) => {
    expect(compareSealToCustody(custody, seal).map((m) => m.field)).toEqual(fields);
  });

  it('names expected and reported values', () => {
    const text = describeMismatches(compareSealToCustody(unsealCustody, { ...shamirSeal, t: 2 }));
    expect(text).toBe('t: custody needs 3, node reports 2');
  });
});

describe('assessAttempt', () => {
  const base = { ours: null, now: 100_000, staleAfterMs: 30_000 };
  it('sees no attempt at progress 0', () => {
    expect(assessAttempt({ ...base, current: { nonce: '', progress: 0 }, previous: null }).kind).toBe('none');
  });
  it('recognises our own nonce', () => {
    expect(assessAttempt({ ...base, ours: 'n1', current: { nonce: 'n1', progress: 2 }, previous: null }).kind).toBe('ours');
  });
  it('leaves a foreign attempt seen for the first time alone', () => {
    expect(assessAttempt({ ...base, current: { nonce: 'x', progress: 1 }, previous: null }).kind).toBe('foreign-active');
  });
  it('leaves a foreign attempt that moved alone', () => {
    const previous = { nonce: 'x', progress: 1, at: 0 };
    expect(assessAttempt({ ...base, current: { nonce: 'x', progress: 2 }, previous }).kind).toBe('foreign-active');
    expect(assessAttempt({ ...base, current: { nonce: 'y', progress: 1 }, previous }).kind).toBe('foreign-active');
  });
  it('resets a foreign attempt unchanged since a sighting old enough', () => {
    const previous = { nonce: 'x', progress: 1, at: 70_000 };
    expect(assessAttempt({ ...base, current: { nonce: 'x', progress: 1 }, previous })).toEqual({ kind: 'foreign-stale', idleMs: 30_000 });
    expect(assessAttempt({ ...base, current: { nonce: 'x', progress: 1 }, previous: { ...previous, at: 70_001 } }).kind).toBe('foreign-active');
  });
});

describe('checkSubmission', () => {
  it('follows our attempt share by share', () => {
    expect(checkSubmission({ nonce: null, progress: 0 }, { sealed: true, nonce: 'a', progress: 1 }, 3)).toEqual({ kind: 'advanced', nonce: 'a', progress: 1 });
    expect(checkSubmission({ nonce: 'a', progress: 1 }, { sealed: true, nonce: 'a', progress: 2 }, 3).kind).toBe('advanced');
    expect(checkSubmission({ nonce: 'a', progress: 2 }, { sealed: false, nonce: '', progress: 0 }, 3).kind).toBe('unsealed');
  });
  it('stops when the nonce changes or progress does not advance by one', () => {
    expect(checkSubmission({ nonce: 'a', progress: 1 }, { sealed: true, nonce: 'b', progress: 2 }, 3).kind).toBe('contended');
    expect(checkSubmission({ nonce: 'a', progress: 1 }, { sealed: true, nonce: 'a', progress: 1 }, 3).kind).toBe('contended');
    expect(checkSubmission({ nonce: null, progress: 0 }, { sealed: true, nonce: 'z', progress: 2 }, 3).kind).toBe('contended');
    expect(checkSubmission({ nonce: 'a', progress: 1 }, { sealed: true, nonce: '', progress: 0 }, 3).kind).toBe('contended');
  });
  it('waits for completion when the last share cleared the attempt but the node is still sealed', () => {
    expect(checkSubmission({ nonce: 'a', progress: 2 }, { sealed: true, nonce: '', progress: 0 }, 3).kind).toBe('completing');
  });
});

describe('share order', () => {
  const shares = [
    { index: 3, wrapper: 'kms' },
    { index: 1, wrapper: 'kms' },
    { index: 2, wrapper: 'azure' },
    { index: 5, wrapper: 'local' },
    { index: 4, wrapper: 'azure' },
  ];
  it('orders by index when every wrapper is healthy', () => {
    expect(orderShareCandidates(shares, new Set()).map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
  });
  it('puts failing wrappers last', () => {
    expect(orderShareCandidates(shares, new Set(['kms'])).map((s) => s.index)).toEqual([2, 4, 5, 1, 3]);
  });
  it('plans the first t shares and says whether there are enough', () => {
    expect(planShareUse(shares, 3, new Set(['azure']))).toEqual({ shareIndexes: [1, 3, 5], wrappers: ['kms', 'local'], enough: true });
    expect(planShareUse(shares.slice(0, 2), 3, new Set()).enough).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, 250, 2000))).toEqual([250, 500, 1000, 2000, 2000]);
  });
});
