import type { ClusterView } from '../core/cluster-view.ts';
import type { Finding } from '../core/finding.ts';
import type { NodeState, NodeView } from '../core/node-state.ts';
import type { PlannedAction } from '../core/plan-sweep.ts';
import type { UnreachableReason } from '../errors.ts';
import type { HeldLease } from './held-lease.ts';

/** A cluster as the sweep needs it (built from the config). */
export interface SweepCluster {
  id: string;
  name: string;
  nodes: { id: string; url: string; insecureHttp?: boolean }[];
  tls?: { caPem?: string; serverName?: string };
}

/** One node in the sweep report (stable, documented schema: see README "Sweep report"). */
export interface NodeReport {
  id: string;
  url: string;
  state: NodeState;
  previousState: NodeState | null;
  transition: boolean;
  /** ISO time the node entered its state. */
  since: string;
  initialized: boolean | null;
  sealed: boolean | null;
  version: string | null;
  httpStatus: number | null;
  error: { reason: UnreachableReason; message: string } | null;
  durationMs: number;
  /**
   * Set when the node changed state during this sweep (seen sealed, then unsealed): the state
   * first observed, when it was detected (ISO; `since` of that state) and when it was left.
   * `previousState` is then that state and `transition` true.
   */
  passedThrough?: { state: NodeState; detectedAt: string; leftAt: string };
  /** Set when this sweep unsealed the node. */
  unsealedBy?: 'sealwatch';
  unseal?: ActionReport;
}

/** Outcome of an action the sweep applied (unseal, raft join, raft remove-peer). */
export interface ActionReport {
  kind: string;
  nodeId: string;
  outcome: string;
  message: string;
  durationMs: number;
  /** Why the plan called for it (`node is sealed`, `node is uninitialized and …`). */
  reason?: string;
}

/** The cluster view without the per-node list (the report lists nodes once, in `nodes`). */
export type ClusterSummary = Omit<ClusterView, 'nodes'> & { nodes: number };

export interface ClusterReport {
  id: string;
  name: string;
  summary: ClusterSummary;
  nodes: NodeReport[];
  /** The cluster's state record was written in this sweep. */
  persisted: boolean;
  actions: ActionReport[];
  /**
   * What this sweep found about the cluster: unseal outcomes (wrong key, custody mismatch,
   * wrapper failures) and every inspector's findings. Always present; empty when all is well.
   * (Optional in the type only so reports merged from older workers stay readable.)
   */
  findings?: Finding[];
  /** Why state could not be persisted (a concurrent writer); the next sweep catches up. */
  warning?: string;
}

export interface SweepReport {
  trigger: string;
  startedAt: string;
  durationMs: number;
  /** Present when the sweep did not run. */
  skipped?: { reason: 'lease-held'; heldBy: { owner: string; expiresAt: string } };
  clusters: ClusterReport[];
  totals: {
    clusters: number;
    nodes: number;
    byState: Record<NodeState, number>;
    transitions: number;
    unsealed: number;
    /**
     * Nodes seen sealed and unsealed by sealwatch within this sweep (also counted in
     * `transitions`). Always present in this version's reports; optional so reports merged from
     * older workers stay readable.
     */
    repaired?: number;
  };
  timings: { observeMs: number; applyMs: number; persistMs: number; p50NodeMs: number; p99NodeMs: number };
  stateWrites: number;
}

/**
 * Applies one planned action; returns what happened and, when it changed, the node's new view.
 * A dry run's executor of the same signature says what it would do and changes nothing.
 */
export type ActionExecutor = (input: {
  cluster: SweepCluster;
  action: PlannedAction;
  trigger: string;
  signal: AbortSignal;
  /**
   * The cluster lease `cluster/<id>` when the operation applying the plan already holds it (a
   * recover): the action runs under it instead of taking the lease itself.
   */
  held?: HeldLease;
}) => Promise<{ report: ActionReport; viewAfter?: NodeView; findings?: Finding[]; changed?: boolean }>;

/** One recover of one cluster (`sealwatch recover`, `POST /v1/clusters/:id/recover`, hooks, events). */
export interface RecoverRequest {
  clusterId: string;
  /** Unseal only these nodes, whatever `autoUnseal` says (the caller named them); no join, no removal. */
  nodeIds?: readonly string[];
  /** Plan and describe each action; nothing is unwrapped, sent, joined, removed or written. */
  dryRun?: boolean;
  trigger: string;
  signal?: AbortSignal;
}

export interface RecoverReport {
  /** The sweep report of the one cluster (`skipped` when another operation holds its lease). */
  report: SweepReport;
  /** The findings that applying (or describing) the plan's actions raised; also in the cluster's findings. */
  actionFindings: Finding[];
}
