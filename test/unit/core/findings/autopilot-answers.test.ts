import { describe, expect, it } from 'vitest';
import { autopilotConfigurationSchema, autopilotStateSchema } from '../../../../shared/adapters/vault-http-raft-schemas.ts';
import { autopilotConfigProblems, peerDownReason, raftFindings } from '../../../../shared/core/findings/raft-findings.ts';
import { planRemoval, trackDeadPeers } from '../../../../shared/core/raft-recovery.ts';
import type { RaftConfiguration } from '../../../../shared/core/vault-types.ts';

// Autopilot decisions from answers as Vault writes them (raw JSON through the adapter's schemas),
// each row citing the source it follows.

const now = Date.UTC(2026, 0, 1);

/** One `servers` entry of `sys/storage/raft/autopilot/state` (`physical/raft/raft_autopilot.go` AutopilotServer @ v1.14.9). */
function server(id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    name: id,
    address: `10.0.0.${id.slice(-1)}:8201`,
    node_status: 'alive',
    last_contact: '516.49595ms',
    last_term: 3,
    last_index: 459,
    healthy: true,
    stable_since: '2025-12-01T00:00:00.831678Z',
    status: 'voter',
    version: '1.14.9',
    node_type: 'voter',
    ...fields,
  };
}

type Row = [label: string, entry: Record<string, unknown>, down: string | null];

// KnownServers (`physical/raft/raft_autopilot.go` @ v1.14.9; the same switch in the 1.16+ code and
// OpenBao @ v2.6.2) reports only NodeAlive / NodeLeft: a silent follower stays "alive" with
// healthy false and a growing last_contact until dead_server_last_contact_threshold, then "left".
const SERVER_ROWS: Row[] = [
  ['leader', server('raft1', { last_contact: '0s', status: 'leader' }), null],
  ['healthy follower', server('raft2', {}), null],
  ['follower silent for 2m13s (still "alive")', server('raft3', { healthy: false, last_contact: '2m13.5s' }), 'unhealthy and out of contact with the leader'],
  ['follower lagging on logs but in contact', server('raft3', { healthy: false, last_contact: '120.3ms' }), null],
  ['follower past the dead threshold', server('raft3', { node_status: 'left', healthy: false, last_contact: '24h0m1.2s' }), 'left'],
  // raft-autopilot's NodeFailed is not produced by Vault's delegate, but means down wherever it appears.
  ['"failed" (raft-autopilot NodeFailed)', server('raft3', { node_status: 'failed', healthy: false, last_contact: '10m0s' }), 'failed'],
];

function state(entries: Record<string, unknown>[], fields: Record<string, unknown> = {}) {
  const servers = Object.fromEntries(entries.map((e) => [e['id'] as string, e]));
  const raw = {
    data: { healthy: entries.every((e) => e['healthy'] === true), failure_tolerance: 1, leader: 'raft1', voters: Object.keys(servers), servers, ...fields },
  };
  return autopilotStateSchema.parse(raw);
}

function configuration(ids: string[]): RaftConfiguration {
  return {
    index: 24,
    servers: ids.map((id, i) => ({ nodeId: id, address: `10.0.0.${id.slice(-1)}:8201`, leader: i === 0, protocolVersion: '3', voter: true })),
  };
}

describe('a peer down, as Vault reports it', () => {
  it.each(SERVER_ROWS)('%s', (_label, entry, down) => {
    const ids = ['raft1', 'raft2', 'raft3', 'raft4', 'raft5'];
    const entries = ids.map((id) => (id === entry['id'] ? entry : server(id, id === 'raft1' ? { last_contact: '0s', status: 'leader' } : {})));
    const autopilot = state(entries);
    const parsed = autopilot.servers[entry['id'] as string];
    expect(parsed && peerDownReason(parsed)).toBe(down);
    const findings = raftFindings({ clusterId: 'c', configuration: configuration(ids), autopilot, autopilotConfig: null, configuredNodes: ids, now });
    const deadPeers = findings.filter((f) => f.id === 'raft.dead-peer').map((f) => f.node);
    expect(deadPeers).toEqual(down === null ? [] : [entry['id']]);
    // The same view drives the dead-since record and removal (5 voters: one to spare).
    const tracked = trackDeadPeers(null, autopilot, now - 3_600_000);
    expect(Object.keys(tracked.record.peers)).toEqual(down === null ? [] : [entry['id']]);
    const decision = planRemoval({
      configuration: configuration(ids),
      autopilot,
      record: tracked.record,
      now,
      afterMs: 1_800_000,
      minQuorum: 3,
      reachableConfigured: new Set(),
    });
    expect(decision.remove).toBe(down === null ? null : entry['id']);
  });
});

type ConfigRow = [label: string, data: Record<string, unknown>, problems: string[]];

const CONFIG_ROWS: ConfigRow[] = [
  // Defaults read back from a fresh cluster (`physical/raft/raft_autopilot.go` @ v1.14.9 defaults;
  // `vault/logical_system_raft.go` handleStorageRaftAutopilotConfigRead).
  [
    'defaults',
    {
      cleanup_dead_servers: false,
      last_contact_threshold: '10s',
      dead_server_last_contact_threshold: '24h0m0s',
      max_trailing_logs: 1000,
      min_quorum: 0,
      server_stabilization_time: '10s',
      disable_upgrade_migration: false,
    },
    ['cleanup_dead_servers is off', 'min_quorum is unset'],
  ],
  // With cleanup off Vault accepts and stores a threshold under 1m (`vault/logical_system_raft.go` @ v1.14.9).
  [
    'cleanup off, 30s threshold accepted by Vault',
    {
      cleanup_dead_servers: false,
      last_contact_threshold: '10s',
      dead_server_last_contact_threshold: '30s',
      max_trailing_logs: 1000,
      min_quorum: 0,
      server_stabilization_time: '10s',
      disable_upgrade_migration: false,
    },
    ['cleanup_dead_servers is off', 'under 5m', 'min_quorum is unset'],
  ],
  // The smallest threshold Vault accepts with cleanup on is 1m (same file).
  [
    'cleanup on at the 1m minimum',
    {
      cleanup_dead_servers: true,
      last_contact_threshold: '10s',
      dead_server_last_contact_threshold: '1m0s',
      max_trailing_logs: 1000,
      min_quorum: 3,
      server_stabilization_time: '10s',
      disable_upgrade_migration: false,
    },
    ['under 5m'],
  ],
  [
    'recommended',
    {
      cleanup_dead_servers: true,
      last_contact_threshold: '10s',
      dead_server_last_contact_threshold: '1h0m0s',
      max_trailing_logs: 1000,
      min_quorum: 3,
      server_stabilization_time: '10s',
      disable_upgrade_migration: false,
    },
    [],
  ],
];

describe('autopilot configuration as Vault reads it back', () => {
  it.each(CONFIG_ROWS)('%s', (_label, data, expected) => {
    const config = autopilotConfigurationSchema.parse({ request_id: 'x', data, mount_type: 'system' });
    const problems = autopilotConfigProblems(config);
    expect(problems).toHaveLength(expected.length);
    for (const [i, text] of expected.entries()) expect(problems[i]).toContain(text);
  });

  it('no autopilot state (404 {"errors":[]}, read to null) means no autopilot finding and no removal data', () => {
    const ids = ['raft1', 'raft2', 'raft3'];
    const findings = raftFindings({ clusterId: 'c', configuration: configuration(ids), autopilot: null, autopilotConfig: null, configuredNodes: ids, now });
    expect(findings).toEqual([]);
  });
});
