import { serverNameFor } from '../core/server-name.ts';
import type { Finding } from '../core/finding.ts';
import type { NodeState } from '../core/node-state.ts';
import { observationTarget, pinnedTarget } from '../core/pinned-target.ts';
import { planJoins, planRemoval, trackDeadPeers, type RaftRecord } from '../core/raft-recovery.ts';
import type { AutopilotState, RaftConfiguration } from '../core/vault-types.ts';
import type { RaftRecoveryConfig, VaultAuthConfig } from '../config/types.ts';
import { ConflictError, describeError, ValidationError, VaultApiError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClient, VaultClientFactory, VaultTarget } from '../ports/vault-client.ts';
import type { AuditLog } from './audit-log.ts';
import { runUnderClusterLease, type HeldLease } from './held-lease.ts';
import { loadRaftRecord, saveRaftRecord } from './raft-state.ts';
import type { ActionReport, SweepCluster } from './sweep-types.ts';
import type { UnsealService } from './unseal-service.ts';
import type { VaultTokenSource } from './vault-token.ts';

/** A cluster with its recovery settings (a `ClusterConfig` turned into a SweepCluster fits). */
export interface RecoveryCluster extends SweepCluster {
  raft?: RaftRecoveryConfig;
  auth?: VaultAuthConfig;
  autoUnseal?: boolean;
}

export interface RaftRecoveryServiceOptions {
  store: StateStore;
  leases: LeaseManager;
  vault: VaultClientFactory;
  unseal: UnsealService;
  tokens: VaultTokenSource;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Per Vault call (default 5 s). */
  callTimeoutMs?: number;
}

/** What the raft reads of one cluster returned (from its active node, with the control token). */
export interface RaftSnapshot {
  configuration: RaftConfiguration;
  autopilot: AutopilotState | null;
}

export interface RaftRecoveryService {
  /** Joins the uninitialized configured nodes to the active one and unseals them from custody. */
  join(request: {
    cluster: RecoveryCluster;
    nodes: readonly NodeStateOf[];
    trigger: string;
    signal: AbortSignal;
    /** The cluster lease, when the caller's operation already holds it (a recover). */
    held?: HeldLease;
  }): Promise<ActionReport[]>;
  /**
   * Keeps the dead-since record and decides (pure `planRemoval`) whether one dead peer may be
   * removed now; `held` says why not when some peer is a candidate.
   */
  decideRemoval(request: {
    cluster: RecoveryCluster;
    snapshot: RaftSnapshot & { autopilot: AutopilotState };
    reachable: ReadonlySet<string>;
    dryRun?: boolean;
  }): Promise<{ remove: string; why: string } | { remove: null; held?: string }>;
  /** Removes one peer through the leader under the cluster lease, audited. */
  applyRemoval(request: {
    cluster: RecoveryCluster;
    peer: string;
    leader: VaultClient;
    token: string;
    why: string;
    trigger: string;
    signal: AbortSignal;
    /** The cluster lease, when the caller's operation already holds it (a recover). */
    held?: HeldLease;
  }): Promise<ActionReport>;
}

export interface NodeStateOf {
  nodeId: string;
  state: NodeState;
}

/**
 * The node's target for unauthenticated observation (no secret is sent: default CAs allowed
 * when the cluster has no CA). Token-bearing calls, joins and unseals use `pinnedTarget`.
 */
export function nodeTarget(cluster: SweepCluster, nodeId: string): VaultTarget {
  const node = cluster.nodes.find((n) => n.id === nodeId);
  if (!node) throw new ValidationError(`node ${nodeId} is not configured in cluster ${cluster.id}`);
  return observationTarget(cluster, node);
}

/**
 * Creates the raft recovery service behind the plan's raft actions (the sweep's executor, and so
 * every recover): it keeps the dead-since record, joins and removes peers. Membership changes run
 * under the `cluster/<id>` lease (the recover's own when it holds it) and are audited; the unseal
 * after a join goes through the unseal service (custody checks and audit, same lease rule).
 */
export function createRaftRecoveryService(options: RaftRecoveryServiceOptions): RaftRecoveryService {
  const { store, leases, vault, unseal, tokens, audit, clock, logger } = options;
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  const callSignal = (signal: AbortSignal) => AbortSignal.any([signal, AbortSignal.timeout(callTimeoutMs)]);

  const service: RaftRecoveryService = {
    async join({ cluster, nodes, trigger, signal, held: given }) {
      const { leader, join } = planJoins(nodes);
      if (leader === null || join.length === 0) return [];
      const leaderUrl = cluster.nodes.find((n) => n.id === leader)?.url as string;
      const joined: { nodeId: string; report: ActionReport }[] = [];
      const held = await withLease(cluster.id, given, async () => {
        for (const nodeId of join) joined.push({ nodeId, report: await joinOne(cluster, nodeId, leader, leaderUrl, trigger, signal) });
      });
      if (held) return join.map((nodeId) => report('raft-join', nodeId, 'lease-held', held, 0));
      // Without a lease of the caller's, the unseal service takes the cluster lease itself, so it
      // runs after ours is released; within a recover it runs under the recover's one lease.
      for (const item of joined) {
        if (item.report.outcome !== 'joined') continue;
        const result = await unseal.unsealNode({ cluster, nodeId: item.nodeId, trigger, signal, ...(given ? { held: given } : {}) });
        item.report = {
          ...item.report,
          outcome: result.outcome === 'unsealed' || result.outcome === 'not-sealed' ? 'joined' : 'joined-sealed',
          message: `${item.report.message}; unseal: ${result.outcome} — ${result.message}`,
        };
      }
      return joined.map((j) => j.report);
    },

    async decideRemoval({ cluster, snapshot, reachable, dryRun }) {
      const settings = cluster.raft?.removeDeadPeers;
      const prior = await loadRaftRecord(store, cluster.id);
      const tracked = trackDeadPeers(prior?.data ?? null, snapshot.autopilot, clock.now());
      if (tracked.changed && !dryRun) await saveQuietly(cluster.id, tracked.record, prior);
      if (!settings) return { remove: null };
      const decision = planRemoval({
        configuration: snapshot.configuration,
        autopilot: snapshot.autopilot,
        record: tracked.record,
        now: clock.now(),
        afterMs: settings.after,
        minQuorum: settings.minQuorum,
        reachableConfigured: reachable,
      });
      if (decision.remove === null) return { remove: null, ...(decision.candidates.length > 0 ? { held: decision.reason } : {}) };
      const why = `dead for ${Math.round(decision.deadForMs / 1000)} s; ${decision.votersAfter} voters left (floor ${decision.floor})`;
      return { remove: decision.remove, why };
    },

    async applyRemoval({ cluster, peer, leader, token, why, trigger, signal, held: given }) {
      let result: ActionReport | null = null;
      const held = await withLease(cluster.id, given, async () => {
        const started = clock.now();
        try {
          await leader.raftRemovePeer(peer, { token, signal: callSignal(signal) });
          result = report('raft-remove-peer', peer, 'removed', `removed raft peer ${peer}: ${why}`, clock.now() - started);
          const current = await loadRaftRecord(store, cluster.id);
          const next: RaftRecord = { peers: { ...(current?.data.peers ?? {}) } };
          delete next.peers[peer];
          await saveQuietly(cluster.id, next, current);
        } catch (error) {
          // Decided by the status, never the wording (Vault renders it as a go-multierror): a
          // refused token is fetched afresh next time, as the raft inspector does for its reads.
          if (error instanceof VaultApiError && error.status === 403) tokens.invalidate(cluster.id);
          result = report('raft-remove-peer', peer, 'remove-failed', `remove-peer ${peer} failed: ${describeError(error)}`, clock.now() - started);
        }
        await record(cluster.id, trigger, result, started);
      });
      if (held) return report('raft-remove-peer', peer, 'lease-held', held, 0);
      return result ?? report('raft-remove-peer', peer, 'error', 'remove-peer did not run', 0);
    },
  };
  return service;

  async function joinOne(
    cluster: RecoveryCluster,
    nodeId: string,
    leaderId: string,
    leaderUrl: string,
    trigger: string,
    signal: AbortSignal,
  ): Promise<ActionReport> {
    const started = clock.now();
    let result: ActionReport;
    try {
      // The join is followed by an unseal with shares: only to a node the cluster CA vouches for.
      const client = vault.client(pinnedTarget(cluster, nodeId));
      // Looked at again under the lease: an initialized node is never touched.
      const { initialized } = await client.initStatus({ signal: callSignal(signal) });
      if (initialized) return report('raft-join', nodeId, 'not-uninitialized', `${nodeId} is initialized now; left alone`, clock.now() - started);
      const answer = await client.raftJoin(
        {
          leaderApiAddr: leaderUrl,
          ...(cluster.tls?.caPem === undefined ? {} : { leaderCaCert: cluster.tls.caPem }),
          ...(cluster.tls?.serverName === undefined ? {} : { leaderTlsServername: serverNameFor(cluster.tls.serverName, leaderId) }),
        },
        { signal: callSignal(signal) },
      );
      result = answer.joined
        ? report('raft-join', nodeId, 'joined', `joined ${nodeId} to the raft cluster led by ${leaderId}`, clock.now() - started)
        : report('raft-join', nodeId, 'join-failed', `${nodeId} did not join (joined: false)`, clock.now() - started);
    } catch (error) {
      result = report('raft-join', nodeId, 'join-failed', `join of ${nodeId} failed: ${describeError(error)}`, clock.now() - started);
    }
    logger.info('raft.join', { cluster: cluster.id, node: nodeId, outcome: result.outcome });
    await record(cluster.id, trigger, result, started);
    return result;
  }

  /**
   * Runs `fn` under `cluster/<id>` (the caller's lease when it holds that one); returns why it
   * did not run when another operation holds the lease.
   */
  async function withLease(clusterId: string, given: HeldLease | undefined, fn: () => Promise<void>): Promise<string | null> {
    const ran = await runUnderClusterLease({ leases, logger }, clusterId, given, () => fn());
    return 'heldBy' in ran ? `skipped: another sealwatch operation holds lease cluster/${clusterId} (owner ${ran.heldBy.owner})` : null;
  }

  async function record(clusterId: string, trigger: string, result: ActionReport, started: number) {
    await audit.record(clusterId, {
      at: new Date(started).toISOString(),
      trigger,
      action: result.kind === 'raft-join' ? 'raft-join' : 'raft-remove-peer',
      node: result.nodeId,
      shareIndexes: [],
      wrappers: [],
      outcome: result.outcome,
      timings: { unwrapMs: 0, submitMs: result.durationMs, totalMs: result.durationMs },
      message: result.message,
    });
  }

  async function saveQuietly(clusterId: string, next: RaftRecord, prior: Awaited<ReturnType<typeof loadRaftRecord>>) {
    try {
      await saveRaftRecord(store, clusterId, next, prior);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

export function heldFinding(clusterId: string, reason: string): Finding {
  return {
    id: 'raft.removal-held',
    severity: 'info',
    cluster: clusterId,
    message: `a dead raft peer was not removed: ${reason}`,
    evidence: { reason },
  };
}

function report(kind: string, nodeId: string, outcome: string, message: string, durationMs: number): ActionReport {
  return { kind, nodeId, outcome, message, durationMs };
}
