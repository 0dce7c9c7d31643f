import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { mountDashboard } from './mount-dashboard.tsx';

/**
 * The dashboard as one of the API's route modules: `GET /` unless `api.dashboard.enabled` is
 * false, guarded by the API's keys (read scope) and per-key rate limit.
 */
export function registerDashboard(app: ApiApp, deps: RouteDeps): void {
  mountDashboard(app, {
    enabled: deps.api?.dashboard?.enabled ?? true,
    clusters: deps.clusters,
    store: deps.store,
    keys: deps.apiKeys,
    limiter: deps.limiter,
    clock: deps.clock,
    version: deps.version,
    audit: deps.audit,
    sweepIntervalMs: deps.sweepIntervalMs,
    wrapperFacts: deps.wrapperFacts,
    ...(deps.jobs ? { recoveries: (limit: number) => (deps.jobs as NonNullable<RouteDeps['jobs']>).recent(limit) } : {}),
  });
}
