import type { Lease, LeaseHolder, LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';

/** A lease held by one running operation. */
export interface HeldLease {
  readonly scope: string;
  /** The operation's id (the lease owner), for audit events and attempt records. */
  readonly owner: string;
  /** Aborted when the lease was lost (a renewal found someone else holding it). */
  readonly signal: AbortSignal;
  /**
   * Fencing before a write that only the holder may make: renews the lease now and throws
   * {@link LeaseLostError} when it is no longer ours.
   */
  check(): Promise<void>;
}

export class LeaseLostError extends Error {
  constructor(scope: string) {
    super(`lease ${scope} was lost (it lapsed and another operation took it): stopped before writing`);
  }
}

export interface LeaseTimings {
  /** How long a crashed holder blocks others. */
  ttlMs: number;
  /** How often a live holder renews (well under `ttlMs`). */
  renewEveryMs: number;
}

/** Cluster actions: a crashed holder blocks for at most 15 s. */
export const CLUSTER_LEASE: LeaseTimings = { ttlMs: 15_000, renewEveryMs: 5_000 };
/** The sweep lease: a crashed sweep blocks the next one for at most 15 s. */
export const SWEEP_LEASE: LeaseTimings = { ttlMs: 15_000, renewEveryMs: 5_000 };

/**
 * Runs `work` as one operation under the lease `scope`: short-lived and renewed while the work
 * runs, so a crashed holder blocks others only briefly; released when the work ends. The renew
 * timer is cleared before this returns (nothing keeps running after a Lambda handler returns).
 * Returns the holder instead when another operation has the lease.
 */
export async function runUnderLease<T>(
  deps: { leases: LeaseManager; logger?: Logger },
  scope: string,
  timings: LeaseTimings,
  work: (held: HeldLease) => Promise<T>,
): Promise<{ done: T; owner: string } | { heldBy: LeaseHolder }> {
  const acquired = await deps.leases.acquire(scope, timings.ttlMs);
  if ('heldBy' in acquired) return { heldBy: acquired.heldBy };
  let lease: Lease = acquired.lease;
  const lost = new AbortController();
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    if (lost.signal.aborted) throw new LeaseLostError(scope);
    const next = await deps.leases.renew(lease, timings.ttlMs);
    if (next === null) {
      lost.abort(new LeaseLostError(scope));
      throw new LeaseLostError(scope);
    }
    lease = next;
  };
  const timer = setInterval(() => {
    renewing = renew().catch((error: unknown) => {
      deps.logger?.warn('lease.renew_failed', { scope, owner: lease.owner, error });
    });
  }, timings.renewEveryMs);
  const held: HeldLease = { scope, owner: lease.owner, signal: lost.signal, check: renew };
  try {
    return { done: await work(held), owner: lease.owner };
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost.signal.aborted) await deps.leases.release(lease);
  }
}

/**
 * Runs `work` under the cluster's lease `cluster/<id>`: the caller's own `held` lease when its
 * operation already holds exactly that one (a recover applies its whole plan under one lease),
 * otherwise a lease of its own for this work.
 */
export async function runUnderClusterLease<T>(
  deps: { leases: LeaseManager; logger?: Logger },
  clusterId: string,
  held: HeldLease | undefined,
  work: (held: HeldLease) => Promise<T>,
): Promise<{ done: T; owner: string } | { heldBy: LeaseHolder }> {
  const scope = `cluster/${clusterId}`;
  if (held && held.scope === scope) return { done: await work(held), owner: held.owner };
  return runUnderLease(deps, scope, CLUSTER_LEASE, work);
}
