import { shareContext, type CustodyKind, type ShareRecord } from '../core/custody-types.ts';
import { orderShareCandidates } from '../core/unseal-decision.ts';
import { describeError, isRetryable, SealwatchError } from '../errors.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';

/** One share in plaintext. The owner zeroes `bytes` (see {@link zeroShares}). */
export interface PlainShare {
  index: number;
  wrapper: string;
  bytes: Uint8Array;
}

export interface WrapperFailure {
  wrapper: string;
  index: number;
  /** The error's stable code (`key_disabled`, `access_denied`, `throttled`...). */
  code: string;
  message: string;
  retryable: boolean;
}

export interface UnwrapInput {
  clusterId: string;
  kind: CustodyKind;
  shares: readonly ShareRecord[];
  threshold: number;
  /** Expected plaintext length (custody `shareLength`). */
  shareLength: number;
  wrapper: (id: string) => KeyWrapper | undefined;
  /** Wrappers that failed recently: their shares are tried last. */
  failing: ReadonlySet<string>;
  signal?: AbortSignal;
}

/**
 * Unwraps `threshold` shares in parallel, healthy wrappers first. Each failure is recorded and
 * replaced by the next candidate (preferring wrappers that have not failed in this call), so
 * shares under a healthy wrapper are used when one provider is down. Returns fewer than
 * `threshold` shares only when the candidates ran out. Never leaks a plaintext: surplus and
 * malformed plaintexts are zeroed here.
 */
export async function unwrapShares(input: UnwrapInput): Promise<{ shares: PlainShare[]; failures: WrapperFailure[] }> {
  const pending = orderShareCandidates(input.shares, input.failing);
  const failedHere = new Set<string>();
  const shares: PlainShare[] = [];
  const failures: WrapperFailure[] = [];
  let inflight = 0;

  const nextCandidate = (): ShareRecord | undefined => {
    const healthy = pending.findIndex((s) => !failedHere.has(s.wrapper));
    const at = healthy >= 0 ? healthy : pending.length > 0 ? 0 : -1;
    return at >= 0 ? pending.splice(at, 1)[0] : undefined;
  };

  const worker = async (): Promise<void> => {
    while (shares.length + inflight < input.threshold) {
      const record = nextCandidate();
      if (!record) return;
      inflight += 1;
      try {
        const bytes = await unwrapOne(input, record);
        if (shares.length < input.threshold) shares.push({ index: record.index, wrapper: record.wrapper, bytes });
        else bytes.fill(0);
      } catch (error) {
        failedHere.add(record.wrapper);
        failures.push(toFailure(record, error));
      } finally {
        inflight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: input.threshold }, worker));
  shares.sort((a, b) => a.index - b.index);
  return { shares, failures };
}

async function unwrapOne(input: UnwrapInput, record: ShareRecord): Promise<Uint8Array> {
  const wrapper = input.wrapper(record.wrapper);
  if (!wrapper) {
    throw new SealwatchError('wrapper_not_configured', `wrapper "${record.wrapper}" of share ${record.index} is not configured`);
  }
  const bytes = await wrapper.unwrap(
    { wrapper: record.wrapper, keyId: record.keyId, ciphertext: record.ciphertext },
    shareContext(input.clusterId, input.kind, record.index),
    input.signal,
  );
  if (bytes.length !== input.shareLength) {
    const length = bytes.length;
    bytes.fill(0);
    throw new SealwatchError('share_length_mismatch', `share ${record.index} unwrapped to ${length} bytes, custody records ${input.shareLength}`);
  }
  return bytes;
}

function toFailure(record: ShareRecord, error: unknown): WrapperFailure {
  return {
    wrapper: record.wrapper,
    index: record.index,
    code: error instanceof SealwatchError ? error.code : 'error',
    message: describeError(error),
    retryable: isRetryable(error),
  };
}

/** Zeroes every plaintext share; call in `finally`. */
export function zeroShares(shares: readonly PlainShare[]): void {
  for (const share of shares) share.bytes.fill(0);
}

/** Failures grouped by wrapper: one finding per wrapper, naming its share indexes. */
export function groupFailures(failures: readonly WrapperFailure[]): { wrapper: string; code: string; shareIndexes: number[]; message: string }[] {
  const byWrapper = new Map<string, { wrapper: string; code: string; shareIndexes: number[]; message: string }>();
  for (const f of failures) {
    const entry = byWrapper.get(f.wrapper);
    if (entry) entry.shareIndexes.push(f.index);
    else byWrapper.set(f.wrapper, { wrapper: f.wrapper, code: f.code, shareIndexes: [f.index], message: f.message });
  }
  return [...byWrapper.values()];
}
