import { z } from 'zod';
import type { HaStatusNode, HealthBody, InitResponse, LeaderStatus, SealStatus } from '../core/vault-types.ts';

/*
 * zod schemas for the Vault/OpenBao answers sealwatch reads (Vault `api/sys_*.go` and `http/sys_*.go` @ v1.14.9/v1.19.0, OpenBao @ v2.6.0). Objects strip
 * unknown keys (hcp_*, warnings, mount_type, Enterprise fields...) so new server versions do not
 * break parsing; fields that some versions omit (e.g. `build_date` since 1.11, `commit_date` on OpenBao 2.6) are optional or defaulted.
 * Vault's `omitempty` fields may also arrive as null from proxies or OpenBao, so optional values
 * accept null and treat it as absent.
 */

/** Keeps `key` out of the result when the value is absent, as exactOptionalPropertyTypes wants. */
export function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}

export const optString = z.string().nullish();
export const optBool = z.boolean().nullish();
export const optNumber = z.number().nullish();

/** `{"errors":[...]}`: the shape of every Vault error answer (Vault `sdk/logical/response_util.go` RespondError @ v1.14.9). */
export const vaultErrorSchema = z.object({ errors: z.array(z.string()).nullable() });

export const sealStatusSchema = z
  .object({
    type: z.string(),
    initialized: z.boolean(),
    sealed: z.boolean(),
    t: z.number(),
    n: z.number(),
    progress: z.number(),
    // nonce since 0.6.5, migration since 1.0, recovery_seal since 0.11: defaulted for old servers.
    nonce: z.string().nullish(),
    version: z.string(),
    build_date: optString,
    commit_date: optString,
    migration: optBool,
    cluster_name: optString,
    cluster_id: optString,
    recovery_seal: optBool,
    recovery_seal_type: optString,
    storage_type: optString,
    removed_from_cluster: optBool,
  })
  .transform(
    (s): SealStatus => ({
      type: s.type,
      initialized: s.initialized,
      sealed: s.sealed,
      t: s.t,
      n: s.n,
      progress: s.progress,
      nonce: s.nonce ?? '',
      version: s.version,
      ...opt('buildDate', s.build_date),
      ...opt('commitDate', s.commit_date),
      migration: s.migration ?? false,
      // Vault sends cluster fields only when unsealed, but "" would be as meaningless as absent.
      ...opt('clusterName', s.cluster_name || undefined),
      ...opt('clusterId', s.cluster_id || undefined),
      recoverySeal: s.recovery_seal ?? false,
      ...opt('recoverySealType', s.recovery_seal_type),
      ...opt('storageType', s.storage_type),
      ...opt('removedFromCluster', s.removed_from_cluster),
    }),
  );

export const healthBodySchema = z
  .object({
    initialized: z.boolean(),
    sealed: z.boolean(),
    standby: z.boolean(),
    performance_standby: optBool,
    replication_performance_mode: optString,
    replication_dr_mode: optString,
    server_time_utc: optNumber,
    // A redacted or trimmed answer may lack the version; seal-status carries it too.
    version: z.string().nullish(),
    enterprise: optBool,
    cluster_name: optString,
    cluster_id: optString,
    echo_duration_ms: optNumber,
    clock_skew_ms: optNumber,
    replication_primary_canary_age_ms: optNumber,
    removed_from_cluster: optBool,
    ha_connection_healthy: optBool,
    last_request_forwarding_heartbeat_ms: optNumber,
  })
  .transform(
    (h): HealthBody => ({
      initialized: h.initialized,
      sealed: h.sealed,
      standby: h.standby,
      ...opt('performanceStandby', h.performance_standby),
      ...opt('replicationPerformanceMode', h.replication_performance_mode),
      ...opt('replicationDrMode', h.replication_dr_mode),
      ...opt('serverTimeUtc', h.server_time_utc),
      version: h.version ?? '',
      ...opt('enterprise', h.enterprise),
      ...opt('clusterName', h.cluster_name || undefined),
      ...opt('clusterId', h.cluster_id || undefined),
      ...opt('echoDurationMs', h.echo_duration_ms),
      ...opt('clockSkewMs', h.clock_skew_ms),
      ...opt('replicationPrimaryCanaryAgeMs', h.replication_primary_canary_age_ms),
      ...opt('removedFromCluster', h.removed_from_cluster),
      ...opt('haConnectionHealthy', h.ha_connection_healthy),
      ...opt('lastRequestForwardingHeartbeatMs', h.last_request_forwarding_heartbeat_ms),
    }),
  );

export const initStatusSchema = z.object({ initialized: z.boolean() });

export const initResponseSchema = z
  .object({
    keys: z.array(z.string()).nullish(),
    keys_base64: z.array(z.string()).nullish(),
    recovery_keys: z.array(z.string()).nullish(),
    recovery_keys_base64: z.array(z.string()).nullish(),
    root_token: z.string(),
  })
  .transform(
    (r): InitResponse => ({
      keys: r.keys ?? [],
      keysBase64: r.keys_base64 ?? [],
      ...opt('recoveryKeys', r.recovery_keys),
      ...opt('recoveryKeysBase64', r.recovery_keys_base64),
      rootToken: r.root_token,
    }),
  );

export const leaderSchema = z
  .object({
    ha_enabled: z.boolean(),
    // OpenBao 2.6 omits is_self/addresses when empty and active_time when zero (OpenBao `LeaderResponse` @ v2.6.0).
    is_self: optBool,
    active_time: optString,
    leader_address: optString,
    leader_cluster_address: optString,
    performance_standby: optBool,
    raft_committed_index: optNumber,
    raft_applied_index: optNumber,
  })
  .transform(
    (l): LeaderStatus => ({
      haEnabled: l.ha_enabled,
      isSelf: l.is_self ?? false,
      ...opt('activeTime', l.active_time),
      leaderAddress: l.leader_address ?? '',
      leaderClusterAddress: l.leader_cluster_address ?? '',
      ...opt('performanceStandby', l.performance_standby),
      ...opt('raftCommittedIndex', l.raft_committed_index),
      ...opt('raftAppliedIndex', l.raft_applied_index),
    }),
  );

const haNodeSchema = z
  .object({
    hostname: z.string(),
    api_address: z.string(),
    cluster_address: z.string(),
    active_node: z.boolean(),
    last_echo: z.string().nullish(),
    version: z.string().nullish(),
  })
  .transform(
    (n): HaStatusNode => ({
      hostname: n.hostname,
      apiAddress: n.api_address,
      clusterAddress: n.cluster_address,
      activeNode: n.active_node,
      lastEcho: n.last_echo ?? null,
      version: n.version ?? '',
    }),
  );

/** ha-status data is both in the envelope's `data` and copied to the top level (Vault `sdk/logical/translate_response.go` HTTPResponse @ v1.14.9). */
export const haStatusSchema = z
  .object({
    data: z.object({ nodes: z.array(haNodeSchema) }).nullish(),
    nodes: z.array(haNodeSchema).nullish(),
  })
  .refine((e) => e.data != null || e.nodes != null, { message: 'no nodes in ha-status answer' })
  .transform((e): HaStatusNode[] => e.data?.nodes ?? e.nodes ?? []);

export const raftJoinSchema = z.object({ joined: z.boolean() });

/**
 * Describes why a body did not match, by field path and issue kind only: values never appear, so
 * an init answer (which holds shares and the root token) cannot leak through the message.
 */
export function describeSchemaMismatch(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.code}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return parts.join(', ') + more;
}
