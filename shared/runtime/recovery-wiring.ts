import { createMemoryWorkQueue, type MemoryWorkQueue } from '../adapters/memory-work-queue.ts';
import { createRecoveryJobs, type RecoveryJobs } from '../app/recovery-jobs.ts';
import { createRecoveryRecords } from '../app/recovery-records.ts';
import type { RecoveryService } from '../app/recovery.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { WorkQueue } from '../ports/work-queue.ts';

/** How long an in-process worker gives one recovery (the worker function's timeout on AWS). */
export const LOCAL_WORKER_DEADLINE_MS = 60_000;

export interface RecoveryJobsWiring {
  jobs: RecoveryJobs;
  /** The in-process queue when no queue was given (tests drain it). */
  local?: MemoryWorkQueue;
}

/**
 * Recovery jobs over a runtime's services. With a queue (SQS on Lambda) hand-offs go to the
 * worker function; without one they go to an in-process queue whose consumer is this process
 * (`sealwatch serve`, tests), which is fine for a long-lived process and never used on Lambda.
 */
export function wireRecoveryJobs(deps: { recovery: RecoveryService; store: StateStore; clock: Clock; logger: Logger; queue?: WorkQueue }): RecoveryJobsWiring {
  const records = createRecoveryRecords({ store: deps.store, clock: deps.clock });
  if (deps.queue) return { jobs: createRecoveryJobs({ recovery: deps.recovery, records, queue: deps.queue, clock: deps.clock, logger: deps.logger }) };
  const local = createMemoryWorkQueue({ concurrency: 4 });
  const jobs = createRecoveryJobs({ recovery: deps.recovery, records, queue: local, clock: deps.clock, logger: deps.logger });
  local.consume(async (message) => {
    if (message.kind !== 'recovery') {
      deps.logger.warn('recovery.local_queue_ignored', { kind: message.kind });
      return;
    }
    await jobs.work(message, deps.clock.now() + LOCAL_WORKER_DEADLINE_MS);
  });
  return { jobs, local };
}
