import type { ApiApp, RouteDeps } from '../app-deps.ts';

/** `GET /metrics` (Prometheus text format), when the composer passes a Metrics instance. */
export function registerMetricsRoute(app: ApiApp, deps: RouteDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  app.use('*', async (c, next) => {
    await next();
    // Bounded label values: a client inventing methods must not create series without end.
    const method = methods.has(c.req.method) ? c.req.method : 'other';
    metrics.inc('sealwatch_http_requests_total', { method, status: String(c.res.status) });
  });
  app.get('/metrics', (c) => c.body(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
}
