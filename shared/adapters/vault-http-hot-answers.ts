import type { HealthBody, SealStatus } from '../core/vault-types.ts';
import { opt } from './vault-http-schemas.ts';

/*
 * Hand-written decoders for the two answers every sweep reads from every node (`sys/health`,
 * `sys/seal-status`). They accept exactly what `healthBodySchema` and `sealStatusSchema` accept
 * and return the same values; anything else returns `undefined`, and the caller falls back to
 * the zod schema, which stays the specification and words the error. A sweep of a thousand nodes
 * spent more time in zod and in the whole-body redaction walk than in the HTTP exchange itself;
 * these read only the fields sealwatch keeps and redact only the texts they return.
 *
 * `test/unit/adapters/vault-http-hot-answers.test.ts` checks them against the schemas on every
 * recorded answer and on mutated ones.
 */

type Json = Record<string, unknown>;
type Redact = (text: string) => string;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** zod's `z.number()`: a finite number (JSON never yields anything else). */
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** `.nullish()` of a type: absent, null, or the type. */
const nullishOk = (v: unknown, is: (v: unknown) => boolean) => v === undefined || v === null || is(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** A nullish string field, redacted; null and absent both become undefined. */
function text(v: unknown, redact: Redact): string | undefined {
  return typeof v === 'string' ? redact(v) : undefined;
}
function flag(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

const SEAL_STRINGS = ['nonce', 'build_date', 'commit_date', 'cluster_name', 'cluster_id', 'recovery_seal_type', 'storage_type'] as const;
const SEAL_BOOLEANS = ['migration', 'recovery_seal', 'removed_from_cluster'] as const;

/** `sys/seal-status` (and `sys/unseal`) as `sealStatusSchema` decodes it, or undefined. */
export function decodeSealStatus(json: unknown, redact: Redact): SealStatus | undefined {
  if (!isObject(json)) return undefined;
  const s = json;
  if (!isString(s.type) || !isBoolean(s.initialized) || !isBoolean(s.sealed) || !isString(s.version)) return undefined;
  if (!isNumber(s.t) || !isNumber(s.n) || !isNumber(s.progress)) return undefined;
  for (const k of SEAL_STRINGS) if (!nullishOk(s[k], isString)) return undefined;
  for (const k of SEAL_BOOLEANS) if (!nullishOk(s[k], isBoolean)) return undefined;
  return {
    type: redact(s.type),
    initialized: s.initialized,
    sealed: s.sealed,
    t: s.t,
    n: s.n,
    progress: s.progress,
    nonce: text(s.nonce, redact) ?? '',
    version: redact(s.version),
    ...opt('buildDate', text(s.build_date, redact)),
    ...opt('commitDate', text(s.commit_date, redact)),
    migration: flag(s.migration) ?? false,
    ...opt('clusterName', text(s.cluster_name, redact) || undefined),
    ...opt('clusterId', text(s.cluster_id, redact) || undefined),
    recoverySeal: flag(s.recovery_seal) ?? false,
    ...opt('recoverySealType', text(s.recovery_seal_type, redact)),
    ...opt('storageType', text(s.storage_type, redact)),
    ...opt('removedFromCluster', flag(s.removed_from_cluster)),
  };
}

const HEALTH_STRINGS = ['replication_performance_mode', 'replication_dr_mode', 'version', 'cluster_name', 'cluster_id'] as const;
const HEALTH_BOOLEANS = ['performance_standby', 'enterprise', 'removed_from_cluster', 'ha_connection_healthy'] as const;
const HEALTH_NUMBERS = [
  'server_time_utc',
  'echo_duration_ms',
  'clock_skew_ms',
  'replication_primary_canary_age_ms',
  'last_request_forwarding_heartbeat_ms',
] as const;

/** A `sys/health` body as `healthBodySchema` decodes it, or undefined. */
export function decodeHealthBody(json: unknown, redact: Redact): HealthBody | undefined {
  if (!isObject(json)) return undefined;
  const h = json;
  if (!isBoolean(h.initialized) || !isBoolean(h.sealed) || !isBoolean(h.standby)) return undefined;
  for (const k of HEALTH_STRINGS) if (!nullishOk(h[k], isString)) return undefined;
  for (const k of HEALTH_BOOLEANS) if (!nullishOk(h[k], isBoolean)) return undefined;
  for (const k of HEALTH_NUMBERS) if (!nullishOk(h[k], isNumber)) return undefined;
  return {
    initialized: h.initialized,
    sealed: h.sealed,
    standby: h.standby,
    ...opt('performanceStandby', flag(h.performance_standby)),
    ...opt('replicationPerformanceMode', text(h.replication_performance_mode, redact)),
    ...opt('replicationDrMode', text(h.replication_dr_mode, redact)),
    ...opt('serverTimeUtc', num(h.server_time_utc)),
    version: text(h.version, redact) ?? '',
    ...opt('enterprise', flag(h.enterprise)),
    ...opt('clusterName', text(h.cluster_name, redact) || undefined),
    ...opt('clusterId', text(h.cluster_id, redact) || undefined),
    ...opt('echoDurationMs', num(h.echo_duration_ms)),
    ...opt('clockSkewMs', num(h.clock_skew_ms)),
    ...opt('replicationPrimaryCanaryAgeMs', num(h.replication_primary_canary_age_ms)),
    ...opt('removedFromCluster', flag(h.removed_from_cluster)),
    ...opt('haConnectionHealthy', flag(h.ha_connection_healthy)),
    ...opt('lastRequestForwardingHeartbeatMs', num(h.last_request_forwarding_heartbeat_ms)),
  };
}
