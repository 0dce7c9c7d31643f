import { createHmac } from 'node:crypto';
import { combine } from 'shamir-secret-sharing';
import { ValidationError } from './errors.ts';

/** Vault's keys are AES-256 keys; a Shamir share adds one trailing x-coordinate byte (Vault `shamir/shamir.go` @ v1.14.9). */
export const KEY_BYTES = 32;
export const SHARE_BYTES = KEY_BYTES + 1;

/** Every threshold-sized subset is combined while there are at most this many of them. */
export const EXHAUSTIVE_SUBSET_LIMIT = 5000;

const KEY_CHECK_DOMAIN = 'sealwatch/custody-key-check/v1';

export interface ShareSetShape {
  shares: number;
  threshold: number;
  /** 33, or 32 for the 1-of-1 form where the "share" is the key itself. */
  shareLength: number;
}

/**
 * Checks the shape of a share set as Vault makes it (`vault/init.go` generateShares and `shamir/shamir.go` @ v1.14.9): 1..255 shares;
 * threshold 1..shares and above 1 when there are several shares; 33-byte shares, or one 32-byte
 * key when shares = 1; distinct non-zero x-coordinates (the last byte). Problems name share
 * indexes (1-based), never bytes.
 *
 * @throws ValidationError listing every problem.
 */
export function validateShares(shares: readonly Uint8Array[], threshold: number): ShareSetShape {
  const problems: string[] = [];
  const n = shares.length;
  if (n < 1 || n > 255) problems.push(`share count: ${n}, expected 1 to 255`);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
    problems.push(`threshold: ${threshold}, expected a whole number from 1 to 255`);
  } else if (threshold > n) {
    problems.push(`threshold ${threshold} is larger than the ${n} shares given: the key could never be rebuilt`);
  } else if (threshold === 1 && n > 1) {
    problems.push(`threshold 1 with ${n} shares: Vault requires a threshold above 1 when there are several shares`);
  }

  const single = n === 1;
  const expected = single ? KEY_BYTES : SHARE_BYTES;
  shares.forEach((share, i) => {
    if (share.length !== expected) {
      const why = single ? 'a single share is the 32-byte key itself' : 'a Shamir share of a 32-byte key is 33 bytes';
      const pgp = share.length > 64 ? '; PGP-encrypted shares cannot be imported' : '';
      problems.push(`share ${i + 1}: ${share.length} bytes, expected ${expected} (${why}${pgp})`);
    }
  });
  const lengths = new Set(shares.map((s) => s.length));
  if (lengths.size > 1) problems.push(`shares have different lengths (${[...lengths].sort((a, b) => a - b).join(', ')} bytes)`);

  if (!single) {
    const firstWithX = new Map<number, number>();
    shares.forEach((share, i) => {
      if (share.length < 2) return;
      const x = share[share.length - 1] as number;
      if (x === 0) problems.push(`share ${i + 1}: x-coordinate (last byte) is 0, which no Shamir split produces`);
      const first = firstWithX.get(x);
      if (first === undefined) firstWithX.set(x, i);
      else {
        problems.push(`shares ${first + 1} and ${i + 1} have the same x-coordinate (last byte): a duplicated share, or shares of different splits`);
      }
    });
  }
  if (problems.length > 0) throw new ValidationError('the key shares are not a valid Vault share set', problems);
  return { shares: n, threshold, shareLength: expected };
}

/** How the threshold subsets were checked. */
export interface ConsistencyReport {
  /** One-way check value of the combined key (see {@link computeKeyCheck}). */
  keyCheck: string;
  subsetsChecked: number;
  /** C(shares, threshold), or null when it exceeds {@link EXHAUSTIVE_SUBSET_LIMIT}. */
  subsetsTotal: number | null;
  exhaustive: boolean;
  /**
   * False when shares = threshold (or 1-of-1): there is only one subset, so a wrong share cannot
   * be told from a right one until Vault rejects the combined key.
   */
  crossChecked: boolean;
}

/**
 * Proves that every threshold-sized subset of the shares rebuilds the same key, and returns the
 * key's check value. Shares are assumed to have passed {@link validateShares}.
 *
 * With at most {@link EXHAUSTIVE_SUBSET_LIMIT} subsets every one is combined. Beyond that a
 * deterministic cover is used: the base subset {1..t}, and for every other share i the base
 * with one of two members replaced by i. This cover is still a complete proof: the base fixes a
 * polynomial P per byte; a subset that swaps in share i rebuilds P(0) exactly when share i lies on
 * P, because its Lagrange weight at 0, the product of x_j / (x_j + x_i) over the other members,
 * is never zero in GF(2^8) (x-coordinates are distinct and non-zero). So all shares lie on one
 * polynomial of degree < t, and any t of them rebuild the same key. Every share takes part in at
 * least two combinations (when t ≥ 2).
 *
 * Every combined key is zeroed after use.
 *
 * @throws ValidationError naming two subsets (by 1-based indexes) that rebuild different keys.
 */
export async function checkShareConsistency(shares: readonly Uint8Array[], threshold: number): Promise<ConsistencyReport> {
  if (shares.length === 1) {
    return { keyCheck: computeKeyCheck(shares[0] as Uint8Array), subsetsChecked: 0, subsetsTotal: 1, exhaustive: true, crossChecked: false };
  }
  const plan = planSubsets(shares.length, threshold);
  const [first, ...rest] = plan.subsets;
  if (first === undefined) throw new Error('no subset planned');
  const views = shares.map(plainView);
  const reference = await combine(first.map((i) => views[i] as Uint8Array));
  try {
    for (const subset of rest) {
      const secret = await combine(subset.map((i) => views[i] as Uint8Array));
      const same = equalBytes(secret, reference);
      secret.fill(0);
      if (!same) {
        throw new ValidationError('the key shares do not all belong to the same key', [
          `shares {${first.map((i) => i + 1).join(',')}} and {${subset.map((i) => i + 1).join(',')}} rebuild different keys: a share is wrong or from another init`,
        ]);
      }
    }
    return {
      keyCheck: computeKeyCheck(reference),
      subsetsChecked: plan.subsets.length,
      subsetsTotal: plan.total,
      exhaustive: plan.exhaustive,
      crossChecked: shares.length > threshold,
    };
  } finally {
    reference.fill(0);
  }
}

/**
 * The key check stored in custody: HMAC-SHA-256 keyed with the combined key over a fixed domain
 * string, hex. One-way, so it reveals nothing about the key, yet any set of shares can be
 * checked against it before Vault ever sees them.
 */
export function computeKeyCheck(key: Uint8Array): string {
  return createHmac('sha256', key).update(KEY_CHECK_DOMAIN).digest('hex');
}

/**
 * The key check of exactly these shares: combined when there are several, the key itself in
 * the 1-of-1 form. For callers that hold t unwrapped shares (unseal) and want to compare them
 * with the stored `keyCheck` before submitting anything. The combined key is zeroed.
 */
export async function deriveKeyCheck(shares: readonly Uint8Array[]): Promise<string> {
  if (shares.length === 1) return computeKeyCheck(shares[0] as Uint8Array);
  const key = await combine(shares.map(plainView));
  try {
    return computeKeyCheck(key);
  } finally {
    key.fill(0);
  }
}

/**
 * The library insists on `constructor === Uint8Array`, which Buffers fail. A view over the same
 * memory satisfies it without making another copy of the plaintext.
 */
function plainView(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Which subsets (0-based share positions) {@link checkShareConsistency} combines. */
export function planSubsets(n: number, t: number): { subsets: number[][]; total: number | null; exhaustive: boolean } {
  const total = binomialUpTo(n, t, EXHAUSTIVE_SUBSET_LIMIT);
  if (total !== null) return { subsets: allSubsets(n, t), total, exhaustive: true };
  const base = Array.from({ length: t }, (_, i) => i);
  const subsets = [base];
  for (let i = t; i < n; i++) {
    for (let r = 0; r < Math.min(2, t); r++) {
      const subset = [...base];
      subset[(i + r) % t] = i;
      subsets.push(subset.sort((a, b) => a - b));
    }
  }
  return { subsets, total: null, exhaustive: false };
}

/** C(n, k), or null once it exceeds `limit`. */
export function binomialUpTo(n: number, k: number, limit: number): number | null {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let value = 1;
  for (let i = 1; i <= m; i++) {
    // Exact at every step: C(n-m+i, i) is an integer.
    value = (value * (n - m + i)) / i;
    if (value > limit) return null;
  }
  return value;
}

function allSubsets(n: number, t: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const walk = (start: number) => {
    if (current.length === t) {
      out.push([...current]);
      return;
    }
    for (let i = start; i <= n - (t - current.length); i++) {
      current.push(i);
      walk(i + 1);
      current.pop();
    }
  };
  walk(0);
  return out;
}

/** Byte equality without an early exit. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
