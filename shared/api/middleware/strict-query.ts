import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Operation } from '../openapi/operations.ts';
import { validate } from '../schemas.ts';
import { HttpError } from '../errors.ts';

const NO_QUERY = z.strictObject({});

/**
 * Refuses, for every described operation, query parameters it does not take (400
 * `invalid_input` naming them), a parameter given twice, and values its query schema rejects,
 * before the route runs. Routes thus never silently ignore what a caller meant (`?dryrun=1`).
 * Requests matching no operation pass through (to the 404).
 */
export function strictQuery(operations: readonly Operation[]): MiddlewareHandler {
  const matchers = operations.map((op) => ({
    op,
    method: op.method.toUpperCase(),
    pattern: new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[a-zA-Z]+\\?\}/g, '[^/]+')}$`),
  }));
  return async (c, next) => {
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const match = matchers.find((m) => m.method === method && m.pattern.test(c.req.path));
    if (match && !match.op.lenientQuery) {
      const all = c.req.queries();
      const repeated = Object.entries(all)
        .filter(([, values]) => values.length > 1)
        .map(([name]) => `"${name.slice(0, 64)}"`);
      if (repeated.length > 0) throw new HttpError(400, 'invalid_input', `invalid query: given more than once: ${repeated.join(', ')}`);
      validate(match.op.query ?? NO_QUERY, c.req.query(), 'query');
    }
    await next();
  };
}
