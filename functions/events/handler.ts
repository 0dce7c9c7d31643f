import { createHash } from 'node:crypto';
import { createIdempotency, type Idempotency } from '../../shared/app/idempotency.ts';
import { eventTargets, type EventBridgeEvent } from '../../shared/app/event-triggers.ts';
import type { RecoveryJobs } from '../../shared/app/recovery-jobs.ts';
import type { RecoveryOutcome } from '../../shared/app/recovery-records.ts';
import type { RecoveryService } from '../../shared/app/recovery.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import { UnavailableError } from '../../shared/errors.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import type { WorkQueue } from '../../shared/ports/work-queue.ts';
import { lambdaRuntime, lambdaWorkQueue } from '../../shared/runtime/lambda-runtime.ts';
import { wireRecoveryJobs } from '../../shared/runtime/recovery-wiring.ts';

export interface EventsHandlerDeps {
  clusters: readonly SweepCluster[];
  recovery: RecoveryService;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** Where recoveries past the invocation's budget go (SQS on Lambda; in-process when absent). */
  queue?: WorkQueue;
}

export type EventsHandlerResult =
  | { status: 'ignored'; reason: string }
  | { status: 'in-progress'; reason: string }
  | { status: 'done' | 'accepted'; reason: string; recoveryId: string; results: RecoveryOutcome[] };

/** The part of the Lambda context the handler reads. */
export interface EventsContext {
  getRemainingTimeInMillis(): number;
}

/** Without a Lambda context (tests, local invokes): the function's timeout. */
const DEFAULT_REMAINING_MS = 60_000;

/**
 * EventBridge → targeted recovery, under the same rules as the webhooks: idempotent per event
 * id (EventBridge delivers at least once and retries failed invocations with the same id), and
 * nothing left running when it returns — a recovery that does not fit the invocation goes to
 * the worker. An event naming no configured cluster is ignored (and logged), never retried; a
 * cluster whose recovery failed for a retryable reason (state store down) fails the invocation
 * and deletes its idempotency record, so EventBridge's retry runs it and the DLQ applies.
 */
export function createEventsHandler(deps: () => Promise<EventsHandlerDeps>) {
  const wired = new WeakMap<EventsHandlerDeps, { jobs: RecoveryJobs; idempotency: Idempotency }>();
  return async (event: EventBridgeEvent, context?: EventsContext): Promise<EventsHandlerResult> => {
    const d = await deps();
    let services = wired.get(d);
    if (!services) {
      services = { jobs: wireRecoveryJobs(d).jobs, idempotency: createIdempotency({ store: d.store, clock: d.clock }) };
      wired.set(d, services);
    }
    const { jobs, idempotency } = services;
    const mapped = eventTargets(event, { clusters: d.clusters });
    if (mapped.kind === 'ignored') {
      d.logger.info('events.ignored', { reason: mapped.reason });
      return { status: 'ignored', reason: mapped.reason };
    }
    const now = d.clock.now();
    const end = now + (context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    const payload = JSON.stringify([event.source, event['detail-type'], event.detail]);
    const key = typeof event.id === 'string' && event.id !== '' ? event.id : createHash('sha256').update(payload).digest('hex');
    const decision = await idempotency.run({ namespace: 'eventbridge', key, payload, deadlineMs: end }, async () => {
      const deadlineMs = end - 1000;
      const start = await jobs.start({
        trigger: 'eventbridge',
        requests: mapped.targets.map((t) => ({ clusterId: t.clusterId, action: mapped.action, ...(t.nodeIds.length > 0 ? { nodeIds: t.nodeIds } : {}) })),
        budgetMs: Math.floor((deadlineMs - now) * 0.8),
        deadlineMs,
      });
      const failed = start.results.find((r) => 'error' in r && ['unavailable', 'throttled'].includes(r.error.code));
      if (failed && 'error' in failed) {
        d.logger.error('events.recovery_failed', { cluster: failed.cluster, reason: mapped.reason, recoveryId: start.recoveryId });
        throw new UnavailableError(`recovery of ${failed.cluster} failed: ${failed.error.message}`);
      }
      return { status: 200, body: { status: start.status, reason: mapped.reason, recoveryId: start.recoveryId, results: start.results } };
    });
    if (decision.kind === 'ran' || decision.kind === 'completed') {
      const body = decision.response.body as EventsHandlerResult;
      d.logger.info(decision.kind === 'ran' ? 'events.recovered' : 'events.duplicate', {
        reason: mapped.reason,
        ...('recoveryId' in body ? { recoveryId: body.recoveryId } : {}),
      });
      return body;
    }
    // Another invocation of this event is running (a duplicate delivery): it owns the work; if
    // it dies, its claim lapses with it and EventBridge's retry of that invocation runs it.
    d.logger.info('events.in_progress', { reason: mapped.reason, kind: decision.kind });
    return { status: 'in-progress', reason: mapped.reason };
  };
}

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});
const queue = lambdaWorkQueue(process.env);
let lambdaDeps: EventsHandlerDeps | undefined;

/** The `events` Lambda: CloudWatch alarms, Auto Scaling / EC2 launches and `sealwatch.recover`. */
export const handler = createEventsHandler(async () => (lambdaDeps ??= { ...(await runtime()), queue }));
