import type { z } from 'zod';
import * as R from '../response-schemas.ts';
import * as S from '../schemas.ts';

/** Who may call an operation (see README "Authentication and scopes"). */
export type OperationAuth = 'none' | 'read' | 'operate' | 'admin' | 'alertmanager-token' | 'standard-webhooks' | 'dashboard';

export interface OperationResponse {
  description: string;
  /** JSON body schema; absent for non-JSON bodies (then `contentType` says what it is). */
  schema?: z.ZodType;
  contentType?: string;
  /** Response headers it may carry: name → description. */
  headers?: Record<string, string>;
}

/**
 * One API operation, described once: the route validates with these zod schemas, the strict-query
 * middleware refuses parameters not in `query`, and the OpenAPI document is generated from it.
 * A new route is one more entry here (path, schemas, answers) next to its handler; the API tests
 * fail when a registered route has no entry or an answer does not match its schema.
 */
export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template (`/v1/clusters/{id}`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: OperationAuth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Header parameters the operation requires (documented only; the handler checks them). */
  headers?: Record<string, string>;
  body?: { schema: z.ZodType; required: boolean };
  /**
   * Answers by status that are not the error envelope: the successes, and a route's own body for
   * an error status (`/readyz`'s 503). A status also in the error answers takes either body.
   */
  responses: Record<number, OperationResponse>;
  /** Error answers the operation can give beyond those its auth, parameters and body imply: status → codes. */
  errors?: Record<number, string[]>;
  /** Query parameters are not checked (a browser page). */
  lenientQuery?: boolean;
}

const json = (description: string, schema: z.ZodType): OperationResponse => ({ description, schema });
const REPLAYED = { 'Idempotent-Replayed': '`true` when this is the stored answer to an earlier identical delivery (nothing was done again)' };

export const TAGS: { name: string; description: string }[] = [
  { name: 'service', description: 'Liveness, readiness, the API description and metrics' },
  { name: 'clusters', description: 'Clusters and nodes as the last sweep recorded them; targeted sweeps and recovery' },
  { name: 'recoveries', description: 'Recoveries started by the routes, hooks and events, and their results' },
  { name: 'incidents', description: 'Incidents opened from findings, and their acknowledgement' },
  { name: 'silences', description: 'Maintenance silences (like Alertmanager)' },
  { name: 'audit', description: 'The audit trail of every action' },
  { name: 'hooks', description: 'Webhook receivers that trigger recovery' },
  { name: 'dashboard', description: 'The HTML status page' },
];

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'getDashboard',
    tag: 'dashboard',
    auth: 'dashboard',
    lenientQuery: true,
    summary: 'Status dashboard (HTML, reloads itself)',
    responses: { 200: { description: 'the page', contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tag: 'service',
    auth: 'none',
    summary: 'Liveness and version (answered from memory: loads no config, reads no store)',
    responses: { 200: json('alive', R.HealthSchema) },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    tag: 'service',
    auth: 'none',
    summary: 'Readiness: the config loaded and the state store answers a read within 3 s',
    responses: {
      200: json('ready', R.ReadySchema),
      503: json('not ready: the failed check says which (details are in the log)', R.ReadySchema),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'service',
    auth: 'none',
    summary: 'Prometheus metrics (text exposition format 0.0.4; `sealwatch serve` only)',
    responses: { 200: { description: 'metrics', contentType: 'text/plain; version=0.0.4' } },
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'service',
    auth: 'none',
    summary: 'This OpenAPI document',
    responses: { 200: json('the document', R.OpenApiDocumentSchema) },
  },
  {
    method: 'get',
    path: '/v1/clusters',
    operationId: 'listClusters',
    tag: 'clusters',
    auth: 'read',
    summary: 'Configured clusters: node counts by state and when they were last swept',
    responses: { 200: json('the clusters', R.ClusterListSchema) },
  },
  {
    method: 'get',
    path: '/v1/clusters/{id}',
    operationId: 'getCluster',
    tag: 'clusters',
    auth: 'read',
    params: S.ClusterPathSchema,
    summary: 'One cluster: every node with its state and last transition, the last sweep and its findings',
    responses: { 200: json('the cluster', R.ClusterDetailSchema) },
  },
  {
    method: 'post',
    path: '/v1/clusters/{id}/sweep',
    operationId: 'sweepCluster',
    tag: 'clusters',
    auth: 'operate',
    params: S.ClusterPathSchema,
    summary: 'Targeted sweep of one cluster (observe; unseal when its auto-unseal is on)',
    responses: {
      200: json('what the recovery did, with its record id', R.RecoveryDoneSchema),
      202: json('accepted: the recovery outlasted the request budget and the worker finishes it', R.RecoveryAcceptedSchema),
    },
    errors: { 404: ['not_found', 'not_configured'], 409: ['conflict'] },
  },
  {
    method: 'post',
    path: '/v1/clusters/{id}/recover',
    operationId: 'recoverCluster',
    tag: 'clusters',
    auth: 'operate',
    params: S.ClusterPathSchema,
    summary: 'Unseal the sealed nodes from custody, then sweep (dryRun: only say what would be done)',
    query: S.RecoverQuerySchema,
    body: { schema: S.RecoverBodySchema, required: false },
    responses: {
      200: json('what the recovery did (or would do), with its record id', R.RecoveryDoneSchema),
      202: json('accepted: the recovery outlasted the request budget and the worker finishes it', R.RecoveryAcceptedSchema),
    },
    errors: { 404: ['not_found', 'not_configured'], 409: ['conflict'] },
  },
  {
    method: 'get',
    path: '/v1/recoveries/{id}',
    operationId: 'getRecovery',
    tag: 'recoveries',
    auth: 'read',
    params: S.RecoveryPathSchema,
    summary: 'A recovery started by a route, hook or event: what was asked, its state and its results (kept 7 days)',
    responses: { 200: json('the recovery record', R.RecoveryRecordSchema) },
    errors: { 404: ['not_found', 'not_configured'] },
  },
  {
    method: 'get',
    path: '/v1/incidents',
    operationId: 'listIncidents',
    tag: 'incidents',
    auth: 'read',
    query: S.IncidentsQuerySchema,
    summary: 'Open incidents (status=all: pending conditions too), worst first, with the silence that applies and deliveries',
    responses: { 200: json('the incidents', R.IncidentListSchema) },
    errors: { 404: ['not_configured'] },
  },
  {
    method: 'post',
    path: '/v1/incidents/{key}/ack',
    operationId: 'acknowledgeIncident',
    tag: 'incidents',
    auth: 'operate',
    params: S.IncidentPathSchema,
    summary: 'Acknowledge an open incident: its reminders stop until it resolves (audited)',
    body: { schema: S.AckBodySchema, required: false },
    responses: { 200: json('the acknowledged incident', R.IncidentAckSchema) },
    errors: { 404: ['not_found', 'not_configured'], 409: ['conflict'] },
  },
  {
    method: 'get',
    path: '/v1/silences',
    operationId: 'listSilences',
    tag: 'silences',
    auth: 'read',
    summary: 'Active silences, soonest expiry first',
    responses: { 200: json('the silences', R.SilenceListSchema) },
    errors: { 404: ['not_configured'] },
  },
  {
    method: 'post',
    path: '/v1/silences',
    operationId: 'createSilence',
    tag: 'silences',
    auth: 'operate',
    summary: 'Silence a cluster, a node or one finding for a while; createdBy is the API key',
    body: { schema: S.SilenceBodySchema, required: true },
    responses: { 201: json('the silence', R.SilenceCreatedSchema) },
    errors: { 404: ['not_found', 'not_configured'] },
  },
  {
    method: 'delete',
    path: '/v1/silences/{id}',
    operationId: 'deleteSilence',
    tag: 'silences',
    auth: 'operate',
    params: S.SilencePathSchema,
    summary: 'End a silence now (audited)',
    responses: { 200: json('the silence that ended', R.SilenceRemovedSchema) },
    errors: { 404: ['not_found', 'not_configured'] },
  },
  {
    method: 'get',
    path: '/v1/audit',
    operationId: 'listAuditEvents',
    tag: 'audit',
    auth: 'admin',
    query: S.AuditQuerySchema,
    summary: "A cluster's audit trail, newest first",
    responses: { 200: json('the events', R.AuditListSchema) },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'post',
    path: '/v1/hooks/alertmanager',
    operationId: 'receiveAlertmanagerWebhook',
    tag: 'hooks',
    auth: 'alertmanager-token',
    summary: 'Alertmanager webhook receiver (version 4): firing alerts recover their clusters',
    body: { schema: S.AlertmanagerPayloadSchema, required: true },
    responses: {
      200: { ...json('done (failed clusters are reported in results) or ignored', R.HookSummarySchema), headers: REPLAYED },
      202: { ...json('accepted: the worker finishes the recovery past the request budget', R.HookSummarySchema), headers: REPLAYED },
    },
    errors: { 404: ['not_configured'], 409: ['in_progress'] },
  },
  {
    method: 'post',
    path: '/v1/hooks/generic',
    operationId: 'receiveSignedWebhook',
    tag: 'hooks',
    auth: 'standard-webhooks',
    summary: 'Standard Webhooks signed trigger',
    headers: {
      'webhook-id': 'unique message id: resent within 10 minutes, it gets the first answer again',
      'webhook-timestamp': 'Unix seconds, within ±5 minutes',
      'webhook-signature': 'v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">, space-separated',
    },
    body: { schema: S.GenericHookSchema, required: true },
    responses: {
      200: { ...json('done (failed clusters are reported in results)', R.HookSummarySchema), headers: REPLAYED },
      202: { ...json('accepted: the worker finishes the recovery past the request budget', R.HookSummarySchema), headers: REPLAYED },
    },
    errors: {
      401: ['missing_headers', 'bad_timestamp', 'stale_timestamp', 'bad_signature'],
      404: ['not_found', 'not_configured'],
      409: ['replayed', 'in_progress'],
    },
  },
];
