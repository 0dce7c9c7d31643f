import { NotFoundError, ValidationError } from '../errors.ts';
import type { Metrics } from './metrics.ts';
import type { SweepService } from './sweep.ts';
import type { SweepCluster } from './sweep-types.ts';
import type { UnsealService } from './unseal-service.ts';

/**
 * - `sweep`: a targeted sweep (observe; unseal when the cluster's auto-unseal is on).
 * - `unseal`: unseal the sealed nodes from custody now.
 * - `recover`: unseal, then a targeted sweep that records the new states and runs the checks.
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
}

export interface RecoveryService {
  run(request: RecoveryRequest): Promise<RecoveryResult>;
}

export interface RecoveryServiceOptions {
  clusters: readonly SweepCluster[];
  sweep: Pick<SweepService, 'run'>;
  unseal: Pick<UnsealService, 'unsealCluster'>;
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
      if (request.action !== 'sweep' || dryRun) {
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
