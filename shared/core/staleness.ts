/**
 * How fresh a cluster's last sweep is. Stale means older than twice the sweep interval: one late
 * or skipped sweep is normal (a lease held, a slow cluster), two in a row mean the scheduler or
 * sealwatch itself is not running, and the node states shown are no longer current.
 */
export interface Freshness {
  /** ISO time of the last sweep that observed the cluster, or null when none has. */
  lastSweepAt: string | null;
  /** Whole seconds since then (never negative), or null. */
  ageSeconds: number | null;
  /** Never swept, or older than `2 × interval`. */
  stale: boolean;
}

/** Factor of the sweep interval past which the last sweep counts as stale. */
export const STALE_AFTER_INTERVALS = 2;

export function freshnessOf(lastSweepAt: number | null, now: number, intervalMs: number): Freshness {
  if (lastSweepAt === null) return { lastSweepAt: null, ageSeconds: null, stale: true };
  const ageMs = Math.max(0, now - lastSweepAt);
  return { lastSweepAt: new Date(lastSweepAt).toISOString(), ageSeconds: Math.floor(ageMs / 1000), stale: ageMs > STALE_AFTER_INTERVALS * intervalMs };
}
