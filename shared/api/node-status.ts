import type { ClusterRecord } from '../core/cluster-record.ts';
import type { NodeState } from '../core/node-state.ts';

/** A configured node as the API and the dashboard show it: its last recorded state and facts. */
export function nodeStatus(node: { id: string; url: string }, record: ClusterRecord | null) {
  const r = record?.nodes[node.id];
  return {
    id: node.id,
    url: node.url,
    state: (r?.state ?? 'unknown') as NodeState | 'unknown',
    since: r ? new Date(r.since).toISOString() : null,
    initialized: r?.initialized ?? null,
    sealType: r?.sealType ?? null,
    threshold: r?.threshold ?? null,
    shares: r?.shares ?? null,
    version: r?.version ?? null,
    clusterId: r?.clusterId ?? null,
    error: r?.errorReason ?? null,
  };
}
