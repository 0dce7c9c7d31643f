import { z } from 'zod';
import { ErrorEnvelopeSchema } from '../response-schemas.ts';
import { OPERATIONS, TAGS, type Operation, type OperationResponse } from './operations.ts';

type Json = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 (JSON Schema 2020-12) schema object. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/**
 * Every error answer an operation can give, by status: those its authentication, parameters and
 * body imply, plus its own (`errors`), plus 500/503 which any route can answer.
 */
export function errorStatuses(op: Operation): Map<number, string[]> {
  const statuses = new Map<number, Set<string>>();
  const add = (status: number, ...codes: string[]) => {
    const set = statuses.get(status) ?? new Set<string>();
    for (const code of codes) set.add(code);
    statuses.set(status, set);
  };
  if (!op.lenientQuery || op.params || op.body) add(400, 'invalid_input');
  if (op.body) {
    add(400, 'invalid_json');
    add(413, 'payload_too_large');
  }
  if (op.params) add(404, 'not_found');
  if (op.auth === 'read' || op.auth === 'operate' || op.auth === 'admin' || op.auth === 'dashboard') {
    add(401, 'unauthorized');
    add(403, 'forbidden');
    add(429, 'rate_limited');
  }
  if (op.auth === 'alertmanager-token') add(401, 'unauthorized');
  if (op.auth === 'alertmanager-token' || op.auth === 'standard-webhooks') add(429, 'rate_limited');
  for (const [status, codes] of Object.entries(op.errors ?? {})) add(Number(status), ...codes);
  add(500, 'internal');
  add(503, 'timeout', 'unavailable');
  return new Map([...statuses].sort(([a], [b]) => a - b).map(([s, codes]) => [s, [...codes]]));
}

function success(response: OperationResponse): Json {
  const type = response.contentType ?? 'application/json';
  const schema = response.schema ? schemaOf(response.schema, 'output') : { type: 'string' };
  const headers = Object.entries(response.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]);
  return { description: response.description, ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}), content: { [type]: { schema } } };
}

/**
 * A status that is both a route's own answer and an error answer (`/readyz` 503: its report, or
 * the timeout's error envelope): either body, told apart by their required fields.
 */
function either(own: Json, error: Json): Json {
  const ownSchema = (own.content as Record<string, { schema: Json }>)['application/json']?.schema;
  const errorSchema = (error.content as Record<string, { schema: Json }>)['application/json']?.schema;
  if (!ownSchema || !errorSchema) throw new TypeError('a status answered by a route and by an error must both be JSON');
  return {
    ...error,
    description: `${String(own.description)}; or ${String(error.description)}`,
    content: { 'application/json': { schema: { oneOf: [ownSchema, errorSchema] } } },
  };
}

function failure(op: Operation, status: number, codes: string[]): Json {
  // The dashboard answers its refusals as HTML pages; everything else as the JSON envelope.
  const html = op.auth === 'dashboard' && (status === 401 || status === 403 || status === 429);
  const headers: Json = {};
  if (status === 429) headers['Retry-After'] = { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } };
  if (status === 401 && op.auth !== 'standard-webhooks')
    headers['WWW-Authenticate'] = { description: 'the authentication scheme to use', schema: { type: 'string' } };
  return {
    description: `error code${codes.length === 1 ? '' : 's'}: ${codes.join(', ')}`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: html ? { 'text/html': { schema: { type: 'string' } } } : { 'application/json': { schema: ERROR_REF } },
  };
}

function security(op: Operation): Json[] {
  switch (op.auth) {
    case 'read':
    case 'operate':
    case 'admin':
      return [{ apiKeyHeader: [] }, { apiKeyBearer: [] }];
    case 'dashboard':
      return [{ dashboardBasic: [] }, { apiKeyBearer: [] }];
    case 'alertmanager-token':
      return [{ alertmanagerToken: [] }];
    default:
      return [];
  }
}

function parameters(op: Operation): Json[] {
  const from = (shape: z.ZodRawShape | undefined, where: 'path' | 'query') =>
    Object.entries(shape ?? {}).map(([name, schema]) => ({
      name,
      in: where,
      required: where === 'path' || !(schema as z.ZodType).safeParse(undefined).success,
      schema: schemaOf(schema as z.ZodType, 'input'),
    }));
  const headers = Object.entries(op.headers ?? {}).map(([name, description]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  return [...from(op.params?.shape, 'path'), ...from(op.query?.shape, 'query'), ...headers];
}

function responsesOf(op: Operation): Json {
  const responses: Json = Object.fromEntries(Object.entries(op.responses).map(([status, response]) => [status, success(response)]));
  for (const [status, codes] of errorStatuses(op)) {
    const error = failure(op, status, codes);
    const own = responses[String(status)] as Json | undefined;
    responses[String(status)] = own ? either(own, error) : error;
  }
  // Status keys are integer-like, so they enumerate in ascending order.
  return responses;
}

function operationObject(op: Operation): Json {
  const params = parameters(op);
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.auth === 'read' || op.auth === 'operate' || op.auth === 'admin' ? { 'x-sealwatch-scope': op.auth } : {}),
    security: security(op),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: { 'application/json': { schema: schemaOf(op.body.schema, 'input') } } } } : {}),
    responses: responsesOf(op),
  };
}

/** The OpenAPI 3.1 document of every operation in `operations`, served from `serverUrl`. */
export function buildOpenApiDocument(version: string, serverUrl: string, operations: readonly Operation[] = OPERATIONS): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'sealwatch API',
      version,
      description: 'Keeps HashiCorp Vault and OpenBao clusters unsealed, healthy and watched. Every error is `{"error":{"code","message"},"requestId"}`.',
      license: { name: 'MPL-2.0', identifier: 'MPL-2.0' },
    },
    servers: [{ url: serverUrl, description: 'the sealwatch that served this document' }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'An API key (swk_…) from `sealwatch apikey create`' },
        apiKeyBearer: { type: 'http', scheme: 'bearer', description: 'The same API key as `Authorization: Bearer swk_…`' },
        dashboardBasic: { type: 'http', scheme: 'basic', description: 'Browsers: any user name, the API key as password' },
        alertmanagerToken: { type: 'http', scheme: 'bearer', description: 'api.alertmanager.token' },
      },
      schemas: { Error: schemaOf(ErrorEnvelopeSchema, 'output') },
    },
  };
}
