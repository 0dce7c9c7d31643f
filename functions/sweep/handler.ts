import { createFanOut, type FanOut } from '../../shared/app/fan-out.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { lambdaRuntime, lambdaWorkQueue } from '../../shared/runtime/lambda-runtime.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});
// A reference to the stack's work queue, not configuration: the queue is part of the deployment.
const queueUrl = process.env.SEALWATCH_WORK_QUEUE_URL;
let fanOut: FanOut | undefined;

/**
 * The scheduled sweep (EventBridge Scheduler). Up to `scaleOut.clusterThreshold` clusters it
 * sweeps them itself; past it, it queues one message per cluster for
 * the worker function. `{ clusterIds }` sweeps those clusters in-process (manual invoke).
 * Throws only when sealwatch itself is broken (config, state store, queue), so the failure
 * destination and the error alarm apply.
 */
export async function handler(event: object | null = {}) {
  const { sweep, logger, clock, clusters, config } = await runtime();
  // A scheduled event (EventBridge Scheduler or a `schedule` rule) carries no clusterIds.
  const clusterIds = (event as { clusterIds?: unknown } | null)?.clusterIds;
  if (Array.isArray(clusterIds) && clusterIds.every((id) => typeof id === 'string')) {
    return summarize(logger, await sweep.run({ trigger: 'manual', clusterIds }));
  }
  fanOut ??= createFanOut({
    clusterIds: clusters.map((c) => c.id),
    clusterThreshold: config.scaleOut?.clusterThreshold,
    queue: queueUrl ? lambdaWorkQueue(process.env) : undefined,
    sweep,
    clock,
    logger,
  });
  const result = await fanOut.dispatch({ trigger: 'schedule' });
  return result.mode === 'single' ? summarize(logger, result.report) : result;
}

/** One structured line per sweep: the totals and timings, not every node. */
function summarize(logger: Logger, report: SweepReport) {
  const { clusters: _clusters, ...summary } = report;
  logger.info('sweep.report', summary);
  return { mode: 'single' as const, ...summary };
}
