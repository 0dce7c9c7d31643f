import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Idempotency } from '../../app/idempotency.ts';
import type { RecoveryJobs, RecoveryStart } from '../../app/recovery-jobs.ts';
import type { RecoveryAsk, RecoveryOutcome } from '../../app/recovery-records.ts';
import type { RouteDeps } from '../app-deps.ts';
import { errorBody, HttpError, SERVER_ERROR_MESSAGES } from '../errors.ts';

export type { RecoveryOutcome } from '../../app/recovery-records.ts';

export function requireJobs(deps: RouteDeps): RecoveryJobs {
  if (!deps.jobs) throw new HttpError(404, 'not_configured', 'recovery is not available in this deployment');
  return deps.jobs;
}

/** Kept between our answer and the request deadline (the timeout middleware's 503). */
const ANSWER_MARGIN_MS = 500;
/** Kept between our answer and the end of the Lambda invocation. */
const LAMBDA_MARGIN_MS = 1000;

/**
 * When this request must be answered: the request timeout, or earlier when the Lambda
 * invocation ends first (`c.env.lambdaContext` from hono's Lambda adapter).
 */
export function answerDeadline(c: Context, deps: RouteDeps): number {
  const now = deps.clock.now();
  let deadline = now + deps.limits.timeoutMs - ANSWER_MARGIN_MS;
  const remaining = lambdaRemainingMs(c);
  if (remaining !== undefined) deadline = Math.min(deadline, now + remaining - LAMBDA_MARGIN_MS);
  return deadline;
}

/** The invocation's remaining time when running on Lambda; undefined elsewhere. */
export function lambdaRemainingMs(c: Context): number | undefined {
  const env = c.env as { lambdaContext?: { getRemainingTimeInMillis?: () => number } } | undefined;
  const remaining = env?.lambdaContext?.getRemainingTimeInMillis?.();
  return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : undefined;
}

/**
 * Starts recoveries for a route: waits at most the hook budget (80 % of the time left before
 * the answer is due), then answers `accepted` with a recovery id while the worker finishes.
 * No work outlives the answer: unfinished work is aborted and handed off first.
 */
export function startRecovery(c: Context, deps: RouteDeps, trigger: string, requests: readonly RecoveryAsk[]): Promise<RecoveryStart> {
  const deadlineMs = answerDeadline(c, deps);
  const budgetMs = Math.max(0, Math.min(deps.hookBudgetMs, Math.floor((deadlineMs - deps.clock.now()) * 0.8)));
  return requireJobs(deps).start({ trigger, requests, budgetMs, deadlineMs });
}

export const startStatus = (start: RecoveryStart): 200 | 202 => (start.status === 'accepted' ? 202 : 200);

/**
 * The HTTP status an operator route answers for one cluster that could not be recovered. The
 * route checked the cluster and node ids before starting, so a failure is ours (5xx) — a missing
 * KMS key or a denied IAM call is not the caller's 404 or 403 — except another sweep or recovery
 * holding the cluster (409, retry later).
 */
export function outcomeStatus(outcome: RecoveryOutcome): ContentfulStatusCode {
  if (!('error' in outcome)) return 200;
  const { code } = outcome.error;
  if (code === 'conflict') return 409;
  if (code === 'unavailable' || code === 'throttled' || code.startsWith('vault_')) return 503;
  return 500;
}

/**
 * A cluster route's answer for a recovery that failed: a 409 carries its code, the record's
 * text and the recovery id; a server-side failure (5xx) carries only a code, a fixed message and
 * the request id, like every other 5xx of the API. The log links the two ids.
 */
export function failedOutcomeAnswer(c: Context, deps: RouteDeps, recoveryId: string, outcome: Extract<RecoveryOutcome, { error: unknown }>): Response {
  const status = outcomeStatus(outcome);
  // The record's text is already a fixed one (publicFailure); the 409 names the record.
  if (status < 500) return c.json({ ...errorBody(c, outcome.error.code, outcome.error.message), recoveryId }, status);
  const code = status === 503 ? 'unavailable' : 'internal';
  deps.logger.error('api.recovery_failed', { requestId: c.get('requestId'), recoveryId, cluster: outcome.cluster, code: outcome.error.code });
  return c.json(errorBody(c, code, SERVER_ERROR_MESSAGES[code]), status);
}

/** When the invocation ends for sure (in-progress idempotency claims lapse then). */
export function invocationEnd(c: Context, deps: RouteDeps): number {
  const remaining = lambdaRemainingMs(c);
  return deps.clock.now() + (remaining ?? deps.limits.timeoutMs);
}

/**
 * The answer for an idempotent delivery: the stored answer again for a resend of a completed
 * delivery (marked `Idempotent-Replayed: true`), 409 `in_progress` while another invocation
 * runs it, 409 `replayed` when the key came with another payload.
 */
export function idempotentAnswer(c: Context, deps: RouteDeps, decision: IdempotentOutcome): Response {
  switch (decision.kind) {
    case 'ran':
      return c.json(decision.response.body as object, decision.response.status as ContentfulStatusCode);
    case 'completed':
      return c.json(decision.response.body as object, decision.response.status as ContentfulStatusCode, { 'idempotent-replayed': 'true' });
    case 'in-progress': {
      const seconds = Math.max(1, Math.ceil((decision.untilMs - deps.clock.now()) / 1000));
      throw new HttpError(409, 'in_progress', 'this delivery is being handled by another request; retry later', { 'retry-after': String(seconds) });
    }
    case 'mismatch':
      throw new HttpError(409, 'replayed', 'this delivery id was already used for a different body');
  }
}

type IdempotentOutcome = Awaited<ReturnType<Idempotency['run']>>;
