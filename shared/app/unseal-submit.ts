import { checkSubmission, classifyUnsealError, type UnsealErrorKind } from '../core/unseal-decision.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError, VaultApiError, VaultUnreachableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { VaultClient } from '../ports/vault-client.ts';
import type { PlainShare } from './unseal-shares.ts';

/** How submitting the shares to one node ended. */
export type SubmitResult =
  | { kind: 'unsealed'; submitted: number[] }
  | { kind: 'vault-error'; error: UnsealErrorKind; vaultError: string; status: number; submitted: number[] }
  | { kind: 'contended'; reason: string; submitted: number[] }
  | { kind: 'tls'; reason: string; submitted: number[] }
  | { kind: 'unreachable'; reason: string; submitted: number[] }
  /** The last share was taken, Vault cleared the attempt, yet the node stays sealed. */
  | { kind: 'not-completed'; submitted: number[] };

export interface SubmitOptions {
  client: VaultClient;
  shares: readonly PlainShare[];
  threshold: number;
  clock: Clock;
  /** A fresh deadline signal per call. */
  callSignal: () => AbortSignal;
  /** Called with the attempt nonce as soon as Vault assigns it (so a retry knows it is ours). */
  onNonce: (nonce: string) => void;
  /** How long to wait for an asynchronous unseal after the last share (raft nodes). */
  completionWaitMs: number;
}

/**
 * Submits shares one by one, checking progress and nonce after each: a nonce that changes or a
 * progress that does not advance by one means someone else is unsealing, and we stop. Shares
 * travel as hex; the strings made for the request cannot be zeroed (JS strings are immutable)
 * and are left to the garbage collector, the byte arrays are zeroed by the caller.
 */
export async function submitShares(options: SubmitOptions): Promise<SubmitResult> {
  const { client, shares, threshold } = options;
  const submitted: number[] = [];
  let before: { nonce: string | null; progress: number } = { nonce: null, progress: 0 };
  for (const share of shares.slice(0, threshold)) {
    let status: SealStatus;
    try {
      status = await client.unseal({ key: Buffer.from(share.bytes.buffer, share.bytes.byteOffset, share.bytes.length).toString('hex') }, { signal: options.callSignal() });
    } catch (error) {
      submitted.push(share.index);
      return failure(error, submitted);
    }
    submitted.push(share.index);
    const check = checkSubmission(before, status, threshold);
    switch (check.kind) {
      case 'unsealed':
        return { kind: 'unsealed', submitted };
      case 'contended':
        return { kind: 'contended', reason: check.reason, submitted };
      case 'completing':
        return (await waitUnsealed(options)) ? { kind: 'unsealed', submitted } : { kind: 'not-completed', submitted };
      case 'advanced':
        if (before.nonce === null) options.onNonce(check.nonce);
        before = { nonce: check.nonce, progress: check.progress };
        break;
    }
  }
  return { kind: 'not-completed', submitted };
}

function failure(error: unknown, submitted: number[]): SubmitResult {
  if (error instanceof VaultApiError) {
    return {
      kind: 'vault-error',
      error: classifyUnsealError(error.status, error.errors),
      vaultError: error.errors.join('; ') || `status ${error.status}`,
      status: error.status,
      submitted,
    };
  }
  if (error instanceof VaultUnreachableError && error.reason === 'tls') return { kind: 'tls', reason: error.message, submitted };
  return { kind: 'unreachable', reason: describeError(error), submitted };
}

async function waitUnsealed(options: SubmitOptions): Promise<boolean> {
  const until = options.clock.now() + options.completionWaitMs;
  for (;;) {
    try {
      if (!(await options.client.sealStatus({ signal: options.callSignal() })).sealed) return true;
    } catch {
      // A node finishing its unseal may be briefly unresponsive; keep polling until the deadline.
    }
    if (options.clock.now() >= until) return false;
    await options.clock.sleep(50);
  }
}
