import { percentile } from '../core/plan-sweep.ts';
import { describeError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { SweepWorkMessage, WorkMessage, WorkQueue } from '../ports/work-queue.ts';
import type { SweepService } from './sweep.ts';
import { totalsOf } from './sweep-report.ts';
import type { ClusterReport, SweepReport } from './sweep-types.ts';

export interface FanOutOptions {
  /** Every configured cluster id, in config order (the order of a single-process report). */
  clusterIds: readonly string[];
  /** `scaleOut.clusterThreshold`: fan out when there are more clusters than this. Unset: never. */
  clusterThreshold: number | undefined;
  /** Where dispatched work goes. Unset: every sweep runs in-process, whatever the threshold. */
  queue: WorkQueue | undefined;
  sweep: Pick<SweepService, 'run'> & Partial<Pick<SweepService, 'prepareStore'>>;
  clock: Clock;
  logger: Logger;
  /** Workers drop messages older than this: a newer dispatch has superseded them. Default 5 min. */
  maxMessageAgeMs?: number;
  newDispatchId?: () => string;
}

/** How long the dispatcher spends at most moving an earlier layout's records before it queues. */
const PREPARE_BUDGET_MS = 20_000;

export type DispatchResult = { mode: 'single'; report: SweepReport } | { mode: 'fan-out'; dispatchId: string; dispatchedAt: string; clusters: number };

export type WorkResult =
  | { outcome: 'swept'; clusterId: string; dispatchId: string; report: SweepReport }
  | { outcome: 'dropped'; clusterId: string; dispatchId: string; reason: 'unknown-cluster' | 'expired' };

export interface FanOut {
  /** Whether `dispatch` sends work to the queue rather than sweeping in-process. */
  fansOut(): boolean;
  /**
   * The scheduled entry: at or below the threshold, one in-process sweep of every cluster;
   * past it, one message per cluster on the queue (resolves once all are queued).
   * @throws UnavailableError / AccessDeniedError from the queue, so the invocation fails visibly.
   */
  dispatch(request?: { trigger?: string; signal?: AbortSignal }): Promise<DispatchResult>;
  /**
   * The worker: sweeps the one cluster of a message. Throws only when the sweep itself throws.
   * `receiveCount` (SQS `ApproximateReceiveCount`): only a first delivery is dropped for age (a
   * newer dispatch superseded it); a redelivery is a retry of a failure and runs, so work that
   * keeps failing reaches the dead-letter queue instead of expiring quietly.
   */
  work(message: SweepWorkMessage, delivery?: { receiveCount?: number }): Promise<WorkResult>;
}

/**
 * Scale-out of the scheduled sweep: Lambda is the distributed engine (SQS event source →
 * parallel worker invocations), so the dispatcher only decides and enqueues. Each worker
 * sweeps under its own per-cluster lease scope, so a duplicate delivery or a slow worker
 * overlapping the next minute's run is skipped, not doubled.
 *
 * @throws RangeError when `clusterThreshold` is not a non-negative integer.
 */
export function createFanOut(options: FanOutOptions): FanOut {
  const { clusterThreshold, queue, sweep, clock, logger } = options;
  if (clusterThreshold !== undefined && !(Number.isInteger(clusterThreshold) && clusterThreshold >= 0)) {
    throw new RangeError('clusterThreshold must be a non-negative integer');
  }
  const known = new Set(options.clusterIds);
  const maxAgeMs = options.maxMessageAgeMs ?? 300_000;
  const newId = options.newDispatchId ?? (() => crypto.randomUUID());
  const pastThreshold = clusterThreshold !== undefined && options.clusterIds.length > clusterThreshold;
  if (pastThreshold && !queue) {
    logger.warn('fanout.no_queue', { clusters: options.clusterIds.length, clusterThreshold, note: 'sweeping in-process' });
  }
  const fansOut = () => pastThreshold && queue !== undefined;

  return {
    fansOut,
    async dispatch(request = {}) {
      const trigger = request.trigger ?? 'schedule';
      if (!fansOut() || !queue) return { mode: 'single', report: await sweep.run({ trigger }) };
      // The one-time move of an earlier layout's records, here once rather than in every worker
      // at the same time. A failure is not the dispatch's: each worker moves its own cluster.
      // Bounded, so the queuing always happens within the invocation's time.
      await sweep
        .prepareStore?.({ deadline: clock.now() + PREPARE_BUDGET_MS })
        .catch((error: unknown) => logger.warn('fanout.prepare_failed', { error: describeError(error) }));
      const dispatchId = newId();
      const dispatchedAt = new Date(clock.now()).toISOString();
      const messages = options.clusterIds.map((clusterId): SweepWorkMessage => ({ kind: 'sweep-cluster', dispatchId, clusterId, trigger, dispatchedAt }));
      await queue.send(messages, request.signal);
      logger.info('fanout.dispatched', { dispatchId, clusters: messages.length });
      return { mode: 'fan-out', dispatchId, dispatchedAt, clusters: messages.length };
    },
    async work(message, delivery = {}) {
      const { clusterId, dispatchId } = message;
      if (!known.has(clusterId)) {
        // The config changed between dispatch and work (a deploy): nothing to sweep.
        logger.warn('fanout.unknown_cluster', { clusterId, dispatchId });
        return { outcome: 'dropped', clusterId, dispatchId, reason: 'unknown-cluster' };
      }
      const age = clock.now() - Date.parse(message.dispatchedAt);
      if (!(age <= maxAgeMs) && (delivery.receiveCount ?? 1) <= 1) {
        logger.warn('fanout.expired', { clusterId, dispatchId, ageMs: Number.isFinite(age) ? age : null });
        return { outcome: 'dropped', clusterId, dispatchId, reason: 'expired' };
      }
      try {
        const report = await sweep.run({ trigger: message.trigger, clusterIds: [clusterId] });
        return { outcome: 'swept', clusterId, dispatchId, report };
      } catch (error) {
        logger.error('fanout.worker_failed', { clusterId, dispatchId, error: describeError(error) });
        throw error;
      }
    },
  };
}

/**
 * One report from the workers' one-cluster reports, shaped as a single-process sweep's: clusters
 * in config order, totals recounted. Timings are approximations (observe = the slowest worker,
 * apply and persist summed, node percentiles over every node's duration), and `stateWrites`
 * is the sum, which includes each worker's own lease writes (exact when each worker counts its
 * own writes, as separate Lambda invocations do; workers sharing one store object overlap). Workers that were skipped because
 * their cluster's lease was held contribute no cluster; their ids are in `skippedClusters`.
 */
export function mergeSweepReports(input: {
  trigger: string;
  startedAt: number;
  finishedAt: number;
  clusterOrder: readonly string[];
  reports: readonly SweepReport[];
}): { report: SweepReport; skippedClusters: string[] } {
  const byId = new Map<string, ClusterReport>();
  const skippedClusters: string[] = [];
  for (const report of input.reports) {
    for (const cluster of report.clusters) byId.set(cluster.id, cluster);
  }
  const clusters: ClusterReport[] = [];
  for (const id of input.clusterOrder) {
    const cluster = byId.get(id);
    if (cluster) clusters.push(cluster);
    else skippedClusters.push(id);
  }
  const durations = clusters.flatMap((c) => c.nodes.map((n) => n.durationMs));
  const sum = (pick: (r: SweepReport) => number) => input.reports.reduce((total, r) => total + pick(r), 0);
  return {
    report: {
      trigger: input.trigger,
      startedAt: new Date(input.startedAt).toISOString(),
      durationMs: input.finishedAt - input.startedAt,
      clusters,
      totals: totalsOf(clusters),
      timings: {
        observeMs: Math.max(0, ...input.reports.map((r) => r.timings.observeMs)),
        applyMs: sum((r) => r.timings.applyMs),
        persistMs: sum((r) => r.timings.persistMs),
        p50NodeMs: percentile(durations, 50),
        p99NodeMs: percentile(durations, 99),
      },
      stateWrites: sum((r) => r.stateWrites),
    },
    skippedClusters,
  };
}

/** A queue record as the worker receives it (an SQS record's `messageId`, `body`, attributes). */
export interface WorkRecord {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

/**
 * The worker side of one delivery batch: each record parsed and worked. Returns the ids of
 * records whose work threw (SQS re-delivers those, then dead-letters them) and the results of
 * the rest. A malformed body is logged and dropped: re-delivering it could never succeed.
 */
export async function handleWorkBatch<R>(
  records: readonly WorkRecord[],
  work: (message: WorkMessage, delivery: { receiveCount: number }) => Promise<R>,
  logger: Logger,
): Promise<{ failedIds: string[]; results: R[] }> {
  const failedIds: string[] = [];
  const results: R[] = [];
  await Promise.all(
    records.map(async (record) => {
      const message = parseWorkMessage(record.body);
      if (!message) {
        logger.error('fanout.bad_message', { messageId: record.messageId });
        return;
      }
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      try {
        results.push(await work(message, { receiveCount: Number.isFinite(receiveCount) ? receiveCount : 1 }));
      } catch {
        failedIds.push(record.messageId);
      }
    }),
  );
  return { failedIds, results };
}

/** The message in a queue body, or null when it is neither a sweep nor a recovery message. */
export function parseWorkMessage(body: string): WorkMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const text = (key: string) => typeof m[key] === 'string' && (m[key] as string).length > 0;
  if (m['kind'] === 'recovery') {
    if (!text('recoveryId') || !text('queuedAt')) return null;
    return { kind: 'recovery', recoveryId: m['recoveryId'] as string, queuedAt: m['queuedAt'] as string };
  }
  if (m['kind'] !== 'sweep-cluster' || !text('dispatchId') || !text('clusterId') || !text('trigger') || !text('dispatchedAt')) return null;
  return {
    kind: 'sweep-cluster',
    dispatchId: m['dispatchId'] as string,
    clusterId: m['clusterId'] as string,
    trigger: m['trigger'] as string,
    dispatchedAt: m['dispatchedAt'] as string,
  };
}
