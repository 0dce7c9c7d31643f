import { keyHealthFindings } from '../../core/findings/seal-key-findings.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SealKeyCheck, SealKeyChecker } from '../../ports/seal-key-checker.ts';
import type { ClusterInspector } from '../sweep.ts';
import { createTtlCache } from './ttl-cache.ts';

export interface SealKeyInspectorOptions {
  /** The checker of each cluster that has a `seal` configured. */
  checkers: ReadonlyMap<string, SealKeyChecker>;
  clock: Clock;
  /** Per cluster, default 30 (`checks.keyExpiryDays`). */
  expiryDays?: (clusterId: string) => number;
  /** A key is looked at no more often than this (default 5 minutes); sweeps in between reuse it. */
  minIntervalMs?: number;
}

export const DEFAULT_KEY_CHECK_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_KEY_EXPIRY_DAYS = 30;

/**
 * `seal.*` findings for clusters with native auto-unseal: a disabled or deleting KMS key does
 * not stop running nodes, only the next restart, so this is the warning ahead of that.
 */
export function createSealKeyInspector(options: SealKeyInspectorOptions): ClusterInspector {
  const { checkers, clock } = options;
  const cache = createTtlCache<SealKeyCheck>({ ttlMs: options.minIntervalMs ?? DEFAULT_KEY_CHECK_INTERVAL_MS, now: () => clock.now() });
  return {
    name: 'seal-key',
    async inspect({ cluster, signal }) {
      const checker = checkers.get(cluster.id);
      if (!checker) return [];
      const result = await cache.get(cluster.id, () => checker.check(signal));
      return keyHealthFindings({
        scope: 'seal',
        cluster: cluster.id,
        provider: checker.provider,
        facts: result.health,
        canary: result.canary,
        nowMs: clock.now(),
        expiryDays: options.expiryDays?.(cluster.id) ?? DEFAULT_KEY_EXPIRY_DAYS,
      });
    },
  };
}
