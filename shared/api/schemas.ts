import { z } from 'zod';
import { RECOVERY_ID } from '../app/recovery-records.ts';
import { FINDING_IDS } from '../core/finding-catalogue.ts';
import { ValidationError } from '../errors.ts';
import { HttpError } from './errors.ts';

// Request schemas. Bodies and queries of our own routes are strict: an unknown field or query
// parameter is a 400 naming it, never silently ignored (`{"dryrun":true}` must not run a real
// recovery). Only Alertmanager's payload stays open: it is another program's format.

/** Cluster and node ids as the configuration allows them. */
export const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an id: lowercase letters, digits and dashes, up to 63');

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
export const GenericHookSchema = z.strictObject({ cluster: Id, node: Id.optional(), action: RecoveryActionSchema });

/** Path parameter `{id}` of the cluster routes. */
export const ClusterPathSchema = z.strictObject({ id: Id });

/** `POST /v1/clusters/:id/recover`; an empty body recovers every node. */
export const RecoverBodySchema = z.strictObject({
  nodes: z.array(Id).max(256).optional(),
  dryRun: z.boolean().optional(),
});

/** `?dryRun=true|false` on `POST /v1/clusters/:id/recover`: a boolean, nothing else (`1` is refused). */
export const RecoverQuerySchema = z.strictObject({
  dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export const SilenceBodySchema = z.strictObject({
  cluster: Id,
  node: Id.optional(),
  /** A finding id from the catalogue (`node.sealed`...); all of the cluster's when absent. */
  finding: z.enum(FINDING_IDS as [string, ...string[]], { error: 'not a finding id of the catalogue (README "Findings")' }).optional(),
  durationMinutes: z.number().int().min(1).max(129_600),
  /** Why (required, like Alertmanager's silence comment). */
  comment: z.string().trim().min(1).max(500),
});

/** `DELETE /v1/silences/:id`. */
export const SilencePathSchema = z.strictObject({ id: z.string().regex(/^sil-[a-f0-9]{1,32}$/, 'a silence id (sil-…)') });

export const IncidentsQuerySchema = z.strictObject({
  cluster: Id.optional(),
  status: z.enum(['open', 'all']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** `POST /v1/incidents/:key/ack`: the incident's dedup key, `sealwatch:<cluster>:<node|->:<finding>`. */
export const IncidentPathSchema = z.strictObject({
  key: z
    .string()
    .regex(/^sealwatch:[a-z0-9-]{1,63}:[a-z0-9-]{1,63}:[a-z0-9][a-z0-9.-]{0,127}$/, 'an incident dedup key (sealwatch:<cluster>:<node|->:<finding>)'),
});

/** `GET /v1/recoveries/:id`: ids look like `rcv-20261207T072700Z-0a1b2c3d`. */
export const RecoveryPathSchema = z.strictObject({ id: z.string().regex(RECOVERY_ID, 'a recovery id (rcv-<UTC time>-<8 hex>)') });

export const AckBodySchema = z.strictObject({ comment: z.string().trim().max(500).optional() });

export const AuditQuerySchema = z.strictObject({ cluster: Id, limit: z.coerce.number().int().min(1).max(500).optional() });

/** Parses JSON text; malformed text is a 400 `invalid_json`, never a 500. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

/** A body that may be empty (`{}` then). */
export function parseOptionalJson(text: string): unknown {
  return text.trim() === '' ? {} : parseJsonText(text);
}

/** Validates `value`; the problems (paths and reasons, never the values) are in the message. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 10).map(describeIssue);
  throw new ValidationError(`invalid ${what}: ${problems.join('; ')}`, problems);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    // Names are the caller's own field names, cut short: enough to spot `dryrun` vs `dryRun`.
    return `${where}: unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k.slice(0, 64)}"`).join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}
