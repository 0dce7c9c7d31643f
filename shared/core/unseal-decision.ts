import type { CustodyMeta, ShareRecord } from './custody-types.ts';
import type { SealStatus } from './vault-types.ts';

/**
 * The decisions of an unseal, as pure functions: does a node's seal status fit the custody, is
 * an unseal attempt in progress someone else's and abandoned, did our last share move the attempt
 * forward, and which shares to unwrap first. What Vault's answers mean is `unseal-answer.ts`.
 */

/** A seal-status field that does not fit the custody record. Names follow Vault's JSON. */
export interface SealMismatch {
  field: 'initialized' | 'recovery_seal' | 'type' | 'recovery_seal_type' | 't' | 'n';
  expected: string | number | boolean;
  actual: string | number | boolean | null;
}

type SealFacts = Pick<SealStatus, 'type' | 'initialized' | 't' | 'n' | 'recoverySeal'> & Partial<Pick<SealStatus, 'recoverySealType'>>;

/**
 * Every way `seal` differs from what `custody` can unseal; empty when the node fits.
 *
 * Unseal custody fits Shamir seals only (`type: "shamir"`, `recovery_seal: false`). Recovery
 * custody fits auto-unseal seals (`recovery_seal: true`), whatever `type` says: before Vault
 * 1.15.4 / OpenBao 2.4 an initialized auto-unseal node reports the recovery type `shamir` there
 * (`vault/logical_system.go` GetSealStatus @ v1.14.9; hashicorp/vault PR #23022 in 1.16.0);
 * `recovery_seal_type`, when reported, must be `shamir`.
 */
export function compareSealToCustody(custody: Pick<CustodyMeta, 'kind' | 'threshold' | 'shares'>, seal: SealFacts): SealMismatch[] {
  const out: SealMismatch[] = [];
  if (!seal.initialized) out.push({ field: 'initialized', expected: true, actual: seal.initialized });
  const recovery = custody.kind === 'recovery';
  if (seal.recoverySeal !== recovery) out.push({ field: 'recovery_seal', expected: recovery, actual: seal.recoverySeal });
  if (!recovery && seal.type !== 'shamir') out.push({ field: 'type', expected: 'shamir', actual: seal.type });
  if (recovery && seal.recoverySealType !== undefined && seal.recoverySealType !== 'shamir') {
    out.push({ field: 'recovery_seal_type', expected: 'shamir', actual: seal.recoverySealType });
  }
  if (seal.t !== custody.threshold) out.push({ field: 't', expected: custody.threshold, actual: seal.t });
  if (seal.n !== custody.shares) out.push({ field: 'n', expected: custody.shares, actual: seal.n });
  return out;
}

/** `t: expected 3, node reports 2; type: ...` for findings and reports. */
export function describeMismatches(mismatches: readonly SealMismatch[]): string {
  return mismatches.map((m) => `${m.field}: custody needs ${JSON.stringify(m.expected)}, node reports ${JSON.stringify(m.actual)}`).join('; ');
}

/** An unseal attempt as seen once: Vault's nonce and progress, and when we saw it (epoch ms). */
export interface AttemptSighting {
  nonce: string;
  progress: number;
  at: number;
}

export type AttemptAssessment =
  /** No attempt in progress. */
  | { kind: 'none' }
  /** Our own attempt (from this call). */
  | { kind: 'ours' }
  /** Someone else's attempt that moved (or was first seen) recently: leave it alone. */
  | { kind: 'foreign-active' }
  /** Someone else's attempt unchanged since an earlier sighting at least `staleAfterMs` old: reset it. */
  | { kind: 'foreign-stale'; idleMs: number };

/**
 * Whether the attempt a node reports may be reset. A foreign attempt is reset only when it has
 * not moved (same nonce, same progress) since a previous sighting that is at least `staleAfterMs`
 * old, so an operator typing shares by hand is not interrupted.
 */
export function assessAttempt(input: {
  current: Pick<SealStatus, 'nonce' | 'progress'>;
  previous: AttemptSighting | null;
  ours: string | null;
  now: number;
  staleAfterMs: number;
}): AttemptAssessment {
  const { current, previous, ours, now, staleAfterMs } = input;
  if (current.progress <= 0 || current.nonce === '') return { kind: 'none' };
  if (ours !== null && current.nonce === ours) return { kind: 'ours' };
  if (previous && previous.nonce === current.nonce && previous.progress === current.progress) {
    const idleMs = now - previous.at;
    if (idleMs >= staleAfterMs) return { kind: 'foreign-stale', idleMs };
  }
  return { kind: 'foreign-active' };
}

export type SubmitCheck =
  /** `sealed: false`: done. */
  | { kind: 'unsealed' }
  /** Progress moved by exactly one in our attempt. */
  | { kind: 'advanced'; nonce: string; progress: number }
  /** The last share was accepted and Vault cleared the attempt, yet still reports sealed (raft unseals asynchronously). */
  | { kind: 'completing' }
  /** Someone else is unsealing: the nonce changed or progress did not advance by one. */
  | { kind: 'contended'; reason: string };

/**
 * Checks the seal status returned for one submitted share against what our attempt expects.
 * `before` is our attempt before the share (`nonce: null` before the first).
 */
export function checkSubmission(
  before: { nonce: string | null; progress: number },
  after: Pick<SealStatus, 'sealed' | 'nonce' | 'progress'>,
  threshold: number,
): SubmitCheck {
  if (!after.sealed) return { kind: 'unsealed' };
  if (before.progress + 1 === threshold && after.progress === 0 && after.nonce === '') return { kind: 'completing' };
  if (before.nonce !== null && after.nonce !== before.nonce) {
    return { kind: 'contended', reason: 'the unseal attempt nonce changed under us (another party reset or restarted it)' };
  }
  if (after.progress !== before.progress + 1) {
    return {
      kind: 'contended',
      reason: `progress went from ${before.progress} to ${after.progress}, not ${before.progress + 1} (another party is submitting shares)`,
    };
  }
  return { kind: 'advanced', nonce: after.nonce, progress: after.progress };
}

/**
 * Shares in the order to try them: those under wrappers not known to be failing first, then the
 * rest; by share index within each group (stable, so plans are predictable).
 */
export function orderShareCandidates<S extends Pick<ShareRecord, 'index' | 'wrapper'>>(shares: readonly S[], failingWrappers: ReadonlySet<string>): S[] {
  const byIndex = [...shares].sort((a, b) => a.index - b.index);
  return [...byIndex.filter((s) => !failingWrappers.has(s.wrapper)), ...byIndex.filter((s) => failingWrappers.has(s.wrapper))];
}

/** The shares a dry run would unwrap first (the fallbacks are the rest of the order). */
export function planShareUse<S extends Pick<ShareRecord, 'index' | 'wrapper'>>(
  shares: readonly S[],
  threshold: number,
  failingWrappers: ReadonlySet<string>,
): { shareIndexes: number[]; wrappers: string[]; enough: boolean } {
  const chosen = orderShareCandidates(shares, failingWrappers).slice(0, threshold);
  return {
    shareIndexes: chosen.map((s) => s.index),
    wrappers: [...new Set(chosen.map((s) => s.wrapper))],
    enough: chosen.length >= threshold,
  };
}

/** Exponential backoff with a cap: 0-based attempt number → delay in ms. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}
