import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AccessDeniedError, ConflictError, NotFoundError, SealwatchError, UnavailableError, ValidationError } from '../errors.ts';

/** Every error leaves the API as `{"error":{"code","message"},"requestId"}`: no stack, no secret. */
export function errorBody(c: Context, code: string, message: string) {
  return { error: { code, message }, requestId: c.get('requestId') as string };
}

/** An API-level refusal with its own status and code (unauthorized, too large, rate limited...). */
export class HttpError extends SealwatchError {
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}

export function statusOf(error: unknown): ContentfulStatusCode {
  if (error instanceof HttpError) return error.status;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ValidationError) return 400;
  if (error instanceof AccessDeniedError) return 403;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnavailableError) return 503;
  return 500;
}

/**
 * The only texts a 5xx answer may carry. A server-side failure's own message names tables, item
 * keys, addresses or SDK details; callers (unauthenticated ones included) get a fixed sentence and
 * the request id, and the details go to the server log under that id.
 */
export const SERVER_ERROR_MESSAGES = {
  timeout: 'the request did not complete in time; retry later',
  unavailable: 'a dependency is unavailable; retry later (see the server log with this requestId)',
  internal: 'internal error; see the server log with this requestId',
} as const;

/** Refusals (4xx) keep their message (written to be shown); a 5xx gets a fixed code and text only. */
export function toErrorResponse(c: Context, error: unknown) {
  const status = statusOf(error);
  if (status >= 500) {
    const code = status === 503 ? (error instanceof HttpError && error.code === 'timeout' ? 'timeout' : 'unavailable') : 'internal';
    const headers = error instanceof HttpError ? error.headers : {};
    return c.json(errorBody(c, code, SERVER_ERROR_MESSAGES[code]), status, headers);
  }
  if (error instanceof HttpError) return c.json(errorBody(c, error.code, error.message), status, error.headers);
  if (error instanceof SealwatchError) return c.json(errorBody(c, error.code, error.message), status);
  return c.json(errorBody(c, 'internal', SERVER_ERROR_MESSAGES.internal), 500);
}
