import { z } from 'zod';
import type { AutopilotConfiguration, AutopilotServer, AutopilotState, RaftConfiguration, SealBackendStatus } from '../core/vault-types.ts';
import { opt, optString } from './vault-http-schemas.ts';

/*
 * zod schemas for the raft, autopilot and seal-backend answers (`vault/logical_system_raft.go`, `physical/raft/raft_autopilot.go` @ v1.14.9; `http/sys_seal.go`
 * handleSysSealBackendStatus @ v1.15.0). Logical
 * endpoints wrap their data in the standard envelope (Vault `sdk/logical/translate_response.go` HTTPResponse @ v1.14.9); its other fields are ignored.
 */

/** Raft reports protocol_version as "3" (older docs show a raw byte); autopilot durations as "10s" or seconds. */
const stringish = z.union([z.string(), z.number()]).transform((v) => String(v));
const duration = z.union([z.string(), z.number()]).transform((v) => (typeof v === 'number' ? `${v}s` : v));

const raftServerSchema = z.object({
  node_id: z.string(),
  address: z.string(),
  leader: z.boolean(),
  protocol_version: stringish,
  voter: z.boolean(),
});

export const raftConfigurationSchema = z
  .object({
    data: z.object({
      config: z.object({ index: z.number(), servers: z.array(raftServerSchema).nullable() }),
    }),
  })
  .transform(
    (e): RaftConfiguration => ({
      index: e.data.config.index,
      servers: (e.data.config.servers ?? []).map((s) => ({
        nodeId: s.node_id,
        address: s.address,
        leader: s.leader,
        protocolVersion: s.protocol_version,
        voter: s.voter,
      })),
    }),
  );

const autopilotServerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    node_status: z.string(),
    last_contact: duration,
    last_term: z.number(),
    last_index: z.number(),
    healthy: z.boolean(),
    stable_since: z.string(),
    status: z.string(),
    version: z.string().nullish(),
    node_type: optString,
  })
  .transform(
    (s): AutopilotServer => ({
      id: s.id,
      name: s.name,
      address: s.address,
      nodeStatus: s.node_status,
      lastContact: s.last_contact,
      lastTerm: s.last_term,
      lastIndex: s.last_index,
      healthy: s.healthy,
      stableSince: s.stable_since,
      status: s.status,
      version: s.version ?? '',
      ...opt('nodeType', s.node_type),
    }),
  );

export const autopilotStateSchema = z
  .object({
    data: z.object({
      healthy: z.boolean(),
      failure_tolerance: z.number(),
      leader: z.string(),
      voters: z.array(z.string()).nullable(),
      non_voters: z.array(z.string()).nullish(),
      servers: z.record(z.string(), autopilotServerSchema).nullable(),
    }),
  })
  .transform(
    ({ data: d }): AutopilotState => ({
      healthy: d.healthy,
      failureTolerance: d.failure_tolerance,
      leader: d.leader,
      voters: d.voters ?? [],
      ...opt('nonVoters', d.non_voters),
      servers: d.servers ?? {},
    }),
  );

export const autopilotConfigurationSchema = z
  .object({
    data: z.object({
      cleanup_dead_servers: z.boolean(),
      last_contact_threshold: duration,
      dead_server_last_contact_threshold: duration,
      max_trailing_logs: z.number(),
      min_quorum: z.number(),
      server_stabilization_time: duration,
    }),
  })
  .transform(
    ({ data: d }): AutopilotConfiguration => ({
      cleanupDeadServers: d.cleanup_dead_servers,
      lastContactThreshold: d.last_contact_threshold,
      deadServerLastContactThreshold: d.dead_server_last_contact_threshold,
      maxTrailingLogs: d.max_trailing_logs,
      minQuorum: d.min_quorum,
      serverStabilizationTime: d.server_stabilization_time,
    }),
  );

const sealBackendSchema = z.object({
  healthy: z.boolean(),
  unhealthy_since: optString,
  backends: z.array(z.object({ name: z.string(), healthy: z.boolean(), unhealthy_since: optString })).nullish(),
});

/** Served raw by the HTTP layer (Vault `http/sys_seal.go` handleSysSealBackendStatus @ v1.15.0); accepted inside a logical envelope too, to be safe. */
export const sealBackendStatusSchema = z.union([sealBackendSchema, z.object({ data: sealBackendSchema })]).transform((raw): SealBackendStatus => {
  const s = 'data' in raw ? raw.data : raw;
  return {
    healthy: s.healthy,
    ...opt('unhealthySince', s.unhealthy_since),
    backends: (s.backends ?? []).map((b) => ({
      name: b.name,
      healthy: b.healthy,
      ...opt('unhealthySince', b.unhealthy_since),
    })),
  };
});
