import { NotFoundError, ValidationError } from '../errors.ts';
import type { Metrics } from './metrics.ts';
import type { SweepService } from './sweep.ts';
import type { ActionReport, ClusterReport, SweepCluster } from './sweep-types.ts';
import type { UnsealService } from './unseal-service.ts';

/**
 * - `sweep`: a targeted sweep (observe; unseal when the cluster's auto-unseal is on).
 * - `unseal`: unseal the sealed nodes from custody now.
 * - `recover`: one pass of the sweep's read → plan → apply under the cluster's lease — exactly
 *   what `sealwatch recover` runs: unseal sealed nodes unless `autoUnseal: false`, raft join,
 *   remove one dead peer, then the checks and the records; a dry run prints that plan's actions
 *   and changes nothing. With `nodeIds` it plans unseals of those nodes only (whatever
 *   `autoUnseal` says: the caller named them).
 */
export type RecoveryAction = 'sweep' | 'recover' | 'unseal';

export interface RecoveryRequest {
  clusterId: string;
  /** Only these nodes (unseal/recover); every node when absent. */
  nodeIds?: readonly string[];
  action: RecoveryAction;
  /** Who asked: `api`, `alertmanager`, `webhook`, `eventbridge`... recorded in audit events. */
  trigger: string;
  /** Say what would be done; nothing is unwrapped, sent, joined, removed or recorded. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What a recovery did: identifiers and outcomes only (never a share or a token). */
export interface RecoveryResult {
  cluster: string;
  action: RecoveryAction;
  dryRun: boolean;
  unseal?: { ok: boolean; nodes: { node: string; outcome: string; message: string; shareIndexes: number[] }[]; findings: string[] };
  sweep?: { skipped?: string; nodes: { node: string; state: string }[]; findings: string[] };
  /** `recover`: every action of its plan (applied, or in a dry run described), with its reason. */
  steps?: ActionReport[];
}

export interface RecoveryService {
  run(request: RecoveryRequest): Promise<RecoveryResult>;
}

export interface RecoveryServiceOptions {
  clusters: readonly SweepCluster[];
  sweep: Pick<SweepService, 'run' | 'recover'>;
  unseal: Pick<UnsealService, 'unsealCluster'>;
  metrics?: Metrics;
}

/** Outcomes of a step that failed (the CLI exits 2, `unseal.ok` is false). */
const FAILED_OUTCOMES = new Set([
  'join-failed',
  'remove-failed',
  'error',
  'wrong-key',
  'rejected',
  'seal-failure',
  'custody-mismatch',
  'custody-inconsistent',
  'refused',
  'insufficient-shares',
  'transient',
  'failed',
]);

/** Targeted recovery of one cluster, shared by the API, the webhooks and EventBridge events. */
export function createRecoveryService(options: RecoveryServiceOptions): RecoveryService {
  const byId = new Map(options.clusters.map((c) => [c.id, c]));
  return {
    async run(request) {
      const cluster = byId.get(request.clusterId);
      if (!cluster) throw new NotFoundError(`no cluster with id "${request.clusterId}" is configured`);
      const unknown = (request.nodeIds ?? []).filter((id) => !cluster.nodes.some((n) => n.id === id));
      if (unknown.length > 0) throw new ValidationError(`cluster ${cluster.id} has no node ${unknown.map((n) => `"${n}"`).join(', ')}`);
      const dryRun = request.dryRun === true;
      if (request.action === 'recover') return recover(request, cluster.id, dryRun);
      const result: RecoveryResult = { cluster: cluster.id, action: request.action, dryRun };
      if (request.action === 'unseal' || dryRun) {
        const unsealed = await options.unseal.unsealCluster({
          cluster,
          trigger: request.trigger,
          ...(request.nodeIds && request.nodeIds.length > 0 ? { nodeIds: request.nodeIds } : {}),
          ...(dryRun ? { dryRun: true } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        options.metrics?.recordUnseal(unsealed);
        result.unseal = {
          ok: unsealed.ok,
          nodes: unsealed.nodes.map((n) => ({ node: n.nodeId, outcome: n.outcome, message: n.message, shareIndexes: n.shareIndexes })),
          findings: unsealed.findings.map((f) => f.id),
        };
      }
      if (request.action === 'sweep' && !dryRun) {
        // The sweep takes no signal: once the caller gave up, do not start it (the worker will).
        request.signal?.throwIfAborted();
        const report = await options.sweep.run({ trigger: request.trigger, clusterIds: [cluster.id] });
        result.sweep = sweepSummary(
          report.skipped?.reason,
          report.clusters.find((c) => c.id === cluster.id),
        );
      }
      return result;
    },
  };

  /** One plan, one apply (or, dry, one plan described): the sweep's recover pass. */
  async function recover(request: RecoveryRequest, clusterId: string, dryRun: boolean): Promise<RecoveryResult> {
    request.signal?.throwIfAborted();
    const { report, actionFindings } = await options.sweep.recover({
      clusterId,
      trigger: request.trigger,
      ...(request.nodeIds && request.nodeIds.length > 0 ? { nodeIds: request.nodeIds } : {}),
      ...(dryRun ? { dryRun: true } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const swept = report.clusters.find((c) => c.id === clusterId);
    const steps = (swept?.actions ?? []).map((s) => ({
      kind: s.kind,
      nodeId: s.nodeId,
      outcome: s.outcome,
      message: s.message,
      durationMs: s.durationMs,
      ...(s.reason ? { reason: s.reason } : {}),
    }));
    // `unseal` keeps its shape for callers that read it: the unseal steps, from the same plan.
    const unsealSteps = (swept?.actions ?? []).filter((s) => s.kind === 'unseal');
    const nodes = unsealSteps.map((s) => ({
      node: s.nodeId,
      outcome: s.outcome,
      message: s.message,
      shareIndexes: [...((s as { shareIndexes?: number[] }).shareIndexes ?? [])],
    }));
    const passFailed = (swept?.findings ?? []).some((f) => f.id === 'sealwatch.cluster-failed');
    const result: RecoveryResult = {
      cluster: clusterId,
      action: 'recover',
      dryRun,
      steps,
      // A pass that failed part-way (its record could not be read or written) is a failure even
      // when every step it took went through: the CLI exits 2 and names the finding.
      unseal: {
        ok: steps.every((s) => !FAILED_OUTCOMES.has(s.outcome)) && !passFailed,
        nodes,
        findings: [...actionFindings.map((f) => f.id), ...(passFailed ? ['sealwatch.cluster-failed'] : [])],
      },
    };
    // Its unseals are counted with the recover's sweep report (metrics.recordSweep), not again here.
    if (!dryRun) result.sweep = sweepSummary(report.skipped?.reason, swept);
    return result;
  }
}

function sweepSummary(skipped: string | undefined, swept: ClusterReport | undefined): NonNullable<RecoveryResult['sweep']> {
  return {
    ...(skipped ? { skipped } : {}),
    nodes: (swept?.nodes ?? []).map((n) => ({ node: n.id, state: n.state })),
    findings: (swept?.findings ?? []).map((f) => f.id),
  };
}
