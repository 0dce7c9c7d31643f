import type { Finding } from '../../core/finding.ts';
import { raftFindings } from '../../core/findings/raft-findings.ts';
import { resolvePinnedTarget, type TargetRefusal } from '../../core/pinned-target.ts';
import { VaultApiError } from '../../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { VaultClientFactory } from '../../ports/vault-client.ts';
import type { RaftRecoveryService, RecoveryCluster } from '../raft-recovery-service.ts';
import type { ClusterInspector } from '../sweep.ts';
import type { VaultTokenSource } from '../vault-token.ts';

export interface RaftInspectorOptions {
  clusters: readonly RecoveryCluster[];
  vault: VaultClientFactory;
  tokens: VaultTokenSource;
  recovery: RaftRecoveryService;
  clock: Clock;
  /** Per Vault call (default 5 s). */
  callTimeoutMs?: number;
}

/**
 * For clusters with `auth`: reads raft configuration, autopilot state and configuration from
 * the active node with the control token and returns the raft findings. Removing a dead peer is
 * a plan action (raft-removal-planner.ts), not this inspector's business. Without exactly one
 * active node there is nobody to ask (the node findings already say so).
 */
export function createRaftInspector(options: RaftInspectorOptions): ClusterInspector {
  const byId = new Map(options.clusters.map((c) => [c.id, c]));
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  return {
    name: 'raft',
    async inspect({ cluster, plan, trigger, signal }) {
      const settings = byId.get(cluster.id);
      if (!settings?.auth) return [];
      const active = plan.nodes.filter((n) => n.state === 'active');
      if (active.length !== 1) return [];
      const leaderId = (active[0] as { nodeId: string }).nodeId;
      // Resolved before the token is fetched: an unpinned node gets neither token nor login.
      const resolved = resolvePinnedTarget(settings, leaderId);
      if ('refused' in resolved) return resolved.refused === 'unknown-node' ? [] : [caRequiredFinding(cluster.id, leaderId, resolved.refused, resolved.detail)];
      const token = (await options.tokens.tokenFor(settings, signal)) as string;
      const leader = options.vault.client(resolved.target);
      const call = { token, signal: AbortSignal.any([signal, AbortSignal.timeout(callTimeoutMs)]) };
      let reads;
      try {
        reads = await Promise.all([leader.raftConfiguration(call), leader.autopilotState(call), leader.autopilotConfiguration(call)]);
      } catch (error) {
        // A revoked or expired token: fetch a fresh one next time.
        if (error instanceof VaultApiError && error.status === 403) options.tokens.invalidate(cluster.id);
        throw error;
      }
      const [configuration, autopilot, autopilotConfig] = reads;
      const findings: Finding[] = raftFindings({
        clusterId: cluster.id,
        configuration,
        autopilot,
        autopilotConfig,
        configuredNodes: cluster.nodes.map((n) => n.id),
        now: options.clock.now(),
      });
      return findings;
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
