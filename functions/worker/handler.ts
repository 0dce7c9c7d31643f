import { createFanOut, handleWorkBatch, type FanOut, type WorkRecord } from '../../shared/app/fan-out.ts';
import type { RecoveryJobs } from '../../shared/app/recovery-jobs.ts';
import { invocationDeadline, lambdaRuntime, lambdaWorkQueue } from '../../shared/runtime/lambda-runtime.ts';
import { wireRecoveryJobs } from '../../shared/runtime/recovery-wiring.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});
let fanOut: FanOut | undefined;
let jobs: RecoveryJobs | undefined;

/** The part of an SQS event the worker reads. */
export interface WorkerEvent {
  Records: WorkRecord[];
}

/** Without a Lambda context (tests, local invokes): the function's timeout. */
const DEFAULT_REMAINING_MS = 60_000;

/**
 * SQS worker (batch size 1 in serverless.yml, so one invocation = one message and Lambda's
 * concurrency is the fan-out). A message is either one cluster's scheduled sweep or a recovery
 * an API route, hook or event handed off. Work that throws (state store down, a retryable
 * recovery failure) is reported as a batch item failure: SQS re-delivers it after the
 * visibility timeout and, after `maxReceiveCount` receives, moves it to the dead-letter queue.
 */
export async function handler(event: WorkerEvent, context?: { getRemainingTimeInMillis(): number }) {
  const rt = await runtime();
  const { sweep, logger, clock, clusters } = rt;
  // The worker never dispatches: no threshold and no queue, only `work`.
  fanOut ??= createFanOut({ clusterIds: clusters.map((c) => c.id), clusterThreshold: undefined, queue: undefined, sweep, clock, logger });
  // It never hands off either: a recovery it cannot finish is retried through SQS.
  jobs ??= wireRecoveryJobs({ ...rt, queue: lambdaWorkQueue({}) }).jobs;
  const deadlineMs = invocationDeadline(context, clock.now(), DEFAULT_REMAINING_MS);
  const { failedIds, results } = await handleWorkBatch(
    event.Records ?? [],
    async (message, delivery) =>
      message.kind === 'recovery'
        ? { kind: 'recovery' as const, record: await (jobs as RecoveryJobs).work(message, deadlineMs) }
        : { kind: 'sweep' as const, result: await (fanOut as FanOut).work(message, delivery) },
    logger,
  );
  for (const entry of results) {
    if (entry.kind !== 'sweep' || entry.result.outcome !== 'swept') continue;
    const { clusters: _clusters, ...summary } = entry.result.report;
    logger.info('sweep.report', { dispatchId: entry.result.dispatchId, cluster: entry.result.clusterId, ...summary });
  }
  return { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
