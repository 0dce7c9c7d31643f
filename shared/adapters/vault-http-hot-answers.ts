import type { HealthBody, SealStatus } from '../core/vault-types.ts';

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
  // Optional fields are set one by one rather than spread in: the same object, fewer copies.
  const out: SealStatus = {
    type: redact(s.type),
    initialized: s.initialized,
    sealed: s.sealed,
    t: s.t,
    n: s.n,
    progress: s.progress,
    nonce: text(s.nonce, redact) ?? '',
    version: redact(s.version),
    migration: flag(s.migration) ?? false,
    recoverySeal: flag(s.recovery_seal) ?? false,
  };
  const buildDate = text(s.build_date, redact);
  if (buildDate !== undefined) out.buildDate = buildDate;
  const commitDate = text(s.commit_date, redact);
  if (commitDate !== undefined) out.commitDate = commitDate;
  // Vault sends cluster fields only when unsealed, but "" would be as meaningless as absent.
  const clusterName = text(s.cluster_name, redact);
  if (clusterName) out.clusterName = clusterName;
  const clusterId = text(s.cluster_id, redact);
  if (clusterId) out.clusterId = clusterId;
  const recoverySealType = text(s.recovery_seal_type, redact);
  if (recoverySealType !== undefined) out.recoverySealType = recoverySealType;
  const storageType = text(s.storage_type, redact);
  if (storageType !== undefined) out.storageType = storageType;
  const removed = flag(s.removed_from_cluster);
  if (removed !== undefined) out.removedFromCluster = removed;
  return out;
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
  const out: HealthBody = { initialized: h.initialized, sealed: h.sealed, standby: h.standby, version: text(h.version, redact) ?? '' };
  const performanceStandby = flag(h.performance_standby);
  if (performanceStandby !== undefined) out.performanceStandby = performanceStandby;
  const performanceMode = text(h.replication_performance_mode, redact);
  if (performanceMode !== undefined) out.replicationPerformanceMode = performanceMode;
  const drMode = text(h.replication_dr_mode, redact);
  if (drMode !== undefined) out.replicationDrMode = drMode;
  const serverTime = num(h.server_time_utc);
  if (serverTime !== undefined) out.serverTimeUtc = serverTime;
  const enterprise = flag(h.enterprise);
  if (enterprise !== undefined) out.enterprise = enterprise;
  const clusterName = text(h.cluster_name, redact);
  if (clusterName) out.clusterName = clusterName;
  const clusterId = text(h.cluster_id, redact);
  if (clusterId) out.clusterId = clusterId;
  const echo = num(h.echo_duration_ms);
  if (echo !== undefined) out.echoDurationMs = echo;
  const skew = num(h.clock_skew_ms);
  if (skew !== undefined) out.clockSkewMs = skew;
  const canary = num(h.replication_primary_canary_age_ms);
  if (canary !== undefined) out.replicationPrimaryCanaryAgeMs = canary;
  const removed = flag(h.removed_from_cluster);
  if (removed !== undefined) out.removedFromCluster = removed;
  const haHealthy = flag(h.ha_connection_healthy);
  if (haHealthy !== undefined) out.haConnectionHealthy = haHealthy;
  const heartbeat = num(h.last_request_forwarding_heartbeat_ms);
  if (heartbeat !== undefined) out.lastRequestForwardingHeartbeatMs = heartbeat;
  return out;
}
