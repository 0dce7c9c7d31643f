import { NODE_STATES, type NodeState, type NodeView } from './node-state.ts';

export interface ClusterNodeView {
  nodeId: string;
  view: NodeView;
}

/** What a cluster's nodes add up to. Arrays are sorted so equal inputs give equal views. */
export interface ClusterView {
  /** The input nodes, ordered by node id. */
  nodes: ClusterNodeView[];
  /** Every state, zero when no node is in it. */
  byState: Record<NodeState, number>;
  activeCount: number;
  sealedCount: number;
  unreachableCount: number;
  /** Distinct cluster ids reported by unsealed nodes (more than one: nodes of different clusters). */
  clusterIds: string[];
  /** Distinct versions, oldest first. */
  versions: string[];
  /** Ids of the nodes in state `active` (more than one: split brain). */
  activeNodes: string[];
}

/** Sums up the classified nodes of one cluster. Pure and order-independent. */
export function summarizeCluster(views: readonly ClusterNodeView[]): ClusterView {
  const nodes = [...views].sort((a, b) => compareStrings(a.nodeId, b.nodeId));
  const byState = Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Record<NodeState, number>;
  const clusterIds = new Set<string>();
  const versions = new Set<string>();
  for (const { view } of nodes) {
    byState[view.state] += 1;
    if (view.clusterId !== null) clusterIds.add(view.clusterId);
    if (view.version !== null) versions.add(view.version);
  }
  return {
    nodes,
    byState,
    activeCount: byState.active,
    sealedCount: byState.sealed,
    unreachableCount: byState.unreachable,
    clusterIds: [...clusterIds].sort(compareStrings),
    versions: [...versions].sort(compareVersions),
    activeNodes: nodes.filter((n) => n.view.state === 'active').map((n) => n.nodeId),
  };
}

/** Code-unit order: independent of the host's locale, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders versions numerically part by part ("1.9.0" before "1.10.0"); a pre-release sorts before
 * its release ("1.19.0-beta1" before "1.19.0"); anything else falls back to string order.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return compareStrings(a, b);
  for (let i = 0; i < Math.max(pa.nums.length, pb.nums.length); i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre !== pb.pre) {
    if (pa.pre === '') return 1;
    if (pb.pre === '') return -1;
    return compareStrings(pa.pre, pb.pre);
  }
  return compareStrings(a, b);
}

function parseVersion(v: string): { nums: number[]; pre: string } | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(?:-([^+]*))?(?:\+.*)?$/.exec(v);
  if (!m?.[1]) return undefined;
  return { nums: m[1].split('.').map(Number), pre: m[2] ?? '' };
}
