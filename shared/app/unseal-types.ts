import type { Finding } from '../core/finding.ts';
import type { NodeView } from '../core/node-state.ts';
import type { HeldLease } from './held-lease.ts';
import type { ActionReport, SweepCluster } from './sweep-types.ts';

/**
 * How one node's unseal ended.
 * - `unsealed`: Vault reported `sealed: false` after our shares.
 * - `not-sealed` / `not-initialized`: nothing to do (not counted as attempts).
 * - `wrong-key`: Vault said the combined shares are the wrong key; the node is blocked.
 * - `rejected`: the node discarded a full threshold without an answer that says why (any status,
 *   any wording); one more try is allowed after the retry time, a second rejection blocks the node.
 * - `retry-later`: rejected once; the one retry is not due yet. No share sent.
 * - `blocked`: the node (or, after two nodes rejected the same generation, the whole cluster) is
 *   blocked until the custody generation changes or an operator clears the block. No share sent.
 * - `seal-failure`: the node's own auto-unseal seal (KMS) could not decrypt its stored keys.
 * - `removed`: the node was removed from its raft cluster (Vault ≥ 1.19).
 * - `custody-mismatch`: the node's seal status does not fit the custody; no share sent.
 * - `custody-inconsistent`: no `t` shares in custody rebuild the recorded key check (partial
 *   replace, stale share records); no share sent, no `UNSEAL_BLOCK`, not retried in the run.
 * - `refused`: TLS not pinned, certificate not from the cluster CA, plain HTTP not allowed; no share sent.
 * - `insufficient-shares`: fewer than `t` shares could be unwrapped.
 * - `contended`: someone else is unsealing the node (foreign attempt, nonce or progress moved).
 * - `transient`: the node or a wrapper kept failing transiently until the deadline.
 * - `lease-held`: another sealwatch invocation holds the cluster lease.
 * - `no-custody`: no shares in custody for this cluster.
 * - `would-unseal`: dry run; nothing unwrapped or sent.
 */
export type UnsealOutcome =
  | 'unsealed'
  | 'not-sealed'
  | 'not-initialized'
  | 'wrong-key'
  | 'rejected'
  | 'retry-later'
  | 'blocked'
  | 'seal-failure'
  | 'removed'
  | 'custody-mismatch'
  | 'custody-inconsistent'
  | 'refused'
  | 'insufficient-shares'
  | 'contended'
  | 'transient'
  | 'lease-held'
  | 'no-custody'
  | 'would-unseal';

export interface UnsealTimings {
  unwrapMs: number;
  submitMs: number;
  totalMs: number;
}

/** The sweep's ActionReport plus what an unseal adds (extra fields appear in the JSON report). */
export interface UnsealActionReport extends ActionReport {
  kind: 'unseal';
  outcome: UnsealOutcome;
  shareIndexes: number[];
  wrappers: string[];
  timings: UnsealTimings;
}

export interface UnsealNodeResult {
  nodeId: string;
  outcome: UnsealOutcome;
  message: string;
  /** Share indexes submitted to Vault (dry run: those that would be unwrapped first). */
  shareIndexes: number[];
  /** Wrapper ids of those shares. */
  wrappers: string[];
  timings: UnsealTimings;
  /** Epoch ms at which Vault reported `sealed: false`. */
  unsealedAt?: number;
  findings: Finding[];
  /** The node as observed after a successful unseal. */
  viewAfter?: NodeView;
  report: UnsealActionReport;
}

export interface UnsealClusterResult {
  cluster: string;
  dryRun: boolean;
  nodes: UnsealNodeResult[];
  findings: Finding[];
  /** Every targeted node ended unsealed (or was not sealed). */
  ok: boolean;
}

export interface UnsealRequest {
  cluster: SweepCluster;
  trigger: string;
  signal?: AbortSignal;
  /** The cluster lease `cluster/<id>`, when the caller's operation already holds it (a recover). */
  held?: HeldLease;
}

/** Outcomes after which the node serves (or already served): exit 0 for the CLI. */
export const SUCCESSFUL_OUTCOMES: ReadonlySet<UnsealOutcome> = new Set(['unsealed', 'not-sealed', 'would-unseal']);
