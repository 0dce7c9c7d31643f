import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HttpError } from '../errors.ts';

export interface ApiLimits {
  /** Largest request body accepted (default 256 KiB). */
  bodyBytes: number;
  /** Requests per minute per API key or per webhook sender (default 120). */
  requestsPerMinute: number;
  /** Deadline of a whole request (default 25 s: under API Gateway's 30 s). */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: ApiLimits = { bodyBytes: 256 * 1024, requestsPerMinute: 120, timeoutMs: 25_000 };

/** 413 `payload_too_large` past `maxBytes`, whether or not the client sent a Content-Length. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
    },
  });
}

/**
 * 503 `timeout` when the handler has not answered within `ms`. The handler keeps running (its
 * late result or failure is dropped); work that must finish answers early by itself (hooks
 * answer `accepted` within their budget).
 */
export function requestTimeout(ms: number): MiddlewareHandler {
  return async (_c, next) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError(503, 'timeout', `the request did not complete within ${ms} ms`)), ms);
    });
    const handled = next();
    handled.catch(() => {});
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
