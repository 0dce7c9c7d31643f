import { createFanOut, handleWorkBatch, type FanOut } from '../../shared/app/fan-out.ts';
import { lambdaRuntime } from '../../shared/runtime/lambda-runtime.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});
let fanOut: FanOut | undefined;

/** The part of an SQS event the worker reads. */
export interface WorkerEvent {
  Records: { messageId: string; body: string }[];
}

/**
 * SQS worker: sweeps the cluster of each message (batch size 1 in serverless.yml, so one
 * invocation = one cluster and Lambda's concurrency is the fan-out). A sweep that throws
 * (state store down) is reported as a batch item failure: SQS re-delivers it and, after
 * `maxReceiveCount`, moves it to the dead-letter queue.
 */
export async function handler(event: WorkerEvent) {
  const { sweep, logger, clock, clusters } = await runtime();
  // The worker never dispatches: no threshold and no queue, only `work`.
  fanOut ??= createFanOut({ clusterIds: clusters.map((c) => c.id), clusterThreshold: undefined, queue: undefined, sweep, clock, logger });
  const { failedIds, results } = await handleWorkBatch(event.Records ?? [], (m) => (fanOut as FanOut).work(m), logger);
  for (const result of results) {
    if (result.outcome !== 'swept') continue;
    const { clusters: _clusters, ...summary } = result.report;
    logger.info('sweep.report', { dispatchId: result.dispatchId, cluster: result.clusterId, ...summary });
  }
  return { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
