import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { createIdempotency } from '../app/idempotency.ts';
import { ValidationError } from '../errors.ts';
import type { ApiApp, ApiAuth, ApiEnv, AppDeps, RouteDeps } from './app-deps.ts';
import { registerDashboard } from './dashboard/register-dashboard.ts';
import { errorBody, statusOf, toErrorResponse } from './errors.ts';
import { DEFAULT_LIMITS, limitBody, requestTimeout } from './middleware/limits.ts';
import { createRateLimiter } from './middleware/rate-limit.ts';
import { strictQuery } from './middleware/strict-query.ts';
import { OPERATIONS } from './openapi/operations.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerClusterRoutes } from './routes/clusters.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerAlertmanagerHook } from './routes/hooks-alertmanager.ts';
import { registerGenericHook } from './routes/hooks-generic.ts';
import { registerIncidentRoutes } from './routes/incidents.ts';
import { registerMetricsCounter, registerMetricsEndpoint } from './routes/metrics.ts';
import { registerOpenApiRoute } from './routes/openapi.ts';
import { registerRecoveryRoutes } from './routes/recoveries.ts';
import { registerSilenceRoutes } from './routes/silences.ts';

export type { AppDeps, ApiApp, ApiAuth, IncidentReader, SilenceService } from './app-deps.ts';

/**
 * The sealwatch HTTP API, shared by the Lambda handler (`functions/api`) and `sealwatch serve`.
 * It speaks web-standard Request/Response only; adapters translate. Middleware order: request
 * id → metrics → timeout → body limit → strict query → routes (each with its own auth and rate
 * limit). Every route is described in `openapi/operations.ts`.
 */
export function createApp(deps: AppDeps): ApiApp {
  assertSafeAuth(deps.auth);
  const clock = deps.clock;
  const limits = deps.api?.limits ?? DEFAULT_LIMITS;
  const routeDeps: RouteDeps = {
    clusters: deps.clusters,
    store: deps.store,
    logger: deps.logger,
    version: deps.version,
    clock,
    api: deps.api,
    limits,
    // Leaves time to hand unfinished work to the worker and answer `accepted` before the deadline.
    hookBudgetMs: Math.floor(limits.timeoutMs * 0.8),
    jobs: deps.jobs ?? null,
    apiKeys: deps.auth.mode === 'api-keys' ? deps.auth.keys : null,
    audit: deps.audit,
    incidents: deps.incidents ?? null,
    silences: deps.silences ?? null,
    sweepIntervalMs: deps.sweepIntervalMs ?? 60_000,
    wrapperFacts: deps.wrapperFacts ?? (() => []),
    metrics: deps.metrics ?? null,
    idempotency: deps.idempotency ?? createIdempotency({ store: deps.store, clock }),
    limiter: createRateLimiter({ perMinute: limits.requestsPerMinute, clock }),
  };

  const app = new Hono<ApiEnv>();
  app.use(requestId());
  registerMetricsCounter(app, routeDeps);
  app.use(requestTimeout(limits.timeoutMs));
  app.use(limitBody(limits.bodyBytes));
  app.use(strictQuery(OPERATIONS));

  registerHealthRoutes(app, routeDeps);
  registerMetricsEndpoint(app, routeDeps);
  registerOpenApiRoute(app, routeDeps);
  registerClusterRoutes(app, routeDeps);
  registerIncidentRoutes(app, routeDeps);
  registerSilenceRoutes(app, routeDeps);
  registerAuditRoutes(app, routeDeps);
  registerRecoveryRoutes(app, routeDeps);
  registerAlertmanagerHook(app, routeDeps);
  registerGenericHook(app, routeDeps);
  registerDashboard(app, routeDeps);
  deps.extraRoutes?.(app);

  app.notFound((c) => c.json(errorBody(c, 'not_found', `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`), 404));
  app.onError((error, c) => {
    // Refusals (4xx) are the caller's business; a 5xx is ours and goes to the log.
    if (statusOf(error) >= 500) deps.logger.error('api.error', { path: c.req.path, requestId: c.get('requestId'), error });
    return toErrorResponse(c, error);
  });
  return app;
}

/**
 * An unauthenticated API is only for a process that listens on loopback. The bind is checked
 * here, where the routes are built, so no caller can open the operator routes to a network by
 * forgetting a field or passing a wildcard address.
 *
 * @throws ValidationError for `open-loopback-demo` on a non-loopback (or wildcard) address, or an
 *   unknown mode.
 */
export function assertSafeAuth(auth: ApiAuth): void {
  if (auth?.mode === 'api-keys' && typeof auth.keys?.verify === 'function') return;
  if (auth?.mode === 'open-loopback-demo') {
    if (isLoopbackHost(auth.bind)) return;
    throw new ValidationError(`an unauthenticated API may only listen on a loopback address, not on "${String(auth.bind)}"`, [
      'auth: use api-keys, or bind to 127.0.0.1 / ::1 / localhost',
    ]);
  }
  throw new ValidationError('the API needs an auth mode: api-keys (with the key service) or open-loopback-demo', ['auth: missing or unknown']);
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`; never a wildcard such as 0.0.0.0 or ::. */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== 'string') return false;
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  const parts = v4.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
