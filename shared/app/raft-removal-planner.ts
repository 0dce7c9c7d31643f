import type { Finding } from '../core/finding.ts';
import { resolvePinnedTarget } from '../core/pinned-target.ts';
import type { PlannedAction, ClusterPlan } from '../core/plan-sweep.ts';
import { VaultApiError } from '../errors.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { heldFinding, readRaft, type RaftRecoveryService, type RecoveryCluster } from './raft-recovery-service.ts';
import type { VaultTokenSource } from './vault-token.ts';

/** What the sweep plans after its first actions: at most one dead raft peer to remove. */
export type RaftPlanner = (input: {
  cluster: { id: string };
  plan: ClusterPlan;
  signal: AbortSignal;
}) => Promise<{ actions: PlannedAction[]; findings: Finding[] }>;

/**
 * Plans `raft.removeDeadPeers`: reads the raft configuration and autopilot state from the one
 * active node with the control token (read), keeps the dead-since record and decides with the
 * pure quorum rules (plan). The removal itself is a `raft-remove-peer` action applied by the
 * sweep's executor, reported and audited like every action; a peer kept for quorum's sake is a
 * `raft.removal-held` finding.
 */
export function createRaftRemovalPlanner(options: {
  clusters: ReadonlyMap<string, RecoveryCluster>;
  vault: VaultClientFactory;
  tokens: VaultTokenSource;
  recovery: RaftRecoveryService;
  callTimeoutMs?: number;
}): RaftPlanner {
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  return async ({ cluster, plan, signal }) => {
    const settings = options.clusters.get(cluster.id);
    if (!settings?.auth || !settings.raft?.removeDeadPeers) return { actions: [], findings: [] };
    const active = plan.nodes.filter((n) => n.state === 'active');
    if (active.length !== 1) return { actions: [], findings: [] };
    const leaderId = (active[0] as { nodeId: string }).nodeId;
    // Resolved before the token is fetched: an unpinned node gets neither token nor login (the
    // raft inspector reports that as auth.ca-required).
    const resolved = resolvePinnedTarget(settings, leaderId);
    if ('refused' in resolved) return { actions: [], findings: [] };
    const token = await options.tokens.tokenFor(settings, signal);
    if (token === null) return { actions: [], findings: [] };
    let snapshot;
    try {
      snapshot = await readRaft(options.vault.client(resolved.target), token, AbortSignal.any([signal, AbortSignal.timeout(callTimeoutMs)]));
    } catch (error) {
      if (error instanceof VaultApiError && error.status === 403) options.tokens.invalidate(cluster.id);
      throw error;
    }
    if (!snapshot.autopilot) return { actions: [], findings: [] };
    const reachable = new Set(plan.nodes.filter((n) => n.state !== 'unreachable').map((n) => n.nodeId));
    const decision = await options.recovery.decideRemoval({ cluster: settings, snapshot: { ...snapshot, autopilot: snapshot.autopilot }, reachable });
    if (decision.remove === null) return { actions: [], findings: decision.held ? [heldFinding(cluster.id, decision.held)] : [] };
    return {
      actions: [{ kind: 'raft-remove-peer', nodeId: decision.remove, leader: leaderId, reason: `dead raft peer (raft.removeDeadPeers): ${decision.why}` }],
      findings: [],
    };
  };
}
