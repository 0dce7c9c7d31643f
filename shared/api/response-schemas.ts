import { z } from 'zod';
import { AUDIT_ACTIONS } from '../app/audit-log.ts';
import { NODE_STATES } from '../core/node-state.ts';
import { RecoveryActionSchema } from './schemas.ts';

// Response schemas: documented in the OpenAPI document, and checked against real answers by the
// API tests (not re-validated at run time). Objects are closed (`additionalProperties: false` in
// the document), so a field added to an answer without being documented fails those tests.

const IsoTime = z.string().describe('ISO 8601 time (UTC)');
const NodeStateSchema = z.enum(NODE_STATES as [string, ...string[]]);
const Severity = z.enum(['info', 'warning', 'critical']);

export const ErrorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  requestId: z.string(),
  recoveryId: z
    .string()
    .optional()
    .describe('on a 409 of the recovery routes: the recovery record that was refused (`GET /v1/recoveries/{id}`); never on a 5xx'),
});

export const FindingSchema = z.object({
  id: z.string(),
  severity: Severity,
  cluster: z.string(),
  node: z.string().optional(),
  message: z.string(),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))])),
});

const NodeDetail = z.object({
  id: z.string(),
  url: z.string(),
  state: z.union([NodeStateSchema, z.literal('unknown')]),
  since: IsoTime.nullable(),
  previousState: NodeStateSchema.nullable().describe('the state before `state`; with `changedBy: sealwatch` sealwatch ended it (an unseal)'),
  previousSince: IsoTime.nullable().describe('when `previousState` was first detected'),
  changedBy: z.literal('sealwatch').nullable(),
  initialized: z.boolean().nullable(),
  sealType: z.string().nullable(),
  threshold: z.number().nullable(),
  shares: z.number().nullable(),
  version: z.string().nullable(),
  clusterId: z.string().nullable(),
  error: z.string().nullable(),
});

export const ClusterSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  nodeCount: z.number().int(),
  states: z.record(z.string(), z.number().int()),
  lastSweepAt: IsoTime.nullable().describe('when a sweep last observed this cluster; null: never'),
  lastSweepAgeSeconds: z.number().int().nullable(),
  stale: z.boolean().describe('never swept, or the last sweep is older than 2 × sweep.interval: the states are not current'),
});
export const ClusterListSchema = z.object({ clusters: z.array(ClusterSummarySchema) });
export const ClusterDetailSchema = ClusterSummarySchema.extend({
  nodes: z.array(NodeDetail),
  findings: z.array(FindingSchema).describe("the last sweep's findings for this cluster"),
});

export const RecoveryResultSchema = z.object({
  cluster: z.string(),
  action: RecoveryActionSchema,
  dryRun: z.boolean(),
  unseal: z
    .object({
      ok: z.boolean(),
      nodes: z.array(z.object({ node: z.string(), outcome: z.string(), message: z.string(), shareIndexes: z.array(z.number().int()) })),
      findings: z.array(z.string()),
    })
    .optional(),
  sweep: z
    .object({ skipped: z.string().optional(), nodes: z.array(z.object({ node: z.string(), state: z.string() })), findings: z.array(z.string()) })
    .optional(),
  steps: z
    .array(
      z.object({
        kind: z.string(),
        nodeId: z.string(),
        outcome: z.string(),
        message: z.string(),
        durationMs: z.number(),
        reason: z.string().optional().describe('why the plan called for it (`node is sealed`, …)'),
      }),
    )
    .optional()
    .describe('`recover`: every action of its one plan, applied (or, in a dry run, described): unseal, raft-join, raft-remove-peer, storage-backup'),
});

const RecoveryFailureSchema = z
  .object({
    cluster: z.string(),
    error: z.object({ code: z.string(), message: z.string().describe('a fixed text per kind of failure; details are in the server log') }),
  })
  .describe('a cluster whose recovery failed');
const RecoveryOutcomeSchema = z.union([RecoveryResultSchema, RecoveryFailureSchema]);

/** 200 of the cluster recovery routes: the result, and the record that keeps it. */
export const RecoveryDoneSchema = RecoveryResultSchema.extend({ recoveryId: z.string().describe('`GET /v1/recoveries/{id}`') });

/** 202: the recovery outlasted the request budget and the worker finishes it. */
export const RecoveryAcceptedSchema = z.object({
  status: z.literal('accepted'),
  recoveryId: z.string().describe('`GET /v1/recoveries/{id}` shows the results once the worker has them'),
  results: z.array(z.unknown()).max(0),
});

export const HookSummarySchema = z.object({
  status: z.enum(['done', 'accepted', 'ignored']),
  recoveryId: z.string().optional().describe('`GET /v1/recoveries/{id}`; absent when nothing was started (`ignored`)'),
  alerts: z.number().int().optional(),
  firing: z.number().int().optional(),
  unmatched: z.number().int().optional(),
  results: z.array(RecoveryOutcomeSchema).describe('one per cluster asked (empty while `accepted`)'),
});

export const RecoveryRecordSchema = z.object({
  id: z.string(),
  status: z
    .enum(['running', 'queued', 'done', 'failed'])
    .describe(
      'running: in the request or a worker; queued: handed to the worker (or waiting for a retry); done: every cluster has an outcome; failed: the hand-off failed',
    ),
  trigger: z.string().describe('api, alertmanager, webhook, eventbridge'),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  requests: z.array(z.object({ clusterId: z.string(), action: RecoveryActionSchema, nodeIds: z.array(z.string()).optional(), dryRun: z.boolean().optional() })),
  results: z
    .array(z.union([RecoveryResultSchema, RecoveryFailureSchema, z.null()]))
    .describe('aligned with requests; null while that cluster has not finished'),
  attempts: z.number().int().describe('worker attempts (0: finished in the request)'),
  runningUntil: z.number().int().optional().describe('epoch ms until which the current runner owns it'),
  lastError: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const ReadySchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  checks: z.object({ config: z.string(), stateStore: z.string().describe('ok, unavailable, or no answer within 3 s') }),
});

export const SilenceSchema = z.object({
  id: z.string(),
  cluster: z.string(),
  node: z.string().optional(),
  finding: z.string().optional(),
  createdBy: z.string(),
  comment: z.string(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
});
export const SilenceListSchema = z.object({ silences: z.array(SilenceSchema) });
export const SilenceCreatedSchema = z.object({ silence: SilenceSchema });
export const SilenceRemovedSchema = z.object({ removed: SilenceSchema });

export const IncidentSchema = z.object({
  dedupKey: z.string(),
  cluster: z.string(),
  node: z.string().optional(),
  findingId: z.string(),
  status: z.enum(['pending', 'open']),
  severity: Severity,
  message: z.string(),
  evidence: FindingSchema.shape.evidence,
  hits: z.number().int(),
  healthy: z.number().int(),
  firstSeenAt: IsoTime,
  openedAt: IsoTime.optional(),
  lastNotifiedAt: IsoTime.optional(),
  notified: z.boolean(),
  acknowledged: z.object({ at: IsoTime, by: z.string(), comment: z.string().optional() }).optional(),
  silencedBy: z.object({ id: z.string(), createdBy: z.string(), comment: z.string(), expiresAt: IsoTime }).nullable(),
  deliveries: z.array(
    z.object({
      channel: z.string(),
      kind: z.enum(['trigger', 'update', 'reminder', 'resolve', 'info', 'test']),
      state: z.string(),
      attempts: z.number().int(),
      lastStatus: z.number().int().optional(),
      lastError: z.string().optional(),
      deliveredAt: IsoTime.optional(),
    }),
  ),
});
export const IncidentListSchema = z.object({ incidents: z.array(IncidentSchema) });
export const IncidentAckSchema = z.object({ incident: IncidentSchema });

export const AuditEventSchema = z.object({
  at: IsoTime,
  trigger: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  node: z.string(),
  shareIndexes: z.array(z.number().int()),
  wrappers: z.array(z.string()),
  outcome: z.string(),
  timings: z.object({ unwrapMs: z.number(), submitMs: z.number(), totalMs: z.number() }),
  message: z.string(),
});
export const AuditListSchema = z.object({ cluster: z.string(), events: z.array(AuditEventSchema) });

export const HealthSchema = z.object({ ok: z.literal(true), version: z.string() });
export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });
