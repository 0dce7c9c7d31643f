import type { Clock } from '../../ports/clock.ts';
import { HttpError } from '../errors.ts';

export interface RateLimiter {
  /** Takes one request from `key`'s budget; false when the budget is spent. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

/**
 * A token bucket per key: `perMinute` requests, refilled continuously. In memory, so per
 * process locally and per Lambda instance on AWS (put API Gateway throttling in front for a
 * global cap). Idle buckets are dropped so arbitrary keys cannot grow memory without bound.
 */
export function createRateLimiter(options: { perMinute: number; clock: Clock; maxKeys?: number }): RateLimiter {
  const { perMinute, clock } = options;
  if (!(perMinute >= 1)) throw new RangeError('perMinute must be at least 1');
  const maxKeys = options.maxKeys ?? 10_000;
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (key: string) => {
    const now = clock.now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = now;
    return bucket;
  };
  const verdict = (tokens: number) =>
    tokens < 1 ? { ok: false as const, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) } : { ok: true as const };
  return {
    take(key) {
      const bucket = refill(key);
      buckets.delete(key);
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
      buckets.set(key, bucket);
      const result = verdict(bucket.tokens);
      if (result.ok) bucket.tokens -= 1;
      return result;
    },
  };
}

/** Spends one request of `key`'s budget; 429 `rate_limited` with Retry-After once it is spent. */
export function spend(limiter: RateLimiter, key: string, what = 'requests'): void {
  const taken = limiter.take(key);
  if (!taken.ok) throw rateLimited(taken.retryAfterSeconds, what);
}

/** 429 `rate_limited` with Retry-After. */
export function rateLimited(retryAfterSeconds: number, what: string): HttpError {
  return new HttpError(429, 'rate_limited', `too many ${what}; retry in ${retryAfterSeconds} s`, {
    'retry-after': String(retryAfterSeconds),
  });
}
