import { NotFoundError, ValidationError } from '../errors.ts';
import type { Metrics } from './metrics.ts';
import type { SweepService } from './sweep.ts';
import type { ActionReport, SweepCluster } from './sweep-types.ts';
import type { UnsealService } from './unseal-service.ts';

/**
 * - `sweep`: a targeted sweep (observe; unseal when the cluster's auto-unseal is on).
 * - `unseal`: unseal the sealed nodes from custody now.
 * - `recover`: the cluster's enabled recovery steps — exactly what `sealwatch recover` runs
 *   (unseal unless autoUnseal is false, raft join, remove one dead peer; all of them in a dry
 *   run) — then a targeted sweep that records the new states and runs the checks. With
 *   `nodeIds` it unseals those nodes instead of planning every step.
 */
export type RecoveryAction = 'sweep' | 'recover' | 'unseal';

export interface RecoveryRequest {
  clusterId: string;
  /** Only these nodes (unseal/recover); every node when absent. */
  nodeIds?: readonly string[];
  action: RecoveryAction;
  /** Who asked: `api`, `alertmanager`, `webhook`, `eventbridge`... recorded in audit events. */
  trigger: string;
  /** Say what an unseal would do; nothing is unwrapped, sent or swept. */
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
  /** `recover` of a whole cluster: every step, as `sealwatch recover` prints it. */
  steps?: ActionReport[];
}

/** The recovery steps of one cluster (the raft recovery service's `recover`, by cluster id). */
export type RecoverySteps = (request: { clusterId: string; trigger: string; dryRun: boolean; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  steps: ActionReport[];
  findings: { id: string }[];
}>;

export interface RecoveryService {
  run(request: RecoveryRequest): Promise<RecoveryResult>;
}

export interface RecoveryServiceOptions {
  clusters: readonly SweepCluster[];
  sweep: Pick<SweepService, 'run'>;
  unseal: Pick<UnsealService, 'unsealCluster'>;
  /** Plans and runs `recover` of a whole cluster; without it `recover` only unseals, then sweeps. */
  recoverySteps?: RecoverySteps;
  metrics?: Metrics;
}

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
      const result: RecoveryResult = { cluster: cluster.id, action: request.action, dryRun };
      const wholeCluster = !request.nodeIds || request.nodeIds.length === 0;
      if (request.action === 'recover' && wholeCluster && options.recoverySteps) {
        const planned = await options.recoverySteps({
          clusterId: cluster.id,
          trigger: request.trigger,
          dryRun,
          ...(request.signal ? { signal: request.signal } : {}),
        });
        result.steps = planned.steps.map((s) => ({ kind: s.kind, nodeId: s.nodeId, outcome: s.outcome, message: s.message, durationMs: s.durationMs }));
        // `unseal` keeps its shape for callers that read it: the unseal steps, from the same plan.
        result.unseal = {
          ok: planned.ok,
          nodes: planned.steps
            .filter((s) => s.kind === 'unseal')
            .map((s) => ({
              node: s.nodeId,
              outcome: s.outcome,
              message: s.message,
              shareIndexes: [...((s as { shareIndexes?: number[] }).shareIndexes ?? [])],
            })),
          findings: planned.findings.map((f) => f.id),
        };
        options.metrics?.recordUnseal({ cluster: cluster.id, dryRun, nodes: result.unseal.nodes });
      } else if (request.action !== 'sweep' || dryRun) {
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
      if (request.action !== 'unseal' && !dryRun) {
        // The sweep takes no signal: once the caller gave up, do not start it (the worker will).
        request.signal?.throwIfAborted();
        const report = await options.sweep.run({ trigger: request.trigger, clusterIds: [cluster.id] });
        const swept = report.clusters.find((c) => c.id === cluster.id);
        result.sweep = {
          ...(report.skipped ? { skipped: report.skipped.reason } : {}),
          nodes: (swept?.nodes ?? []).map((n) => ({ node: n.id, state: n.state })),
          findings: (swept?.findings ?? []).map((f) => f.id),
        };
      }
      return result;
    },
  };
}
