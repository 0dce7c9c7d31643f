import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { IncidentsQuerySchema, validate } from '../schemas.ts';

/** `GET /v1/incidents?cluster=&status=open|all&limit=` (scope `read`). */
export function registerIncidentRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get('/v1/incidents', requireScope(deps.apiKeys, 'read', deps.limiter), async (c) => {
    if (!deps.incidents) throw new HttpError(404, 'not_configured', 'incidents are not available in this deployment');
    const query = validate(IncidentsQuerySchema, c.req.query(), 'query');
    const incidents = await deps.incidents.list({
      status: query.status ?? 'open',
      limit: query.limit ?? 100,
      ...(query.cluster ? { cluster: query.cluster } : {}),
    });
    return c.json({ incidents });
  });
}
