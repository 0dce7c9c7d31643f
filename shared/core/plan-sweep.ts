import type { StorageBackupAction } from './plan-storage-backup.ts';
import { planJoins } from './raft-recovery.ts';
import { sameNodeRecord, toNodeRecord, type ClusterRecord, type NodeRecord } from './cluster-record.ts';
import type { NodeState, NodeView } from './node-state.ts';

/** One node as observed in this sweep, already classified. */
export interface ObservedNode {
  nodeId: string;
  url: string;
  view: NodeView;
  durationMs: number;
}

/** What the sweep decided about one node. */
export interface NodePlan {
  nodeId: string;
  url: string;
  state: NodeState;
  previousState: NodeState | null;
  /** The state differs from the previous sweep's (a first sighting is not a transition). */
  transition: boolean;
  /** Epoch ms when the node entered its state. */
  since: number;
  durationMs: number;
  view: NodeView;
  /**
   * Set when the node changed state *during* this sweep (seen sealed, then unsealed by the
   * sweep's own action): the state first observed and when it was detected. `previousState`
   * is then that state and `since` the time it was left.
   */
  passedThrough?: { state: NodeState; since: number };
}

/**
 * A change to a cluster the sweep will make, with the reason it is planned. One executor applies
 * them (lease, audit, deadlines); a dry run prints them.
 */
export type PlannedAction =
  | { kind: 'unseal'; nodeId: string; reason: string }
  /** Join an uninitialized configured node to the raft cluster led by `leader`, then unseal it. */
  | { kind: 'raft-join'; nodeId: string; leader: string; reason: string }
  /** Remove the dead raft peer `nodeId` through `leader` (quorum rules already checked). */
  | { kind: 'raft-remove-peer'; nodeId: string; leader: string; reason: string }
  /** An on-demand backup of Vault's DynamoDB table before a rolling upgrade (plan-storage-backup.ts). */
  | StorageBackupAction;

export interface ClusterPlan {
  clusterId: string;
  nodes: NodePlan[];
  record: ClusterRecord;
  /** The record differs from the stored one and must be written. */
  changed: boolean;
  actions: PlannedAction[];
}

export interface SweepPolicy {
  /** Unseal sealed, initialized nodes in this sweep (custody must exist). */
  autoUnseal: boolean;
  /** Unseal only these nodes (a recover that names nodes); every sealed node when absent. */
  unsealNodes?: readonly string[];
  /** `raft.autoJoin`: join uninitialized configured nodes to the one active node. */
  raftAutoJoin?: boolean;
}

/**
 * Pure planning for one cluster: the next record, transitions and actions, from this sweep's
 * observations and the previous record. Nodes no longer configured drop out of the record.
 */
export function planClusterSweep(input: {
  clusterId: string;
  observed: readonly ObservedNode[];
  previous: ClusterRecord | null;
  policy: SweepPolicy;
  now: number;
}): ClusterPlan {
  const { clusterId, observed, previous, policy, now } = input;
  const nodes: NodePlan[] = [];
  const recordNodes: Record<string, NodeRecord> = {};
  let changed = previous === null;

  for (const node of observed) {
    const before = previous?.nodes[node.nodeId];
    const after = toNodeRecord(node.view, before, now);
    recordNodes[node.nodeId] = after;
    if (!sameNodeRecord(before, after)) changed = true;
    nodes.push({
      nodeId: node.nodeId,
      url: node.url,
      state: after.state,
      previousState: before?.state ?? null,
      transition: before !== undefined && before.state !== after.state,
      since: after.since,
      durationMs: node.durationMs,
      view: node.view,
    });
  }
  if (previous && Object.keys(previous.nodes).some((id) => !(id in recordNodes))) changed = true;

  const actions: PlannedAction[] = policy.autoUnseal
    ? nodes
        .filter((n) => n.state === 'sealed' && n.view.initialized === true && (policy.unsealNodes?.includes(n.nodeId) ?? true))
        .map((n) => ({ kind: 'unseal' as const, nodeId: n.nodeId, reason: 'node is sealed' }))
    : [];
  if (policy.raftAutoJoin) {
    const { leader, join } = planJoins(nodes);
    for (const nodeId of join) {
      actions.push({
        kind: 'raft-join',
        nodeId,
        leader: leader as string,
        reason: `node is uninitialized and ${leader} is the one active node (raft.autoJoin)`,
      });
    }
  }

  return { clusterId, nodes, record: { nodes: recordNodes }, changed, actions };
}

/**
 * The plan after the sweep applied actions and looked again. A node whose state differs from
 * what the first look saw (sealed → standby after an unseal) is a transition of this sweep:
 * `previousState` is the state first observed, `since` the second look's time, and the record
 * keeps `previousSince` (the detection time) and `changedBy: 'sealwatch'` for the nodes in
 * `changedBySealwatch`. A node seen in the same state both times keeps the first plan's view of
 * its transition from the previous sweep.
 */
export function replanAfterActions(input: {
  first: ClusterPlan;
  observed: readonly ObservedNode[];
  policy: SweepPolicy;
  now: number;
  /** Nodes sealwatch's own actions changed (successful unseals). */
  changedBySealwatch: ReadonlySet<string>;
}): ClusterPlan {
  const { first, changedBySealwatch } = input;
  const after = planClusterSweep({ clusterId: first.clusterId, observed: input.observed, previous: first.record, policy: input.policy, now: input.now });
  const before = new Map(first.nodes.map((n) => [n.nodeId, n]));
  const nodes = after.nodes.map((n): NodePlan => {
    const seen = before.get(n.nodeId);
    if (!seen) return n;
    if (seen.state === n.state) {
      return { ...n, previousState: seen.previousState, transition: seen.transition, ...(seen.passedThrough ? { passedThrough: seen.passedThrough } : {}) };
    }
    if (changedBySealwatch.has(n.nodeId)) {
      const record = after.record.nodes[n.nodeId];
      if (record) after.record.nodes[n.nodeId] = { ...record, changedBy: 'sealwatch' };
    }
    return { ...n, passedThrough: { state: seen.state, since: seen.since } };
  });
  return { ...after, nodes, changed: first.changed || after.changed };
}

/** Nearest-rank percentile of durations (ms); 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
