import type { ShareRecord } from '../core/custody-types.ts';
import { deriveKeyCheck, equalBytes } from '../core/share-validation.ts';
import { unwrapShares, zeroShares, type PlainShare, type UnwrapInput, type WrapperFailure } from './unseal-shares.ts';

/** At most this many threshold-sized subsets are combined per check (the first included). */
export const MAX_KEY_CHECK_COMBINATIONS = 200;

export type KeyCheckResult =
  /** `shares` (exactly `threshold`, by index) rebuild the recorded key. */
  | { kind: 'consistent'; shares: PlainShare[]; combinations: number; failures: WrapperFailure[] }
  /** No subset tried rebuilds the recorded key; every plaintext is zeroed. */
  | { kind: 'inconsistent'; tried: number[]; combinations: number; failures: WrapperFailure[] };

export interface KeyCheckInput {
  /** The `threshold` shares unwrapped first. Ownership passes here: what is not returned is zeroed. */
  plain: readonly PlainShare[];
  /** Every share record in custody; the ones not in `plain` are the fallbacks. */
  records: readonly ShareRecord[];
  threshold: number;
  /** The custody meta's `keyCheck`. */
  keyCheck: string;
  /** How to unwrap fallbacks (as for the first shares). */
  unwrap: Omit<UnwrapInput, 'shares' | 'threshold'>;
}

/**
 * Proves, before anything reaches Vault, that the unwrapped shares rebuild the key the custody
 * records. Share records carry no generation, so a replace that failed part-way leaves records of
 * two keys that all decrypt; sent together, Vault would reject them as a wrong key and unsealing
 * would stop. On a mismatch every other share is unwrapped and threshold-sized subsets are tried
 * in lexicographic order of share index (a partial replace writes shares in index order, so the
 * new ones come first), at most {@link MAX_KEY_CHECK_COMBINATIONS} of them.
 */
export async function verifyKeyCheck(input: KeyCheckInput): Promise<KeyCheckResult> {
  const { threshold } = input;
  let pool: PlainShare[] = [...input.plain].sort((a, b) => a.index - b.index);
  let selected: PlainShare[] = [];
  try {
    if (await rebuildsKey(pool, input.keyCheck)) {
      selected = pool;
      return { kind: 'consistent', shares: selected, combinations: 1, failures: [] };
    }
    const first = key(pool);
    const have = new Set(pool.map((s) => s.index));
    const rest = input.records.filter((r) => !have.has(r.index));
    const more = rest.length > 0 ? await unwrapShares({ ...input.unwrap, shares: rest, threshold: rest.length }) : { shares: [], failures: [] };
    pool = [...pool, ...more.shares].sort((a, b) => a.index - b.index);
    let combinations = 1;
    for (const positions of subsets(pool.length, threshold)) {
      if (combinations >= MAX_KEY_CHECK_COMBINATIONS) break;
      const subset = positions.map((p) => pool[p] as PlainShare);
      if (key(subset) === first) continue;
      combinations += 1;
      if (await rebuildsKey(subset, input.keyCheck)) {
        selected = subset;
        return { kind: 'consistent', shares: selected, combinations, failures: more.failures };
      }
    }
    return { kind: 'inconsistent', tried: pool.map((s) => s.index), combinations, failures: more.failures };
  } finally {
    zeroShares(pool.filter((s) => !selected.includes(s)));
  }
}

/** Constant-time comparison of the subset's key check with the recorded one. */
async function rebuildsKey(shares: readonly PlainShare[], expected: string): Promise<boolean> {
  let actual: string;
  try {
    actual = await deriveKeyCheck(shares.map((s) => s.bytes));
  } catch {
    // Shares that cannot be combined at all (a repeated x-coordinate) rebuild no key.
    return false;
  }
  return equalBytes(Buffer.from(actual, 'utf8'), Buffer.from(expected, 'utf8'));
}

const key = (shares: readonly PlainShare[]) => shares.map((s) => s.index).join(',');

/** Every k-subset of 0..n-1 in lexicographic order, lazily (n may be up to 255). */
function* subsets(n: number, k: number): Generator<number[]> {
  if (k < 1 || k > n) return;
  const current = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield [...current];
    let i = k - 1;
    while (i >= 0 && current[i] === n - k + i) i -= 1;
    if (i < 0) return;
    current[i] = (current[i] as number) + 1;
    for (let j = i + 1; j < k; j++) current[j] = (current[j - 1] as number) + 1;
  }
}
