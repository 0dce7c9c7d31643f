import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';

/** The answer a delivery got, kept so a resend of the same delivery gets it again. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** What to do with a delivery, decided by its idempotency record. */
export type IdempotencyDecision =
  /** First sight (or the previous attempt's record expired or was deleted): run it. */
  | { kind: 'run' }
  /** Done before with the same payload: answer this again, do nothing. */
  | { kind: 'completed'; response: StoredResponse }
  /** Another invocation is working on it right now; it may finish or expire at `untilMs`. */
  | { kind: 'in-progress'; untilMs: number }
  /** The key was used before for a different payload. */
  | { kind: 'mismatch' };

export interface IdempotencyOptions {
  store: StateStore;
  clock: Clock;
  /** How long a completed answer is replayed (default 10 min: twice the webhook signature tolerance). */
  completedTtlMs?: number;
}

export interface Idempotency {
  /** Reads the record without claiming anything (lets a completed resend skip rate limits). */
  peek(namespace: string, key: string, payload: string): Promise<IdempotencyDecision>;
  /**
   * Runs `handler` once per (namespace, key), following the Powertools for AWS Lambda
   * lifecycle: an *in-progress* record that expires when the invocation must have ended
   * (`deadlineMs`, from the Lambda's remaining time), *completed* with the stored response,
   * *deleted* when the handler throws so the sender's retry runs.
   */
  run(
    input: { namespace: string; key: string; payload: string; deadlineMs: number },
    handler: () => Promise<StoredResponse>,
  ): Promise<{ kind: 'ran'; response: StoredResponse } | Exclude<IdempotencyDecision, { kind: 'run' }>>;
}

interface IdempotencyRecord {
  status: 'in-progress' | 'completed';
  /** SHA-256 of the payload: a key reused for another payload is refused, not answered. */
  payloadHash: string;
  inProgressUntil?: number;
  response?: StoredResponse;
}

/**
 * Idempotency records in the state store: `pk IDEMPOTENCY#<namespace>`, `sk` = SHA-256 of the key.
 * The item's `expiresAt` is the in-progress expiry while running (so a crashed or frozen
 * invocation's claim lapses with it, as Powertools' `in_progress_expiration` does) and the
 * replay window once completed. Claims are conditional puts (`absent-or-expired`), so two
 * invocations of one delivery never both run.
 */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { store, clock } = options;
  const completedTtlMs = options.completedTtlMs ?? 600_000;
  if (!(completedTtlMs >= 1000)) throw new RangeError('idempotency completedTtlMs must be at least 1000');
  const keyOf = (namespace: string, key: string) => ({ pk: `IDEMPOTENCY#${namespace}`, sk: sha256(key) });

  async function decide(namespace: string, key: string, payloadHash: string): Promise<IdempotencyDecision> {
    const k = keyOf(namespace, key);
    const item = await store.get<IdempotencyRecord>(k.pk, k.sk);
    if (!item) return { kind: 'run' };
    if (item.data.payloadHash !== payloadHash) return { kind: 'mismatch' };
    if (item.data.status === 'completed' && item.data.response) return { kind: 'completed', response: item.data.response };
    return { kind: 'in-progress', untilMs: item.data.inProgressUntil ?? clock.now() };
  }

  return {
    peek: (namespace, key, payload) => decide(namespace, key, sha256(payload)),
    async run(input, handler) {
      const k = keyOf(input.namespace, input.key);
      const payloadHash = sha256(input.payload);
      const now = clock.now();
      // Never claim for less than a second: a claim that lapses before it is written protects nothing.
      const until = Math.max(input.deadlineMs, now + 1000);
      let claimed;
      try {
        claimed = await store.put<IdempotencyRecord>({
          ...k,
          data: { status: 'in-progress', payloadHash, inProgressUntil: until },
          expiresAt: Math.ceil(until / 1000),
          condition: { kind: 'absent-or-expired', nowSeconds: Math.floor(now / 1000) },
        });
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const decision = await decide(input.namespace, input.key, payloadHash);
        // Gone between the two calls (expired or deleted by a failed attempt): the sender retries.
        return decision.kind === 'run' ? { kind: 'in-progress', untilMs: now } : decision;
      }
      let response: StoredResponse;
      try {
        response = await handler();
      } catch (error) {
        // Deleted only if still ours, so a late failure never removes a newer claim.
        await store.delete(k.pk, k.sk, { kind: 'version', version: claimed.version }).catch(() => {});
        throw error;
      }
      const done = clock.now();
      try {
        await store.put<IdempotencyRecord>({
          ...k,
          data: { status: 'completed', payloadHash, response },
          expiresAt: Math.ceil((done + completedTtlMs) / 1000),
          condition: { kind: 'version', version: claimed.version },
        });
      } catch (error) {
        // Our claim lapsed and a retry took over: its record stands; this answer is still ours.
        if (!(error instanceof ConflictError)) throw error;
      }
      return { kind: 'ran', response };
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
