import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { systemClock } from '../adapters/system-clock.ts';
import { createAuditLog } from '../app/audit-log.ts';
import { createIdempotency } from '../app/idempotency.ts';
import type { ApiApp, ApiEnv, AppDeps, RouteDeps } from './app-deps.ts';
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

export type { AppDeps, ApiApp, IncidentReader, SilenceService } from './app-deps.ts';

/**
 * The sealwatch HTTP API, shared by the Lambda handler (`functions/api`) and `sealwatch serve`.
 * It speaks web-standard Request/Response only; adapters translate. Middleware order: request
 * id → metrics → timeout → body limit → strict query → routes (each with its own auth and rate
 * limit). Every route is described in `openapi/operations.ts`.
 */
export function createApp(deps: AppDeps): ApiApp {
  const clock = deps.clock ?? systemClock;
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
    apiKeys: deps.apiKeys ?? null,
    audit: deps.audit ?? createAuditLog({ store: deps.store, clock }),
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
