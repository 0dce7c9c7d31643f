import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps, SilenceService } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { parseJsonText, SilenceBodySchema, SilencePathSchema, validate } from '../schemas.ts';

/**
 * `GET /v1/silences` (scope `read`), `POST /v1/silences` and `DELETE /v1/silences/:id` (scope
 * `operate`): maintenance silences like Alertmanager's, each recording who (the API key) and why.
 */
export function registerSilenceRoutes(app: ApiApp, deps: RouteDeps): void {
  const service = (): SilenceService => {
    if (!deps.silences) throw new HttpError(404, 'not_configured', 'silences are not available in this deployment');
    return deps.silences;
  };
  const author = (key: { id: string; name: string } | null) => (key ? `apikey:${key.id} (${key.name})` : 'api (unauthenticated)');

  app.get('/v1/silences', requireScope(deps.apiKeys, 'read', deps.limiter), async (c) => c.json({ silences: await service().list() }));

  app.post('/v1/silences', requireScope(deps.apiKeys, 'operate', deps.limiter), async (c) => {
    const silences = service();
    const body = validate(SilenceBodySchema, parseJsonText(await c.req.text()), 'silence');
    const cluster = deps.clusters.find((x) => x.id === body.cluster);
    if (!cluster) throw new NotFoundError(`no cluster with id "${body.cluster}" is configured`);
    if (body.node !== undefined && !cluster.nodes.some((n) => n.id === body.node)) throw new NotFoundError(`cluster ${cluster.id} has no node "${body.node}"`);
    const silence = await silences.add({
      cluster: body.cluster,
      ...(body.node ? { node: body.node } : {}),
      ...(body.finding ? { finding: body.finding } : {}),
      forMs: body.durationMinutes * 60_000,
      comment: body.comment,
      createdBy: author(c.get('apiKey')),
    });
    return c.json({ silence }, 201);
  });

  app.delete('/v1/silences/:id', requireScope(deps.apiKeys, 'operate', deps.limiter), async (c) => {
    const silences = service();
    const { id } = validate(SilencePathSchema, { id: c.req.param('id') }, 'path');
    return c.json({ removed: await silences.remove(id, author(c.get('apiKey'))) });
  });
}
