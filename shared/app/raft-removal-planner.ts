import type { Finding } from '../core/finding.ts';
import type { ClusterPlan, PlannedAction } from '../core/plan-sweep.ts';
import { heldFinding, type RaftRecoveryService, type RecoveryCluster } from './raft-recovery-service.ts';
import type { RaftRead } from './raft-read.ts';

/** What the sweep plans after its first actions: at most one dead raft peer to remove. */
export type RaftPlanner = (input: {
  cluster: { id: string };
  plan: ClusterPlan;
  /** The sweep's one raft read of this cluster (shared with the raft inspector). */
  raft: RaftRead;
  /** A dry run: the dead-since record is not written. */
  dryRun?: boolean;
}) => Promise<{ actions: PlannedAction[]; findings: Finding[] }>;

/**
 * Plans `raft.removeDeadPeers` from the sweep's raft read (configuration and autopilot state of
 * the active node): keeps the dead-since record and decides with the pure quorum rules. The
 * removal itself is a `raft-remove-peer` action applied by the sweep's executor, reported and
 * audited like every action; a peer kept for quorum's sake is a `raft.removal-held` finding.
 * A read that failed or was refused plans nothing (the raft inspector reports why).
 */
export function createRaftRemovalPlanner(options: { clusters: ReadonlyMap<string, RecoveryCluster>; recovery: RaftRecoveryService }): RaftPlanner {
  return async ({ cluster, plan, raft, dryRun }) => {
    const settings = options.clusters.get(cluster.id);
    if (!settings?.raft?.removeDeadPeers || raft.kind !== 'read' || !raft.autopilot) return { actions: [], findings: [] };
    const reachable = new Set(plan.nodes.filter((n) => n.state !== 'unreachable').map((n) => n.nodeId));
    const decision = await options.recovery.decideRemoval({
      cluster: settings,
      snapshot: { configuration: raft.configuration, autopilot: raft.autopilot },
      reachable,
      ...(dryRun ? { dryRun } : {}),
    });
    if (decision.remove === null) return { actions: [], findings: decision.held ? [heldFinding(cluster.id, decision.held)] : [] };
    return {
      actions: [{ kind: 'raft-remove-peer', nodeId: decision.remove, leader: raft.leaderId, reason: `dead raft peer (raft.removeDeadPeers): ${decision.why}` }],
      findings: [],
    };
  };
}
