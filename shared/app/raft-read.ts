import type { ClusterPlan } from '../core/plan-sweep.ts';
import { resolvePinnedTarget, type TargetRefusal } from '../core/pinned-target.ts';
import type { AutopilotConfiguration, AutopilotState, RaftConfiguration } from '../core/vault-types.ts';
import { VaultApiError } from '../errors.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import type { RecoveryCluster } from './raft-recovery-service.ts';
import type { VaultTokenSource } from './vault-token.ts';

/**
 * One cluster's raft state as read once in a sweep, from its one active node with the control
 * token. The raft removal planner and the raft inspector both take this same snapshot, so a
 * sweep sends one set of raft reads per cluster, however many steps look at raft.
 */
export type RaftRead =
  /** Nothing was read: the cluster has no `auth`, or not exactly one node is active. */
  | { kind: 'none' }
  /** No token was sent: the active node is not pinned to the cluster CA (or is plain HTTP). */
  | { kind: 'refused'; leaderId: string; refusal: TargetRefusal; detail: string }
  /** The reads failed (a refused token is invalidated, so the next sweep fetches a fresh one). */
  | { kind: 'failed'; leaderId: string; error: unknown }
  | {
      kind: 'read';
      leaderId: string;
      configuration: RaftConfiguration;
      /** Null when autopilot is not running (Vault < 1.7, or not yet initialized). */
      autopilot: AutopilotState | null;
      autopilotConfig: AutopilotConfiguration;
    };

export type RaftReader = (input: { cluster: { id: string }; plan: ClusterPlan; signal: AbortSignal }) => Promise<RaftRead>;

/**
 * Reads raft configuration, autopilot state and autopilot configuration from the one active node
 * (`GET sys/storage/raft/configuration`, `…/autopilot/state`, `…/autopilot/configuration`), in
 * parallel, with the cluster's control token. The target is resolved before the token is fetched:
 * an unpinned node gets neither token nor login.
 */
export function createRaftReader(options: {
  clusters: ReadonlyMap<string, RecoveryCluster>;
  vault: VaultClientFactory;
  tokens: VaultTokenSource;
  /** Per Vault call (default 5 s). */
  callTimeoutMs?: number;
}): RaftReader {
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  return async ({ cluster, plan, signal }) => {
    const settings = options.clusters.get(cluster.id);
    if (!settings?.auth) return { kind: 'none' };
    const active = plan.nodes.filter((n) => n.state === 'active');
    if (active.length !== 1) return { kind: 'none' };
    const leaderId = (active[0] as { nodeId: string }).nodeId;
    const resolved = resolvePinnedTarget(settings, leaderId);
    if ('refused' in resolved) return { kind: 'refused', leaderId, refusal: resolved.refused, detail: resolved.detail };
    try {
      const token = await options.tokens.tokenFor(settings, signal);
      if (token === null) return { kind: 'none' };
      const leader = options.vault.client(resolved.target);
      const call = { token, signal: AbortSignal.any([signal, AbortSignal.timeout(callTimeoutMs)]) };
      const [configuration, autopilot, autopilotConfig] = await Promise.all([
        leader.raftConfiguration(call),
        leader.autopilotState(call),
        leader.autopilotConfiguration(call),
      ]);
      return { kind: 'read', leaderId, configuration, autopilot, autopilotConfig };
    } catch (error) {
      // A revoked or expired token: fetch a fresh one next time.
      if (error instanceof VaultApiError && error.status === 403) options.tokens.invalidate(cluster.id);
      return { kind: 'failed', leaderId, error };
    }
  };
}

/**
 * The snapshot after sealwatch removed `peers` through the leader in this sweep: those peers
 * leave the configuration, the autopilot servers and the voter lists (what the next read would
 * show); the other figures (failure tolerance, health) stay as read before the removal.
 */
export function withoutPeers(read: RaftRead, peers: readonly string[]): RaftRead {
  if (read.kind !== 'read' || peers.length === 0) return read;
  const gone = new Set(peers);
  const autopilot = read.autopilot;
  return {
    ...read,
    configuration: { ...read.configuration, servers: read.configuration.servers.filter((s) => !gone.has(s.nodeId)) },
    autopilot: autopilot && {
      ...autopilot,
      servers: Object.fromEntries(Object.entries(autopilot.servers).filter(([id]) => !gone.has(id))),
      voters: autopilot.voters.filter((id) => !gone.has(id)),
      ...(autopilot.nonVoters ? { nonVoters: autopilot.nonVoters.filter((id) => !gone.has(id)) } : {}),
    },
  };
}
