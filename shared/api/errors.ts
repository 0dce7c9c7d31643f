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

/** Our own errors keep their message (they are written to be shown); anything else does not. */
export function toErrorResponse(c: Context, error: unknown) {
  const status = statusOf(error);
  if (error instanceof HttpError) return c.json(errorBody(c, error.code, error.message), status, error.headers);
  if (error instanceof SealwatchError) return c.json(errorBody(c, error.code, error.message), status);
  return c.json(errorBody(c, 'internal', 'internal error; see the server log with this requestId'), 500);
}
