import { eventTargets, type EventBridgeEvent } from '../../shared/app/event-triggers.ts';
import type { RecoveryResult, RecoveryService } from '../../shared/app/recovery.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import { lambdaRuntime } from '../../shared/runtime/lambda-runtime.ts';

export interface EventsHandlerDeps {
  clusters: readonly SweepCluster[];
  recovery: RecoveryService;
  logger: Logger;
}

export type EventsHandlerResult =
  | { status: 'ignored'; reason: string }
  | { status: 'done'; reason: string; results: RecoveryResult[] };

/**
 * EventBridge → targeted recovery. An event that names no configured cluster is ignored (and
 * logged), never retried; a recovery that throws (state store down) makes the invocation fail
 * so EventBridge's retry and the DLQ apply.
 */
export function createEventsHandler(deps: () => Promise<EventsHandlerDeps>) {
  return async (event: EventBridgeEvent): Promise<EventsHandlerResult> => {
    const { clusters, recovery, logger } = await deps();
    const mapped = eventTargets(event, { clusters });
    if (mapped.kind === 'ignored') {
      logger.info('events.ignored', { reason: mapped.reason });
      return { status: 'ignored', reason: mapped.reason };
    }
    const results = await Promise.all(
      mapped.targets.map(async (t) => {
        try {
          return await recovery.run({ clusterId: t.clusterId, action: mapped.action, trigger: 'eventbridge', ...(t.nodeIds.length > 0 ? { nodeIds: t.nodeIds } : {}) });
        } catch (error) {
          logger.error('events.recovery_failed', { cluster: t.clusterId, reason: mapped.reason, error });
          throw error;
        }
      }),
    );
    logger.info('events.recovered', { reason: mapped.reason, clusters: results.map((r) => r.cluster) });
    return { status: 'done', reason: mapped.reason, results };
  };
}

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});

/** The `events` Lambda: CloudWatch alarms, Auto Scaling / EC2 launches and `sealwatch.recover`. */
export const handler = createEventsHandler(async () => runtime());
