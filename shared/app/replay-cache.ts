import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';

export interface ReplayCache {
  /** True the first time `id` is seen in `namespace` within the TTL; false for a repeat. */
  firstSight(namespace: string, id: string): Promise<boolean>;
  /** Whether `id` was already seen in `namespace` (a read: records nothing). */
  seen(namespace: string, id: string): Promise<boolean>;
}

export interface ReplayCacheOptions {
  store: StateStore;
  clock: Clock;
  /** How long an id is remembered (default 10 min: twice the signature tolerance). */
  ttlMs?: number;
}

/**
 * Seen ids in the state store (`pk REPLAY#<namespace>`, `sk` = SHA-256 of the id, with a TTL).
 * A conditional put `absent` decides first sight, so two Lambda instances receiving the same
 * delivery at once let exactly one through.
 */
export function createReplayCache(options: ReplayCacheOptions): ReplayCache {
  const { store, clock } = options;
  const ttlMs = options.ttlMs ?? 600_000;
  if (!(ttlMs >= 1000)) throw new RangeError('replay cache ttlMs must be at least 1000');
  // Hashed: ids are caller-chosen text of any length and alphabet; sort keys are not.
  const key = (namespace: string, id: string) => ({ pk: `REPLAY#${namespace}`, sk: createHash('sha256').update(id).digest('hex') });

  return {
    async seen(namespace, id) {
      const k = key(namespace, id);
      return (await store.get(k.pk, k.sk)) !== null;
    },
    async firstSight(namespace, id) {
      const now = clock.now();
      try {
        await store.put({ ...key(namespace, id), data: { at: new Date(now).toISOString() }, expiresAt: Math.ceil((now + ttlMs) / 1000), condition: { kind: 'absent' } });
        return true;
      } catch (error) {
        if (error instanceof ConflictError) return false;
        throw error;
      }
    },
  };
}
