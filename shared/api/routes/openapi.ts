import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';

/**
 * `GET /v1/openapi.json` (no authentication: it describes, it does not reveal). `servers` names
 * the origin the document was fetched from, so a client generated from it talks to this sealwatch.
 */
export function registerOpenApiRoute(app: ApiApp, deps: RouteDeps): void {
  const byOrigin = new Map<string, Record<string, unknown>>();
  app.get('/v1/openapi.json', (c) => {
    const origin = new URL(c.req.url).origin;
    let document = byOrigin.get(origin);
    if (!document) {
      document = buildOpenApiDocument(deps.version, origin);
      // Bounded: a client sending arbitrary Host headers must not grow this without end.
      if (byOrigin.size < 16) byOrigin.set(origin, document);
    }
    return c.json(document);
  });
}
