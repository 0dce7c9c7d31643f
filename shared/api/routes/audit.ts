import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { NotFoundError } from '../../errors.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { AuditQuerySchema, validate } from '../schemas.ts';

/** `GET /v1/audit?cluster=ID&limit=` (scope `admin`): the cluster's audit trail, newest first. */
export function registerAuditRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get('/v1/audit', requireScope(deps.apiKeys, 'admin', deps.limiter), async (c) => {
    const query = validate(AuditQuerySchema, c.req.query(), 'query');
    if (!deps.clusters.some((x) => x.id === query.cluster)) throw new NotFoundError(`no cluster with id "${query.cluster}" is configured`);
    return c.json({ cluster: query.cluster, events: await deps.audit.list(query.cluster, { limit: query.limit ?? 100 }) });
  });
}
