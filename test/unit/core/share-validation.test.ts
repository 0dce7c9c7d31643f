import { createHmac, randomBytes } from 'node:crypto';
import { split } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import {
  binomialUpTo,
  checkShareConsistency,
  computeKeyCheck,
  deriveKeyCheck,
  EXHAUSTIVE_SUBSET_LIMIT,
  planSubsets,
} from '../../../shared/core/share-validation.ts';
import { ValidationError } from '../../../shared/errors.ts';

const secret = () => Uint8Array.from(randomBytes(32));

/** C(n, k) by BigInt factorials: an independent reference for the capped binomial. */
function choose(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

async function rejectionOf(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('key check', () => {
  it('is HMAC-SHA-256 keyed with the key over the documented domain, and never contains the key', () => {
    const key = secret();
    const expected = createHmac('sha256', key).update('sealwatch/custody-key-check/v1').digest('hex');
    const check = computeKeyCheck(key);
    expect(check).toBe(expected);
    expect(check).not.toContain(Buffer.from(key).toString('hex').slice(0, 16));
  });

  it('deriveKeyCheck of any threshold subset equals the check of the split secret', async () => {
    const key = secret();
    const shares = await split(key, 5, 3);
    const want = computeKeyCheck(key);
    expect(await deriveKeyCheck([shares[0]!, shares[2]!, shares[4]!])).toBe(want);
    expect(await deriveKeyCheck([shares[3]!, shares[1]!, shares[0]!])).toBe(want);
    // Buffers work too (the library itself refuses them).
    expect(await deriveKeyCheck(shares.slice(1, 4).map((s) => Buffer.from(s)))).toBe(want);
    // A 1-of-1 "share" is the key itself.
    expect(await deriveKeyCheck([key])).toBe(want);
  });
});

describe('binomialUpTo and planSubsets', () => {
  it.each([
    [5, 3],
    [10, 5],
    [13, 6],
    [14, 7],
    [16, 8],
    [20, 3],
    [30, 4],
    [255, 2],
    [255, 254],
  ])('C(%i, %i) against BigInt factorials, capped at the limit', (n, k) => {
    const exact = choose(n, k);
    const got = binomialUpTo(n, k, EXHAUSTIVE_SUBSET_LIMIT);
    expect(got).toBe(exact > BigInt(EXHAUSTIVE_SUBSET_LIMIT) ? null : Number(exact));
  });

  it('plans every subset, each once, while there are at most 5000', () => {
    const plan = planSubsets(13, 6); // C(13,6) = 1716
    expect(plan.exhaustive).toBe(true);
    expect(plan.subsets).toHaveLength(1716);
    expect(new Set(plan.subsets.map((s) => s.join(','))).size).toBe(1716);
    expect(plan.subsets.every((s) => s.length === 6 && new Set(s).size === 6)).toBe(true);
  });

  it('beyond 5000 plans a cover where every share takes part at least twice', () => {
    const plan = planSubsets(16, 8); // C(16,8) = 12870
    expect(plan.exhaustive).toBe(false);
    expect(plan.subsets.length).toBeLessThanOrEqual(1 + 2 * (16 - 8));
    const uses = new Array(16).fill(0);
    for (const s of plan.subsets) {
      expect(new Set(s).size).toBe(8);
      for (const i of s) uses[i]++;
    }
    expect(Math.min(...uses)).toBeGreaterThanOrEqual(2);
  });
});

describe('checkShareConsistency', () => {
  it('combines all 10 subsets of a 3-of-5 split and returns the key check', async () => {
    const key = secret();
    const report = await checkShareConsistency(await split(key, 5, 3), 3);
    expect(report).toEqual({ keyCheck: computeKeyCheck(key), subsetsChecked: 10, subsetsTotal: 10, exhaustive: true, crossChecked: true });
  });

  it('says when threshold = shares leaves nothing to cross-check', async () => {
    const report = await checkShareConsistency(await split(secret(), 3, 3), 3);
    expect(report.subsetsChecked).toBe(1);
    expect(report.crossChecked).toBe(false);
  });

  it('1-of-1: the key check of the key, nothing combined', async () => {
    const key = secret();
    expect(await checkShareConsistency([key], 1)).toMatchObject({ keyCheck: computeKeyCheck(key), subsetsChecked: 0, crossChecked: false });
  });

  it.each([0, 1, 2, 3, 4])('finds a corrupted share %i of a 3-of-5 split, naming subsets but no bytes', async (bad) => {
    const shares = await split(secret(), 5, 3);
    shares[bad]![7] = shares[bad]![7]! ^ 0x01;
    const error = await rejectionOf(checkShareConsistency(shares, 3));
    expect(error.problems.join('\n')).toMatch(/shares \{[\d,]+\} and \{[\d,]+\} rebuild different keys/);
    for (const s of shares) expect(error.problems.join('\n')).not.toContain(Buffer.from(s).toString('hex').slice(0, 20));
  });

  it('finds a share of another split (distinct x-coordinate)', async () => {
    const ours = await split(secret(), 4, 2);
    const theirs = await split(secret(), 6, 2);
    const usedX = new Set(ours.map((s) => s[32]));
    const foreign = theirs.find((s) => !usedX.has(s[32]));
    expect(foreign).toBeDefined();
    ours[2] = foreign!;
    await rejectionOf(checkShareConsistency(ours, 2));
  });

  it.each([0, 5, 8, 12, 15])('the cover still finds a corrupted share %i when there are too many subsets (8 of 16)', async (bad) => {
    const shares = await split(secret(), 16, 8);
    const intact = await checkShareConsistency(shares, 8);
    expect(intact.exhaustive).toBe(false);
    shares[bad]![3] = shares[bad]![3]! ^ 0x80;
    await rejectionOf(checkShareConsistency(shares, 8));
  });
});
