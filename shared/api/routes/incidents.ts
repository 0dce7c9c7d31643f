import type { ApiApp, IncidentReader, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { AckBodySchema, IncidentPathSchema, IncidentsQuerySchema, parseOptionalJson, validate } from '../schemas.ts';

/** `GET /v1/incidents?cluster=&status=open|all&limit=` (scope `read`), `POST /v1/incidents/:key/ack` (scope `operate`). */
export function registerIncidentRoutes(app: ApiApp, deps: RouteDeps): void {
  const service = (): IncidentReader => {
    if (!deps.incidents) throw new HttpError(404, 'not_configured', 'incidents are not available in this deployment');
    return deps.incidents;
  };

  app.get('/v1/incidents', requireScope(deps.apiKeys, 'read', deps.limiter), async (c) => {
    const incidents = service();
    const query = validate(IncidentsQuerySchema, c.req.query(), 'query');
    const list = await incidents.list({
      status: query.status ?? 'open',
      limit: query.limit ?? 100,
      ...(query.cluster ? { cluster: query.cluster } : {}),
    });
    return c.json({ incidents: list });
  });

  app.post('/v1/incidents/:key/ack', requireScope(deps.apiKeys, 'operate', deps.limiter), async (c) => {
    const incidents = service();
    const { key } = validate(IncidentPathSchema, { key: c.req.param('key') }, 'path');
    const body = validate(AckBodySchema, parseOptionalJson(await c.req.text()), 'acknowledgement');
    const apiKey = c.get('apiKey');
    const incident = await incidents.acknowledge({
      dedupKey: key,
      by: apiKey ? `apikey:${apiKey.id} (${apiKey.name})` : 'api (unauthenticated)',
      ...(body.comment ? { comment: body.comment } : {}),
    });
    return c.json({ incident });
  });
}
