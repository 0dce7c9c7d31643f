import { readHeartbeats } from '../../app/sweep-heartbeat.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';

/** Counts every API request by method and status (first middleware, so it sees every answer). */
export function registerMetricsCounter(app: ApiApp, deps: RouteDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  app.use('*', async (c, next) => {
    await next();
    // Bounded label values: a client inventing methods must not create series without end.
    const method = methods.has(c.req.method) ? c.req.method : 'other';
    metrics.inc('sealwatch_http_requests_total', { method, status: String(c.res.status) });
  });
}

/**
 * `GET /metrics` (Prometheus text format), when the composer passes a Metrics instance;
 * registered after the deadline and strict-query middleware. The last-sweep gauge is read from
 * the state store at scrape time, so it stays true when sweeps run in another process (or stop:
 * then it stops moving, and `time() - sealwatch_last_sweep_timestamp_seconds` is the alert).
 */
export function registerMetricsEndpoint(app: ApiApp, deps: RouteDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  app.get('/metrics', async (c) => {
    const heartbeats = await readHeartbeats(
      deps.store,
      deps.clusters.map((x) => x.id),
    );
    deps.clusters.forEach((cluster, i) => {
      const at = heartbeats[i]?.at;
      if (at) metrics.set('sealwatch_last_sweep_timestamp_seconds', { cluster: cluster.id }, Math.floor(Date.parse(at) / 1000));
    });
    return c.body(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
}
