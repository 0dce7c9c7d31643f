import type { Secret } from '../config/secret.ts';
import { ValidationError } from '../errors.ts';
import type { DeliveryResult } from '../ports/alert-channel.ts';
import { oneLine, truncate } from './alert-text.ts';

/**
 * The HTTP side shared by the webhook-style alert channels: one request with a deadline, the
 * answer classified into a DeliveryResult, and every error text scrubbed of URLs and secrets.
 */

export type DeliveryFailure = Extract<DeliveryResult, { ok: false }>;

export interface HttpRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** The exact bytes to send (signatures are computed over them). */
  body?: string;
}

export interface HttpContext {
  timeoutMs: number;
  /** The caller's signal (outbox shutdown); aborting it ends the request like a timeout. */
  signal: AbortSignal;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export type HttpExchange = { ok: true; status: number; headers: Headers; body: string } | { ok: false; failure: DeliveryFailure };

/** Response bodies are only read for error details (and JSM's lookup); more is never needed. */
const MAX_BODY_BYTES = 65_536;

/**
 * Sends one request and returns the answer, whatever its status. Only transport failures
 * (refused, reset, DNS, timeout, abort) become a failure here, all retryable. Redirects are not
 * followed: a 3xx is an answer, classified as a failure by `classifyStatus`.
 */
export async function exchange(request: HttpRequest, context: HttpContext): Promise<HttpExchange> {
  const doFetch = context.fetch ?? fetch;
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = AbortSignal.any([context.signal, timeout]);
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method ?? 'POST',
      headers: {
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        'user-agent': 'sealwatch',
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    if (context.signal.aborted) return { ok: false, failure: { ok: false, retryable: true, error: 'aborted before the channel answered' } };
    if (timeout.aborted) {
      return { ok: false, failure: { ok: false, retryable: true, error: `timed out after ${context.timeoutMs} ms` } };
    }
    return { ok: false, failure: { ok: false, retryable: true, error: `network error (${networkCode(error)})` } };
  }
  // The status decides the outcome; a body cut off mid-way only loses the error detail.
  const body = await readBody(response).catch(() => '');
  return { ok: true, status: response.status, headers: response.headers, body };
}

async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/**
 * Only the error code of a transport failure: undici's messages name hosts and ports, and the
 * URL itself (a Slack or Teams webhook) is a credential.
 */
function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'unknown';
}

export interface ClassifyOptions {
  /** The channel's own reading of the error body, e.g. Slack's `invalid_payload`. */
  detail?: string;
  /** Milliseconds since the epoch, for Retry-After given as an HTTP date. */
  now: number;
}

/**
 * 2xx → delivered. 429, 408 and 5xx → retryable, with `retryAfterMs` when the answer carried a
 * Retry-After. 3xx (redirects are not followed) and other 4xx → permanent.
 */
export function classifyStatus(status: number, headers: Headers, options: ClassifyOptions): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  const retryable = status === 429 || status === 408 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(headers.get('retry-after'), options.now) : undefined;
  const what = status >= 300 && status < 400 ? `HTTP ${status} (redirect not followed)` : `HTTP ${status}`;
  return {
    ok: false,
    retryable,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    error: options.detail ? `${what}: ${options.detail}` : what,
  };
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds (`120`) or an HTTP date. A date in the
 * past means "now" (0). Anything unparseable is ignored.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // HTTP dates always name the day and end in GMT; Date.parse alone accepts far too much.
  if (!/^[A-Za-z]{3},? .*GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * A provider's error text made safe for the delivery record: one line, at most 200 characters,
 * URLs replaced by `[url]` and every given secret (also URL-encoded) by `[redacted]`.
 */
export function safeDetail(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
  }
  out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url]');
  return truncate(oneLine(out), 200);
}

/** The value of a configured secret at send time (lazy SSM / Secrets Manager references resolve here). */
export async function revealSecret(secret: Secret): Promise<string> {
  return secret.value();
}

/**
 * `revealSecret` that cannot throw: a reference that cannot be resolved now (SSM down) is a
 * retryable delivery failure, described without the reference or any value.
 */
export async function resolveSecret(secret: Secret, name: string): Promise<{ ok: true; value: string } | { ok: false; failure: DeliveryFailure }> {
  try {
    const value = await revealSecret(secret);
    if (value.length === 0) return { ok: false, failure: { ok: false, retryable: false, error: `${name} is empty` } };
    return { ok: true, value };
  } catch {
    return { ok: false, failure: { ok: false, retryable: true, error: `${name} could not be resolved` } };
  }
}

export interface DeliverContext extends HttpContext {
  now: () => number;
  /** Values scrubbed from any error text (keys, tokens, webhook URLs). */
  secrets: readonly string[];
  /** Reads the provider's error body; defaults to `describeBody`. */
  describe?: (body: string, status: number) => string;
}

/** `exchange` + `classifyAnswer`: the whole life of one delivery attempt over HTTP. */
export async function deliver(request: HttpRequest, context: DeliverContext): Promise<DeliveryResult> {
  return classifyAnswer(await exchange(request, context), request, context);
}

/** An exchange as a DeliveryResult, with the provider's error text scrubbed for the record. */
export function classifyAnswer(answer: HttpExchange, request: HttpRequest, context: DeliverContext): DeliveryResult {
  if (!answer.ok) return answer.failure;
  if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
  const raw = (context.describe ?? describeBody)(answer.body, answer.status);
  const detail = raw ? safeDetail(raw, [...context.secrets, request.url, ...urlTokens(request.url)]) : '';
  return classifyStatus(answer.status, answer.headers, { now: context.now(), ...(detail ? { detail } : {}) });
}

/**
 * The readable part of an error body: a JSON `message` (with `errors` when given, as PagerDuty
 * and Opsgenie do) or `error`, else the text itself when it is short (Slack's `no_service`).
 */
export function describeBody(body: string): string {
  const text = body.trim();
  if (text.length === 0) return '';
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.error === 'string' ? parsed.error : '';
      const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string') : [];
      const joined = [message, ...errors].filter(Boolean).join('; ');
      if (joined) return joined;
    } catch {
      // not JSON after all: fall through to the raw text
    }
  }
  return text.length <= 200 && !text.startsWith('<') ? text : '';
}

/** What every HTTP channel factory accepts besides its own settings. */
export interface ChannelHttpOptions {
  /** Deadline per request (default 10 s; Standard Webhooks suggests 15–30 s at most). */
  timeoutMs?: number;
  /** Milliseconds since the epoch (Retry-After dates, webhook timestamps). */
  now?: () => number;
  fetch?: typeof fetch;
}

export const DEFAULT_ALERT_TIMEOUT_MS = 10_000;

/** Checks the shared options once, at construction. */
export function channelHttpDefaults(kind: string, id: string, options: ChannelHttpOptions): { timeoutMs: number; now: () => number; fetch?: typeof fetch } {
  const problems: string[] = [];
  if (typeof id !== 'string' || id.length === 0) problems.push('id: must be a non-empty string');
  const timeoutMs = options.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) problems.push('timeoutMs: must be an integer 1..120000');
  if (problems.length > 0) throw new ValidationError(`invalid ${kind} alert channel options`, problems);
  return { timeoutMs, now: options.now ?? Date.now, ...(options.fetch ? { fetch: options.fetch } : {}) };
}

/** The path segments of a webhook URL, each a credential fragment to scrub from error texts. */
export function urlTokens(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [...parsed.pathname.split('/').filter((s) => s.length >= 8), ...[...parsed.searchParams.values()].filter((v) => v.length >= 8)];
  } catch {
    return [];
  }
}
