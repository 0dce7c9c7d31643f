import type { CustodyMeta } from '../core/custody-types.ts';
import { classifyUnsealAnswer, type UnsealAnswerKind } from '../core/unseal-answer.ts';
import { checkSubmission, compareSealToCustody, type SealMismatch } from '../core/unseal-decision.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError, VaultApiError, VaultUnreachableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { VaultClient } from '../ports/vault-client.ts';
import type { PlainShare } from './unseal-shares.ts';

/** How submitting the shares to one node ended. `submitted` lists the share indexes Vault was sent. */
export type SubmitResult =
  | { kind: 'unsealed'; submitted: number[] }
  /** Vault answered a share with an error that says what it is (wrong key, seal failure, ...). */
  | { kind: 'vault-error'; answer: Exclude<UnsealAnswerKind, 'unclassified'>; vaultError: string; status: number; submitted: number[] }
  /**
   * The full threshold was submitted and the node, still sealed, reports no attempt in progress:
   * Vault discarded the shares without an answer we can classify (or with a 200 and no unseal).
   */
  | { kind: 'rejected'; vaultError: string; status: number | null; submitted: number[] }
  | { kind: 'contended'; reason: string; submitted: number[] }
  /** An answer mid-attempt no longer fits the custody (t, n, seal type): stopped before the next share. */
  | { kind: 'custody-changed'; mismatches: SealMismatch[]; submitted: number[] }
  | { kind: 'tls'; reason: string; submitted: number[] }
  /**
   * `uncertain`: the threshold-th share went out and neither its answer nor the node's state says
   * whether Vault combined it; the caller must not send another threshold in this run.
   */
  | { kind: 'unreachable'; reason: string; submitted: number[]; uncertain?: boolean };

export interface SubmitOptions {
  client: VaultClient;
  shares: readonly PlainShare[];
  meta: Pick<CustodyMeta, 'kind' | 'threshold' | 'shares'>;
  clock: Clock;
  /** A fresh deadline signal per call. */
  callSignal: () => AbortSignal;
  /** Called with the attempt nonce as soon as Vault assigns it (so a retry knows it is ours). */
  onNonce: (nonce: string) => void;
  /** How long to wait for an asynchronous unseal after the last share (raft nodes). */
  completionWaitMs: number;
  /** Every known secret of the cluster, cut out of whatever the node answers. */
  redact: readonly string[];
}

/**
 * Submits shares one by one. After each answer: did the attempt advance by exactly one under our
 * nonce (else someone else is unsealing and we stop), and does the node still fit the custody
 * (else we stop before the next share). Shares travel as hex; the strings made for the request
 * cannot be zeroed (JS strings are immutable) and are left to the garbage collector, the byte
 * arrays are zeroed by the caller.
 */
export async function submitShares(options: SubmitOptions): Promise<SubmitResult> {
  const { client, shares, meta } = options;
  const threshold = meta.threshold;
  const submitted: number[] = [];
  let before: { nonce: string | null; progress: number } = { nonce: null, progress: 0 };
  for (const share of shares.slice(0, threshold)) {
    const last = submitted.length + 1 === threshold;
    let status: SealStatus;
    try {
      const key = Buffer.from(share.bytes.buffer, share.bytes.byteOffset, share.bytes.length).toString('hex');
      status = await client.unseal({ key }, { signal: options.callSignal(), redact: options.redact });
    } catch (error) {
      submitted.push(share.index);
      return last ? settleFailure(options, error, submitted) : failure(error, submitted, false);
    }
    submitted.push(share.index);
    const check = checkSubmission(before, status, threshold);
    if (check.kind === 'unsealed') return { kind: 'unsealed', submitted };
    const mismatches = compareSealToCustody(meta, status);
    if (mismatches.length > 0) return { kind: 'custody-changed', mismatches, submitted };
    switch (check.kind) {
      case 'contended':
        return { kind: 'contended', reason: check.reason, submitted };
      case 'completing':
        // Vault took the last share and cleared the attempt: raft nodes unseal asynchronously.
        return (await waitUnsealed(options))
          ? { kind: 'unsealed', submitted }
          : { kind: 'rejected', status: 200, vaultError: 'Vault accepted the last share but the node stayed sealed', submitted };
      case 'advanced':
        if (before.nonce === null) options.onNonce(check.nonce);
        before = { nonce: check.nonce, progress: check.progress };
        break;
    }
  }
  return { kind: 'unreachable', reason: `fewer than ${threshold} shares to submit`, submitted };
}

function failure(error: unknown, submitted: number[], thresholdReached: boolean): SubmitResult {
  if (error instanceof VaultApiError) {
    const answer = classifyUnsealAnswer(error.status, error.errors, thresholdReached);
    const vaultError = error.errors.join('; ') || `status ${error.status}`;
    // Before the threshold nothing is unclassified: Vault has not combined the parts yet.
    return { kind: 'vault-error', answer: answer === 'unclassified' ? 'transient' : answer, vaultError, status: error.status, submitted };
  }
  if (error instanceof VaultUnreachableError && error.reason === 'tls') return { kind: 'tls', reason: error.message, submitted };
  return { kind: 'unreachable', reason: describeError(error), submitted };
}

/**
 * The threshold-th share failed. A classified answer says what happened; anything else is settled
 * by the node itself: unsealed after all, sealed with the attempt cleared (Vault combined and
 * discarded our shares: a rejection, whatever the status or wording), or sealed with the attempt
 * still open (the share never arrived: transient).
 */
async function settleFailure(options: SubmitOptions, error: unknown, submitted: number[]): Promise<SubmitResult> {
  const first = failure(error, submitted, true);
  if (first.kind === 'tls') return first;
  const classified = error instanceof VaultApiError ? classifyUnsealAnswer(error.status, error.errors, true) : 'unclassified';
  if (classified !== 'unclassified') return first;
  let status: SealStatus;
  try {
    status = await options.client.sealStatus({ signal: options.callSignal(), redact: options.redact });
  } catch (readError) {
    const answered = error instanceof VaultApiError ? `answered ${error.status}` : describeError(error);
    return { kind: 'unreachable', reason: `last share ${answered}; seal-status then failed: ${describeError(readError)}`, submitted, uncertain: true };
  }
  if (!status.sealed) return { kind: 'unsealed', submitted };
  if (status.progress !== 0) return first;
  const vaultError = error instanceof VaultApiError ? error.errors.join('; ') || `status ${error.status}` : describeError(error);
  return { kind: 'rejected', status: error instanceof VaultApiError ? error.status : null, vaultError, submitted };
}

async function waitUnsealed(options: SubmitOptions): Promise<boolean> {
  const until = options.clock.now() + options.completionWaitMs;
  for (;;) {
    try {
      if (!(await options.client.sealStatus({ signal: options.callSignal(), redact: options.redact })).sealed) return true;
    } catch {
      // A node finishing its unseal may be briefly unresponsive; keep polling until the deadline.
    }
    if (options.clock.now() >= until) return false;
    await options.clock.sleep(50);
  }
}
