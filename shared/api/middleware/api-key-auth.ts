import type { MiddlewareHandler } from 'hono';
import { scopeAllows, type ApiKeyInfo, type ApiKeyService, type ApiScope } from '../../app/api-keys.ts';
import { HttpError } from '../errors.ts';
import { spend, type RateLimiter } from './rate-limit.ts';

export type AuthVariables = { apiKey: ApiKeyInfo | null };

/** The presented key: `Authorization: Bearer swk_…` or `X-Api-Key: swk_…`. */
function presentedKey(authorization: string | undefined, header: string | undefined): string | null {
  if (header) return header.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? (match[1] as string) : null;
}

/**
 * Requires an API key holding `scope` (or a higher one), then spends one request of that key's
 * rate budget. 401 `unauthorized` without a live key, 403 `forbidden` without the scope. When
 * `keys` is null the API runs unauthenticated (in-process tests and the demo only).
 */
export function requireScope(keys: ApiKeyService | null, scope: ApiScope, limiter: RateLimiter): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    if (!keys) {
      c.set('apiKey', null);
      spend(limiter, 'anonymous');
      return next();
    }
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    const info = presented && presented.length <= 256 ? await keys.verify(presented) : null;
    if (!info)
      throw new HttpError(401, 'unauthorized', 'a valid API key is required (Authorization: Bearer swk_…)', { 'www-authenticate': 'Bearer realm="sealwatch"' });
    if (!scopeAllows(info.scopes, scope)) throw new HttpError(403, 'forbidden', `this API key lacks the "${scope}" scope`);
    spend(limiter, `key:${info.id}`, 'requests for this API key');
    c.set('apiKey', info);
    return next();
  };
}
