import { randomBytes } from 'node:crypto';
import { split } from 'shamir-secret-sharing';
import { describe, expect, it } from 'vitest';
import { MAX_KEY_CHECK_COMBINATIONS, verifyKeyCheck } from '../../../shared/app/unseal-key-check.ts';
import type { PlainShare } from '../../../shared/app/unseal-shares.ts';
import type { ShareRecord } from '../../../shared/core/custody-types.ts';
import { computeKeyCheck } from '../../../shared/core/share-validation.ts';
import type { KeyWrapper } from '../../../shared/ports/key-wrapper.ts';

// verifyKeyCheck with an in-memory wrapper that hands out fresh copies and remembers every one,
// so the test can see which plaintexts were zeroed.

function memoryCustody(shares: readonly Uint8Array[]) {
  const handedOut: { index: number; bytes: Uint8Array }[] = [];
  const unwrapped: number[] = [];
  const wrapper: KeyWrapper = {
    id: 'mem',
    kind: 'local',
    wrap: async () => {
      throw new Error('not used');
    },
    unwrap: async (secret) => {
      const index = Number(secret.ciphertext);
      unwrapped.push(index);
      const bytes = new Uint8Array(shares[index - 1] as Uint8Array);
      handedOut.push({ index, bytes });
      return bytes;
    },
    health: async () => ({ wrapper: 'mem', keyId: 'k', status: 'ok', problems: [], details: {} }),
  };
  const records: ShareRecord[] = shares.map((_, i) => ({ index: i + 1, wrapper: 'mem', keyId: 'k', ciphertext: String(i + 1), wrappedAt: 't' }));
  const unwrap = { clusterId: 'c', kind: 'unseal' as const, shareLength: 33, wrapper: () => wrapper, failing: new Set<string>() };
  /** The first `t` shares "already unwrapped" by the caller, as unseal-node does. */
  const first = async (t: number): Promise<PlainShare[]> =>
    Promise.all(records.slice(0, t).map(async (r) => ({ index: r.index, wrapper: 'mem', bytes: await wrapper.unwrap(r, {}) })));
  return { records, unwrap, first, handedOut, unwrapped };
}

async function splitKey(n: number, t: number): Promise<{ shares: Uint8Array[]; check: string }> {
  const key = new Uint8Array(randomBytes(32));
  const shares = await split(key, n, t);
  const check = computeKeyCheck(key);
  key.fill(0);
  return { shares, check };
}

const zeroed = (bytes: Uint8Array) => bytes.every((b) => b === 0);

describe('verifyKeyCheck', () => {
  it('keeps the first shares without unwrapping more when they rebuild the recorded key', async () => {
    const { shares, check } = await splitKey(5, 3);
    const c = memoryCustody(shares);
    const result = await verifyKeyCheck({ plain: await c.first(3), records: c.records, threshold: 3, keyCheck: check, unwrap: c.unwrap });
    expect(result).toMatchObject({ kind: 'consistent', combinations: 1 });
    expect(c.unwrapped).toEqual([1, 2, 3]);
    expect(c.handedOut.some((h) => zeroed(h.bytes))).toBe(false);
  });

  it('picks the first consistent subset in index order and zeroes every other plaintext', async () => {
    const good = await splitKey(6, 3);
    const other = await splitKey(6, 3);
    // Records 1 and 3 hold another key's shares (an x-coordinate that repeats one of ours cannot even be combined).
    const mixed = good.shares.map((s, i) => (i === 0 || i === 2 ? (other.shares[i] as Uint8Array) : s));
    const c = memoryCustody(mixed);
    const result = await verifyKeyCheck({ plain: await c.first(3), records: c.records, threshold: 3, keyCheck: good.check, unwrap: c.unwrap });
    if (result.kind !== 'consistent') throw new Error(`expected consistent, got ${result.kind}`);
    expect(result.shares.map((s) => s.index)).toEqual([2, 4, 5]);
    expect([...c.unwrapped].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const kept = new Set(result.shares.map((s) => s.bytes));
    for (const h of c.handedOut) expect(zeroed(h.bytes)).toBe(!kept.has(h.bytes));
  });

  it(`stops after ${MAX_KEY_CHECK_COMBINATIONS} combinations, reports what it tried and zeroes everything`, async () => {
    // 12 shares of 6: C(12, 6) = 924 subsets, none rebuilds the recorded key.
    const { shares } = await splitKey(12, 6);
    const c = memoryCustody(shares);
    const result = await verifyKeyCheck({
      plain: await c.first(6),
      records: c.records,
      threshold: 6,
      keyCheck: computeKeyCheck(new Uint8Array(32)),
      unwrap: c.unwrap,
    });
    expect(result).toEqual({ kind: 'inconsistent', tried: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], combinations: MAX_KEY_CHECK_COMBINATIONS, failures: [] });
    expect(c.handedOut).toHaveLength(12);
    expect(c.handedOut.every((h) => zeroed(h.bytes))).toBe(true);
  });

  it('reports shares that could not be unwrapped and judges the rest', async () => {
    const { shares, check } = await splitKey(4, 2);
    const c = memoryCustody(shares);
    const broken = { ...c.unwrap, wrapper: () => undefined };
    const plain = await c.first(2);
    // Shares 1 and 2 are genuine, so no fallback is unwrapped at all.
    expect((await verifyKeyCheck({ plain, records: c.records, threshold: 2, keyCheck: check, unwrap: broken })).kind).toBe('consistent');
    const wrong = await verifyKeyCheck({
      plain: await c.first(2),
      records: c.records,
      threshold: 2,
      keyCheck: computeKeyCheck(new Uint8Array(32)),
      unwrap: broken,
    });
    expect(wrong).toMatchObject({ kind: 'inconsistent', tried: [1, 2], combinations: 1 });
    expect(wrong.failures.map((f) => [f.index, f.code])).toEqual([
      [3, 'wrapper_not_configured'],
      [4, 'wrapper_not_configured'],
    ]);
  });
});
