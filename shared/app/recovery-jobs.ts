import { ConflictError, UnavailableError, describeError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { RecoveryWorkMessage, WorkQueue } from '../ports/work-queue.ts';
import { publicFailure } from './public-failure.ts';
import type { RecoveryRequest, RecoveryService } from './recovery.ts';
import type { RecoveryAsk, RecoveryOutcome, RecoveryRecord, RecoveryRecords } from './recovery-records.ts';

export type RecoveryStart = { status: 'done'; recoveryId: string; results: RecoveryOutcome[] } | { status: 'accepted'; recoveryId: string; results: [] };

export interface RecoveryJobs {
  /**
   * Runs the recoveries in this invocation for at most `budgetMs`. Within budget: every
   * outcome. Past it: the unfinished ones are aborted, awaited (so their leases are released
   * before the caller answers) and handed to the worker through the queue, and the answer is
   * `accepted` with the recovery id. Nothing it started is left running when it resolves.
   * `deadlineMs` is when the caller must have answered (the Lambda's remaining time, or the
   * request timeout): waiting for aborted work never runs past it.
   * @throws UnavailableError when the record cannot be written or the queue refuses the hand-off.
   */
  start(input: { trigger: string; requests: readonly RecoveryAsk[]; budgetMs: number; deadlineMs: number }): Promise<RecoveryStart>;
  get(id: string): Promise<RecoveryRecord | null>;
  /** Newest first, for the dashboard. */
  recent(limit: number): Promise<RecoveryRecord[]>;
  /**
   * The worker side: runs what a handed-off recovery still lacks, until `deadlineMs`.
   * Duplicate deliveries of a finished recovery do nothing. Throws (so the queue retries, then
   * dead-letters) only when a cluster failed for a retryable reason (state store, throttling).
   */
  work(message: RecoveryWorkMessage, deadlineMs: number): Promise<RecoveryRecord | null>;
}

export interface RecoveryJobsOptions {
  recovery: RecoveryService;
  records: RecoveryRecords;
  queue: WorkQueue;
  clock: Clock;
  logger: Logger;
  /** Kept free at the end of an invocation to write the record and enqueue (default 1 s). */
  reserveMs?: number;
}

/** A retryable failure: the error itself (log, queue) and what the record may say about it. */
interface Retry {
  error: unknown;
  shown: string;
}

/** Recoveries that answer within the request and finish in the worker when they cannot. */
export function createRecoveryJobs(options: RecoveryJobsOptions): RecoveryJobs {
  const { recovery, records, queue, clock, logger } = options;
  const reserveMs = options.reserveMs ?? 1000;

  /**
   * Runs each ask; `results[i]` is filled only if it finished before `signal` aborted. A
   * retryable failure is noted in `retryable` with the error (for the log and the queue) and the
   * text the record may show.
   */
  function runAll(
    recoveryId: string,
    asks: readonly { index: number; ask: RecoveryAsk }[],
    trigger: string,
    results: (RecoveryOutcome | null)[],
    signal: AbortSignal,
    retryable: Map<number, Retry>,
    inWorker = false,
  ) {
    return Promise.all(
      asks.map(async ({ index, ask }) => {
        const request: RecoveryRequest = { ...ask, trigger, signal };
        let outcome: RecoveryOutcome;
        try {
          outcome = await recovery.run(request);
        } catch (error) {
          if (signal.aborted) return;
          logger.error('recovery.cluster_failed', { recoveryId, cluster: ask.clusterId, trigger, error });
          // The record, and every answer carrying it, gets the code and a fixed text only.
          const shown = publicFailure(error);
          if (error instanceof UnavailableError) retryable.set(index, { error, shown: shown.message });
          outcome = { cluster: ask.clusterId, error: shown };
        }
        // An outcome reached after the abort is partial (a deadline cut it): the worker redoes it.
        if (signal.aborted) return;
        results[index] = outcome;
        // In the worker, an unseal attempt found in progress may be the one the request aborted
        // (Vault keeps its progress; the unseal service resets a foreign attempt only once it has
        // stood still): retry through the queue rather than record "contended" as the end.
        const contended = inWorker && 'unseal' in outcome && outcome.unseal?.nodes.find((n) => n.outcome === 'contended');
        // Vault's own (redacted) text of the node outcome, which the record shows anyway.
        if (contended) {
          const shown = `node ${contended.node}: ${contended.message}`;
          retryable.set(index, { error: new UnavailableError(shown), shown });
        }
      }),
    );
  }

  /** Resolves when `work` settles or at `untilMs`, whichever is first; reports which. */
  async function settleBy(work: Promise<unknown>, untilMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, untilMs - clock.now()))));
    try {
      return await Promise.race([work.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async start(input) {
      const now = clock.now();
      const id = records.newId();
      const at = new Date(now).toISOString();
      const record: RecoveryRecord = {
        id,
        status: 'running',
        trigger: input.trigger,
        createdAt: at,
        updatedAt: at,
        requests: input.requests.map((r) => ({ ...r })),
        results: input.requests.map(() => null),
        attempts: 0,
        runningUntil: input.deadlineMs,
      };
      let item = await records.create(record);
      const controller = new AbortController();
      const retryable = new Map<number, Retry>();
      const all = runAll(
        id,
        record.requests.map((ask, index) => ({ index, ask })),
        input.trigger,
        record.results,
        controller.signal,
        retryable,
      );
      const budgetEnd = Math.min(now + input.budgetMs, input.deadlineMs - reserveMs);
      const inBudget = await settleBy(all, budgetEnd);
      if (!inBudget) {
        controller.abort(new UnavailableError('the request budget ran out; the worker finishes this recovery'));
        // Aborted work winds down (leases released, sockets closed) before we answer.
        if (!(await settleBy(all, input.deadlineMs - reserveMs))) logger.error('recovery.abort_overrun', { recoveryId: id });
      }
      const { runningUntil: _done, ...rest } = record;
      // Everything may have finished just as the budget ran out: then there is nothing to hand off.
      if (inBudget || record.results.every((r) => r !== null)) {
        item = await records.update({ ...rest, status: 'done' }, item.version);
        return { status: 'done', recoveryId: id, results: record.results as RecoveryOutcome[] };
      }
      item = await records.update({ ...rest, status: 'queued' }, item.version);
      try {
        await queue.send([{ kind: 'recovery', recoveryId: id, queuedAt: new Date(clock.now()).toISOString() }]);
      } catch (error) {
        await records
          .update({ ...rest, status: 'failed', lastError: { code: 'handoff_failed', message: 'the work queue refused the recovery' } }, item.version)
          .catch(() => {});
        // Always a 5xx for the caller (its body a fixed text): a queue that denies access or is
        // missing is our failure, not the sender's, and its message names the queue.
        throw error instanceof UnavailableError ? error : new UnavailableError('the work queue refused the recovery', { cause: error });
      }
      logger.info('recovery.handed_off', { recoveryId: id, trigger: input.trigger, pending: record.results.filter((r) => r === null).length });
      return { status: 'accepted', recoveryId: id, results: [] };
    },

    get: async (id) => (await records.get(id))?.data ?? null,
    recent: (limit) => records.recent(limit),

    async work(message, deadlineMs) {
      const item = await records.get(message.recoveryId);
      if (!item) {
        logger.warn('recovery.unknown', { recoveryId: message.recoveryId });
        return null;
      }
      const current = item.data;
      const now = clock.now();
      if (current.status === 'done' || current.status === 'failed') return current;
      // Another worker owns it until its invocation ends; this delivery is a duplicate.
      if (current.status === 'running' && (current.runningUntil ?? 0) > now) return current;
      let claimed;
      try {
        claimed = await records.update({ ...current, status: 'running', attempts: current.attempts + 1, runningUntil: deadlineMs }, item.version);
      } catch (error) {
        if (error instanceof ConflictError) return current;
        throw error;
      }
      const results = [...current.results];
      const pending = current.requests.map((ask, index) => ({ index, ask })).filter(({ index }) => results[index] === null);
      const controller = new AbortController();
      const retryable = new Map<number, Retry>();
      const all = runAll(current.id, pending, current.trigger, results, controller.signal, retryable, true);
      if (!(await settleBy(all, deadlineMs - reserveMs))) {
        controller.abort(new UnavailableError('the worker invocation ran out of time'));
        await settleBy(all, deadlineMs);
      }
      const { runningUntil: _owner, lastError: _last, ...base } = claimed.data;
      const unfinished = results.some((r) => r === null) || retryable.size > 0;
      if (unfinished) {
        // Retryable failures (state store, throttling) are forgotten so the retry runs them again.
        const kept = results.map((r, index) => (retryable.has(index) ? null : r));
        const first = [...retryable.values()][0];
        const lastError = { code: 'retrying', message: first === undefined ? 'the worker ran out of time' : first.shown };
        await records.update({ ...base, status: 'queued', results: kept, lastError }, claimed.version);
        // The thrown error goes to the log and the queue, not to callers: it keeps the details.
        throw new UnavailableError(
          `recovery ${current.id} is not finished (${first === undefined ? lastError.message : describeError(first.error)}); the queue retries it`,
        );
      }
      const done = await records.update({ ...base, status: 'done', results }, claimed.version);
      logger.info('recovery.completed', { recoveryId: current.id, attempts: done.data.attempts });
      return done.data;
    },
  };
}
