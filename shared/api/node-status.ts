import type { ClusterRecord } from '../core/cluster-record.ts';
import type { NodeState } from '../core/node-state.ts';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * A configured node as the API and the dashboard show it: its last recorded state and facts, and
 * its last transition (`previousState` since `previousSince`, ended by sealwatch when
 * `changedBy` says so: a seal repaired within one sweep shows here).
 */
export function nodeStatus(node: { id: string; url: string }, record: ClusterRecord | null) {
  const r = record?.nodes[node.id];
  return {
    id: node.id,
    url: node.url,
    state: (r?.state ?? 'unknown') as NodeState | 'unknown',
    since: iso(r?.since),
    previousState: r?.previousState ?? null,
    previousSince: iso(r?.previousSince),
    changedBy: r?.changedBy ?? null,
    initialized: r?.initialized ?? null,
    sealType: r?.sealType ?? null,
    threshold: r?.threshold ?? null,
    shares: r?.shares ?? null,
    version: r?.version ?? null,
    clusterId: r?.clusterId ?? null,
    error: r?.errorReason ?? null,
  };
}
