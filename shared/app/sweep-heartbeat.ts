import type { Finding } from '../core/finding.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { ClusterSummary } from './sweep-types.ts';

/**
 * What the last sweep of a cluster saw, written by every sweep that observed the cluster (item
 * `pk CLUSTER#<id>`, `sk SWEPT`, unconditional): it says *when* the cluster was last looked at,
 * which the node records deliberately do not (they are only rewritten on change), plus the
 * summary and findings the dashboard and the API show between sweeps.
 */
export interface SweepHeartbeat {
  /** ISO time the sweep finished observing the cluster's nodes. */
  at: string;
  trigger: string;
  summary: ClusterSummary;
  findings: Finding[];
}

export const heartbeatKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'SWEPT' });

/** One unconditional put: the newest sweep wins, and a sweep that changed nothing costs this one write. */
export async function writeHeartbeat(store: StateStore, clusterId: string, heartbeat: SweepHeartbeat): Promise<void> {
  await store.put<SweepHeartbeat>({ ...heartbeatKey(clusterId), data: heartbeat, condition: { kind: 'any' } });
}

/** The heartbeats of `clusterIds`, in order; null for a cluster never swept. */
export async function readHeartbeats(store: StateStore, clusterIds: readonly string[]): Promise<(SweepHeartbeat | null)[]> {
  const items = await store.getMany<SweepHeartbeat>(clusterIds.map(heartbeatKey));
  return items.map((item) => item?.data ?? null);
}
