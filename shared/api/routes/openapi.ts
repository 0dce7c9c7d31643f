import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import * as S from '../schemas.ts';

type Scope = 'read' | 'operate' | 'admin';
interface Operation {
  summary: string;
  auth?: Scope | 'bearer-token' | 'standard-webhooks';
  body?: z.ZodType;
  query?: z.ZodObject;
  response: z.ZodType;
  status?: number;
  errors: number[];
}

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } } });

/** The API surface, described once from the zod schemas the routes validate with. */
function operations(): Record<string, Record<string, Operation>> {
  const list = (key: string) => S.AnyListSchema(key);
  return {
    '/healthz': { get: { summary: 'Liveness and version (loads no config, touches no store)', response: S.HealthSchema, errors: [] } },
    '/readyz': { get: { summary: 'Readiness: the config loaded and the state store answers (503 when not)', response: S.ReadySchema, errors: [503] } },
    '/v1/recoveries/{id}': { get: { summary: 'A recovery started by a route, hook or event: its state and results', auth: 'read', response: S.RecoveryRecordSchema, errors: [401, 403, 404, 429] } },
    '/v1/clusters': { get: { summary: 'Configured clusters with node counts by state', auth: 'read', response: S.ClusterListSchema, errors: [401, 403, 429] } },
    '/v1/clusters/{id}': { get: { summary: 'One cluster with every node', auth: 'read', response: S.ClusterDetailSchema, errors: [401, 403, 404, 429] } },
    '/v1/clusters/{id}/sweep': { post: { summary: 'Targeted sweep of one cluster (202 accepted with a recovery id past the budget)', auth: 'operate', response: S.RecoveryStartSchema, errors: [401, 403, 404, 429, 503] } },
    '/v1/clusters/{id}/recover': {
      post: { summary: 'Unseal the sealed nodes from custody, then sweep (dryRun: say what would be done; 202 accepted with a recovery id past the budget)', auth: 'operate', body: S.RecoverBodySchema, response: S.RecoveryStartSchema, errors: [400, 401, 403, 404, 413, 429, 503] },
    },
    '/v1/incidents': { get: { summary: 'Incidents', auth: 'read', query: S.IncidentsQuerySchema, response: list('incidents'), errors: [400, 401, 403, 429] } },
    '/v1/silences': { post: { summary: 'Silence a cluster, node or finding', auth: 'operate', body: S.SilenceBodySchema, response: z.object({ silence: z.record(z.string(), z.unknown()) }), status: 201, errors: [400, 401, 403, 404, 413, 429] } },
    '/v1/audit': { get: { summary: "A cluster's audit trail, newest first", auth: 'admin', query: S.AuditQuerySchema, response: z.object({ cluster: z.string(), events: z.array(z.record(z.string(), z.unknown())) }), errors: [400, 401, 403, 404, 429] } },
    '/v1/hooks/alertmanager': {
      post: { summary: 'Alertmanager webhook receiver (version 4): firing alerts recover their clusters', auth: 'bearer-token', body: S.AlertmanagerPayloadSchema, response: S.HookSummarySchema, errors: [400, 401, 404, 409, 413, 429, 503] },
    },
    '/v1/hooks/generic': {
      post: { summary: 'Standard Webhooks signed trigger', auth: 'standard-webhooks', body: S.GenericHookSchema, response: S.HookSummarySchema, errors: [400, 401, 404, 409, 413, 429, 503] },
    },
  };
}

/** OpenAPI 3.1 document of the API. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(operations())) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const parameters = [
        ...(path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
        ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: !(schema as z.ZodType).safeParse(undefined).success,
          schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }),
        })),
      ];
      const security =
        op.auth === undefined || op.auth === 'standard-webhooks' ? [] : op.auth === 'bearer-token' ? [{ alertmanagerToken: [] }] : [{ apiKey: [] }];
      paths[path][method] = {
        summary: op.summary,
        ...(op.auth && op.auth !== 'bearer-token' && op.auth !== 'standard-webhooks' ? { 'x-sealwatch-scope': op.auth } : {}),
        ...(op.auth === 'standard-webhooks' ? { 'x-signature': 'Standard Webhooks v1 (webhook-id, webhook-timestamp, webhook-signature)' } : {}),
        security,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(op.body ? { requestBody: { required: true, ...json(op.body) } } : {}),
        responses: {
          [String(op.status ?? 200)]: { description: 'OK', ...json(op.response) },
          ...Object.fromEntries(op.errors.map((s) => [String(s), { $ref: '#/components/responses/Error' }])),
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'sealwatch API', version },
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (swk_…) from `sealwatch apikey create`' },
        alertmanagerToken: { type: 'http', scheme: 'bearer', description: 'api.alertmanager.token' },
      },
      responses: { Error: { description: 'Error envelope', ...json(S.ErrorEnvelopeSchema) } },
    },
  };
}

/** `GET /v1/openapi.json` (no authentication: it describes, it does not reveal). */
export function registerOpenApiRoute(app: ApiApp, deps: RouteDeps): void {
  let document: Record<string, unknown> | undefined;
  app.get('/v1/openapi.json', (c) => c.json((document ??= buildOpenApiDocument(deps.version))));
}
