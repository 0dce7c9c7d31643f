/**
 * Mutual exclusion between sealwatch invocations (scheduled sweep, webhook, CLI) that may run
 * at once on different Lambda instances or hosts.
 *
 * Guarantees: at most one holder per scope until its lease expires; an expired lease can be
 * taken over by anyone (a crashed holder never blocks forever); `release` by a holder that has
 * already lost the lease does not disturb the new holder.
 *
 * Scopes are plain names: `sweep` for the global sweep, `cluster/<id>` for actions on one
 * cluster (unseal, join, remove-peer).
 */
export interface Lease {
  scope: string;
  /** Id of the holding operation (fresh for every `acquire` unless the manager was given one). */
  owner: string;
  /** Epoch ms at which the lease lapses unless renewed. */
  expiresAt: number;
}

export interface LeaseHolder {
  scope: string;
  owner: string;
  expiresAt: number;
}

export interface LeaseManager {
  /**
   * Takes the lease for one operation, or returns the current holder when someone else has it.
   * Two operations of the same process are two holders: the second is told the lease is held.
   */
  acquire(scope: string, ttlMs: number): Promise<{ lease: Lease } | { heldBy: LeaseHolder }>;
  /**
   * Extends a lease we still hold to `ttlMs` from now; null when it lapsed and someone else took
   * it (the operation must stop: its writes are no longer fenced).
   */
  renew(lease: Lease, ttlMs: number): Promise<Lease | null>;
  /** Gives the lease up; a no-op when it is no longer ours. */
  release(lease: Lease): Promise<void>;
}
