import type { Finding } from '../../core/finding.ts';
import { raftFindings } from '../../core/findings/raft-findings.ts';
import type { TargetRefusal } from '../../core/pinned-target.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ClusterInspector } from '../sweep.ts';

export interface RaftInspectorOptions {
  clock: Clock;
}

/**
 * The raft findings of a cluster with `auth`, from the sweep's one raft read (`raft-read.ts`:
 * configuration, autopilot state and configuration from the active node, read once per sweep and
 * shared with the removal planner). Removing a dead peer is a plan action
 * (raft-removal-planner.ts), not this inspector's business. Without exactly one active node there
 * is nobody to ask (the node findings already say so); a failed read makes this check fail (the
 * sweep reports `sealwatch.inspector-failed`).
 */
export function createRaftInspector(options: RaftInspectorOptions): ClusterInspector {
  return {
    name: 'raft',
    async inspect({ cluster, raft }) {
      if (!raft) return [];
      switch (raft.kind) {
        case 'none':
          return [];
        case 'refused':
          return raft.refusal === 'unknown-node' ? [] : [caRequiredFinding(cluster.id, raft.leaderId, raft.refusal, raft.detail)];
        case 'failed':
          throw raft.error;
        case 'read':
          return raftFindings({
            clusterId: cluster.id,
            configuration: raft.configuration,
            autopilot: raft.autopilot,
            autopilotConfig: raft.autopilotConfig,
            configuredNodes: cluster.nodes.map((n) => n.id),
            now: options.clock.now(),
          });
      }
    },
  };
}

/** Authenticated raft checks were not run: the token would go to a node no cluster CA vouches for. */
export function caRequiredFinding(clusterId: string, nodeId: string, reason: TargetRefusal, detail: string): Finding {
  return {
    id: 'auth.ca-required',
    severity: 'warning',
    cluster: clusterId,
    node: nodeId,
    message: `raft checks skipped, no token sent to ${nodeId}: ${detail}`,
    evidence: { reason },
  };
}
