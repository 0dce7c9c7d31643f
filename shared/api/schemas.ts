import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { HttpError } from './errors.ts';

/** Cluster and node ids as the configuration allows them. */
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an id: lowercase letters, digits and dashes, up to 63');

export const RecoveryActionSchema = z.enum(['sweep', 'recover', 'unseal']);

/** Alertmanager's webhook body (`version "4"`); unknown fields are kept and ignored. */
export const AlertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string().max(8192),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1024).optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).optional(),
        startsAt: z.string().max(64),
        endsAt: z.string().max(64).optional(),
        fingerprint: z.string().max(256),
      }),
    )
    .max(5000),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayloadSchema>;

/** `POST /v1/hooks/generic` (signed with Standard Webhooks). */
export const GenericHookSchema = z.object({ cluster: Id, node: Id.optional(), action: RecoveryActionSchema });

/** `POST /v1/clusters/:id/recover`; an empty body recovers every node. */
export const RecoverBodySchema = z.object({
  nodes: z.array(Id).max(256).optional(),
  dryRun: z.boolean().optional(),
});

export const SilenceBodySchema = z.object({
  cluster: Id,
  node: Id.optional(),
  /** A finding id (`sealwatch.node-sealed`...) to silence; all of the cluster's when absent. */
  finding: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,127}$/).optional(),
  durationMinutes: z.number().int().min(1).max(129_600),
  reason: z.string().min(1).max(500),
});

export const IncidentsQuerySchema = z.object({
  cluster: Id.optional(),
  status: z.enum(['open', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const AuditQuerySchema = z.object({ cluster: Id, limit: z.coerce.number().int().min(1).max(500).optional() });

// Responses (documented in the OpenAPI document; not re-validated at run time).

export const ErrorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  requestId: z.string(),
});

const NodeDetail = z.object({
  id: z.string(),
  url: z.string(),
  state: z.string(),
  since: z.string().nullable(),
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
  nodeCount: z.number(),
  states: z.record(z.string(), z.number()),
});
export const ClusterListSchema = z.object({ clusters: z.array(ClusterSummarySchema) });
export const ClusterDetailSchema = ClusterSummarySchema.extend({ nodes: z.array(NodeDetail) });

export const RecoveryResultSchema = z.object({
  cluster: z.string(),
  action: RecoveryActionSchema,
  dryRun: z.boolean(),
  unseal: z
    .object({
      ok: z.boolean(),
      nodes: z.array(z.object({ node: z.string(), outcome: z.string(), message: z.string(), shareIndexes: z.array(z.number()) })),
      findings: z.array(z.string()),
    })
    .optional(),
  sweep: z
    .object({ skipped: z.string().optional(), nodes: z.array(z.object({ node: z.string(), state: z.string() })), findings: z.array(z.string()) })
    .optional(),
});

const RecoveryOutcomeSchema = z.union([RecoveryResultSchema, z.object({ cluster: z.string(), error: z.object({ code: z.string(), message: z.string() }) })]);

export const HookSummarySchema = z.object({
  status: z.enum(['done', 'accepted', 'ignored']),
  /** `GET /v1/recoveries/{id}`; absent when nothing was started (`ignored`). */
  recoveryId: z.string().optional(),
  alerts: z.number().optional(),
  firing: z.number().optional(),
  unmatched: z.number().optional(),
  results: z.array(RecoveryOutcomeSchema),
});

/** A cluster route's recovery: the result when it finished in time, else `accepted`. */
export const RecoveryStartSchema = z.union([
  RecoveryResultSchema.extend({ recoveryId: z.string() }),
  z.object({ status: z.literal('accepted'), recoveryId: z.string(), results: z.array(z.never()) }),
]);

export const RecoveryRecordSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'queued', 'done', 'failed']),
  trigger: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  requests: z.array(z.object({ clusterId: z.string(), action: RecoveryActionSchema, nodeIds: z.array(z.string()).optional(), dryRun: z.boolean().optional() })),
  results: z.array(z.union([RecoveryOutcomeSchema, z.null()])),
  attempts: z.number(),
  runningUntil: z.number().optional(),
  lastError: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const ReadySchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  checks: z.object({ config: z.string(), stateStore: z.string() }),
});

export const HealthSchema = z.object({ ok: z.literal(true), version: z.string() });
export const AnyListSchema = (key: string) => z.object({ [key]: z.array(z.record(z.string(), z.unknown())) });

/** Parses JSON text; malformed text is a 400 `invalid_json`, never a 500. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

/** Validates `value`; the problems (paths and reasons, never the values) are in the message. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ValidationError(`invalid ${what}: ${problems.join('; ')}`, problems);
}
