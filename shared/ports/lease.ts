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
  /** Random id of this holder. */
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
  /** Takes the lease, or returns the current holder when someone else has it. */
  acquire(scope: string, ttlMs: number): Promise<{ lease: Lease } | { heldBy: LeaseHolder }>;
  /** Gives the lease up; a no-op when it is no longer ours. */
  release(lease: Lease): Promise<void>;
}
