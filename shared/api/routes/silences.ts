import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { parseJsonText, SilenceBodySchema, validate } from '../schemas.ts';

/** `POST /v1/silences` (scope `operate`): mutes a cluster, a node or one finding for a while. */
export function registerSilenceRoutes(app: ApiApp, deps: RouteDeps): void {
  app.post('/v1/silences', requireScope(deps.apiKeys, 'operate', deps.limiter), async (c) => {
    if (!deps.silences) throw new HttpError(404, 'not_configured', 'silences are not available in this deployment');
    const body = validate(SilenceBodySchema, parseJsonText(await c.req.text()), 'silence');
    const cluster = deps.clusters.find((x) => x.id === body.cluster);
    if (!cluster) throw new NotFoundError(`no cluster with id "${body.cluster}" is configured`);
    if (body.node !== undefined && !cluster.nodes.some((n) => n.id === body.node)) throw new NotFoundError(`cluster ${cluster.id} has no node "${body.node}"`);
    const key = c.get('apiKey');
    const silence = await deps.silences.create({
      cluster: body.cluster,
      ...(body.node ? { node: body.node } : {}),
      ...(body.finding ? { finding: body.finding } : {}),
      forMs: body.durationMinutes * 60_000,
      reason: body.reason,
      createdBy: key ? `apikey:${key.id} (${key.name})` : 'api',
    });
    return c.json({ silence }, 201);
  });
}
