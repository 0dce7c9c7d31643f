import { lambdaRuntime } from '../../shared/runtime/lambda-runtime.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});

/**
 * Scheduled sweep (EventBridge). Node failures are part of the report; the handler throws only
 * when sealwatch itself is broken (config, state store), so Lambda's retry and DLQ apply.
 */
export async function handler(event: { clusterIds?: string[] } = {}) {
  const { sweep, logger } = await runtime();
  const report = await sweep.run({ trigger: 'schedule', ...(event.clusterIds ? { clusterIds: event.clusterIds } : {}) });
  // One structured line per sweep: the totals and timings, not every node.
  const { clusters: _clusters, ...summary } = report;
  logger.info('sweep.report', summary);
  return summary;
}
