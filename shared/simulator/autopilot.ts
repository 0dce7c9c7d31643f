/** Autopilot state and configuration (Vault `physical/raft/raft_autopilot.go`, `vault/logical_system_raft.go` @ v1.14.9). */
import { formatGoDuration, formatRfc3339Nano, parseGoDuration } from './go-format.ts';
import type { LogicalRoute } from './logical.ts';
import type { AutopilotConfig, Group, GroupMember } from './raft-group.ts';
import { envelope, errorResponse, noContent, type SimResponse } from './responses.ts';
import type { SimNode } from './sim-node.ts';

const RAFT_NOT_IN_USE = errorResponse(400, 'raft storage is not in use');
// Followers answer the leader's appends within milliseconds.
const FOLLOWER_LAST_CONTACT = '2.5ms';

function serverEntry(group: Group, member: GroupMember, now: number): { up: boolean; entry: Record<string, unknown> } {
  const node = member as SimNode;
  const up = group.isUp(member);
  const leader = member.id === group.activeId;
  // `physical/raft/raft_autopilot.go` KnownServers @ v1.14.9 (same in the 1.16+ code, OpenBao
  // @ v2.6.2): a silent follower stays "alive" (unhealthy, last contact growing) until
  // dead_server_last_contact_threshold has passed since its last heartbeat, then "left".
  const silentMs = up ? 0 : Math.max(0, now - node.downSince);
  const left = !up && silentMs > group.autopilot.deadServerLastContactThresholdMs;
  return {
    up,
    entry: {
      id: member.id,
      name: member.id,
      address: node.clusterAddress,
      node_status: left ? 'left' : 'alive',
      last_contact: leader ? '0s' : up ? FOLLOWER_LAST_CONTACT : formatGoDuration(Math.max(0, now - node.downSince)),
      last_term: group.raftTerm,
      last_index: up ? group.raftIndex : Math.max(0, group.raftIndex - 1),
      healthy: up,
      stable_since: formatRfc3339Nano(up ? node.healthySince : node.downSince),
      status: leader ? 'leader' : 'voter',
      version: node.reportedVersion(),
      node_type: 'voter',
    },
  };
}

function autopilotState(node: SimNode): SimResponse {
  const group = node.group;
  if (group === null || !group.raft) return RAFT_NOT_IN_USE;
  const now = node.ctx.now();
  const voters = group.voters();
  const servers: Record<string, unknown> = {};
  let failed = 0;
  for (const member of voters) {
    const { up, entry } = serverEntry(group, member, now);
    if (!up) failed += 1;
    servers[member.id] = entry;
  }
  const data = {
    healthy: failed === 0 && group.activeId !== null,
    failure_tolerance: Math.max(0, Math.floor((voters.length - 1) / 2) - failed),
    leader: group.activeId ?? '',
    voters: voters.map((m) => m.id),
    servers,
  };
  return envelope(node.ctx.profile, data);
}

function configData(config: AutopilotConfig): Record<string, unknown> {
  return {
    cleanup_dead_servers: config.cleanupDeadServers,
    last_contact_threshold: formatGoDuration(config.lastContactThresholdMs),
    dead_server_last_contact_threshold: formatGoDuration(config.deadServerLastContactThresholdMs),
    max_trailing_logs: config.maxTrailingLogs,
    min_quorum: config.minQuorum,
    server_stabilization_time: formatGoDuration(config.serverStabilizationTimeMs),
    disable_upgrade_migration: false,
  };
}

const DURATIONS = {
  last_contact_threshold: 'lastContactThresholdMs',
  dead_server_last_contact_threshold: 'deadServerLastContactThresholdMs',
  server_stabilization_time: 'serverStabilizationTimeMs',
} as const;

const INTEGERS = { max_trailing_logs: 'maxTrailingLogs', min_quorum: 'minQuorum' } as const;

/** Applies supplied fields over the stored config; a 400 text on invalid input. */
function merge(current: AutopilotConfig, values: Record<string, unknown>): AutopilotConfig | string {
  if (values['disable_upgrade_migration'] !== undefined) {
    return 'disable_upgrade_migration is only available in Vault Enterprise';
  }
  const next: AutopilotConfig = { ...current };
  const cleanup = values['cleanup_dead_servers'];
  if (cleanup !== undefined) next.cleanupDeadServers = cleanup === true || cleanup === 'true';
  for (const [field, key] of Object.entries(DURATIONS)) {
    const raw = values[field];
    if (raw === undefined) continue;
    const ms = parseGoDuration(raw);
    // Field-conversion wording of Vault's framework, approximated.
    if (ms === null) return `error converting input ${String(raw)} for field "${field}": time: invalid duration "${String(raw)}"`;
    // TypeDurationSecond: whole seconds, stored as `time.Duration(n) * time.Second`.
    next[key] = Math.trunc(ms / 1000) * 1000;
  }
  for (const [field, key] of Object.entries(INTEGERS)) {
    const raw = values[field];
    if (raw === undefined) continue;
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isInteger(n)) return `error converting input ${String(raw)} for field "${field}"`;
    next[key] = n;
  }
  // `vault/logical_system_raft.go` @ v1.14.9 (handleStorageRaftAutopilotConfigUpdate): both checks
  // look at the effective (merged) config, and only when cleanup_dead_servers is on. min_quorum is
  // a Go `uint` printed with %#v (hex: `0x0`); `received` is the raw TypeDurationSecond field value
  // (int seconds) printed with %v, `<nil>` when the request did not supply it.
  if (next.cleanupDeadServers && next.minQuorum < 3) {
    return (
      'min_quorum must be set when cleanup_dead_servers is set and it should at least be 3; ' +
      `cleanup_dead_servers: ${next.cleanupDeadServers}, min_quorum: 0x${next.minQuorum.toString(16)}`
    );
  }
  if (next.cleanupDeadServers && next.deadServerLastContactThresholdMs < 60_000) {
    const supplied = values['dead_server_last_contact_threshold'];
    const received = supplied === undefined ? '<nil>' : String(Math.trunc(next.deadServerLastContactThresholdMs / 1000));
    return `dead_server_last_contact_threshold should not be set to less than 1m; received: ${received}`;
  }
  return next;
}

export const AUTOPILOT_STATE: LogicalRoute = { operations: { read: autopilotState } };

const CONFIG_FIELDS = [
  'cleanup_dead_servers',
  'last_contact_threshold',
  'dead_server_last_contact_threshold',
  'max_trailing_logs',
  'min_quorum',
  'server_stabilization_time',
  'disable_upgrade_migration',
] as const;

export const AUTOPILOT_CONFIGURATION: LogicalRoute = {
  body: {
    goName: 'AutopilotConfig',
    qualifiedName: 'map[string]interface {}',
    fields: CONFIG_FIELDS.map((name) => ({ name, type: 'any' as const })),
  },
  operations: {
    read: (node) => {
      const group = node.group;
      if (group === null || !group.raft) return RAFT_NOT_IN_USE;
      return envelope(node.ctx.profile, configData(group.autopilot));
    },
    update: (node, values) => {
      const group = node.group;
      if (group === null || !group.raft) return RAFT_NOT_IN_USE;
      const next = merge(group.autopilot, values);
      if (typeof next === 'string') return errorResponse(400, next);
      group.autopilot = next;
      return noContent();
    },
  },
};
