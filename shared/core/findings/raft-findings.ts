import type { Finding } from '../finding.ts';
import { parseGoDuration } from '../go-duration.ts';
import type { AutopilotConfiguration, AutopilotServer, AutopilotState, RaftConfiguration } from '../vault-types.ts';

export interface RaftFindingsInput {
  clusterId: string;
  configuration: RaftConfiguration;
  /** Null when autopilot has no state. */
  autopilot: AutopilotState | null;
  autopilotConfig: AutopilotConfiguration | null;
  /** Node ids in the sealwatch config (compared with raft `node_id`). */
  configuredNodes: readonly string[];
  now: number;
  /** A non-voter stable for longer than this is stuck (default 5 min). */
  stuckNonVoterMs?: number;
}

const MIN_DEAD_THRESHOLD_MS = 5 * 60_000;
const MAX_DEAD_THRESHOLD_MS = 24 * 3_600_000;

/**
 * Out of contact with the leader for longer than this while autopilot calls the server unhealthy:
 * down. Vault's default `last_contact_threshold` (`physical/raft/raft_autopilot.go` @ v1.14.9).
 */
const DOWN_AFTER_CONTACT_MS = 10_000;

/**
 * Why autopilot's view says a peer is down, or null when it is up. Vault reports a follower that
 * stopped answering as `node_status: "alive"` with `healthy: false` and a growing `last_contact`
 * until `dead_server_last_contact_threshold` (default 24h) passes, and only then as `"left"`
 * (`physical/raft/raft_autopilot.go` KnownServers @ v1.14.9, same in the 1.16+ code and OpenBao
 * @ v2.6.2: only NodeAlive / NodeLeft); `"failed"` comes from other autopilot users.
 */
export function peerDownReason(server: AutopilotServer): string | null {
  if (server.nodeStatus !== 'alive') return server.nodeStatus;
  if (server.healthy) return null;
  const contact = parseGoDuration(server.lastContact);
  return contact !== null && contact > DOWN_AFTER_CONTACT_MS ? 'unhealthy and out of contact with the leader' : null;
}

/** Majority of `voters`: how many must agree for raft to commit. */
export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * Findings from the raft configuration, autopilot state and autopilot configuration:
 * `raft.autopilot-unhealthy`, `raft.failure-tolerance`, `raft.dead-peer`, `raft.stuck-non-voter`,
 * `raft.unknown-member`, `raft.missing-member`, `raft.autopilot-config`.
 */
export function raftFindings(input: RaftFindingsInput): Finding[] {
  const { clusterId, configuration, autopilot, autopilotConfig, now } = input;
  const findings: Finding[] = [];
  const base = { cluster: clusterId } as const;
  const voters = configuration.servers.filter((s) => s.voter).length;
  const servers = autopilot ? Object.values(autopilot.servers).sort((a, b) => (a.id < b.id ? -1 : 1)) : [];

  if (autopilot && !autopilot.healthy) {
    const unhealthy = servers.filter((s) => !s.healthy).map((s) => s.id);
    findings.push({
      ...base,
      id: 'raft.autopilot-unhealthy',
      severity: 'warning',
      message: `raft autopilot reports cluster ${clusterId} unhealthy${unhealthy.length ? ` (unhealthy: ${unhealthy.join(', ')})` : ''}`,
      evidence: { unhealthyServers: unhealthy, leader: autopilot.leader },
    });
  }
  if (autopilot) {
    const expected = Math.max(0, voters - quorumOf(voters));
    const tolerance = autopilot.failureTolerance;
    if (tolerance === 0 || tolerance < expected) {
      findings.push({
        ...base,
        id: 'raft.failure-tolerance',
        severity: tolerance === 0 ? 'critical' : 'warning',
        message:
          tolerance === 0
            ? `cluster ${clusterId} cannot lose another voter without losing quorum (${voters} voters)`
            : `cluster ${clusterId} tolerates ${tolerance} failed voters, ${voters} voters should tolerate ${expected}`,
        evidence: { failureTolerance: tolerance, expected, voters },
      });
    }
  }
  for (const s of servers) {
    const down = peerDownReason(s);
    if (down !== null) {
      findings.push({
        ...base,
        id: 'raft.dead-peer',
        severity: 'warning',
        node: s.id,
        message: `raft peer ${s.id} (${s.address}) is ${down}, last contact ${s.lastContact} ago`,
        evidence: { nodeStatus: s.nodeStatus, lastContact: s.lastContact, address: s.address, healthy: s.healthy },
      });
    } else if (s.status === 'non-voter' || s.status === 'staging') {
      const stable = Date.parse(s.stableSince);
      if (Number.isFinite(stable) && now - stable > (input.stuckNonVoterMs ?? 300_000)) {
        findings.push({
          ...base,
          id: 'raft.stuck-non-voter',
          severity: 'warning',
          node: s.id,
          message: `raft peer ${s.id} has been a ${s.status} since ${s.stableSince} and was never promoted to voter`,
          evidence: { status: s.status, stableSince: s.stableSince, address: s.address },
        });
      }
    }
  }
  const configured = new Set(input.configuredNodes);
  const members = new Set(configuration.servers.map((s) => s.nodeId));
  for (const s of configuration.servers) {
    if (configured.has(s.nodeId)) continue;
    findings.push({
      ...base,
      id: 'raft.unknown-member',
      severity: 'warning',
      node: s.nodeId,
      message: `raft member ${s.nodeId} (${s.address}) is not in the sealwatch configuration of cluster ${clusterId}`,
      evidence: { address: s.address, voter: s.voter },
    });
  }
  for (const id of input.configuredNodes) {
    if (members.has(id)) continue;
    findings.push({
      ...base,
      id: 'raft.missing-member',
      severity: 'warning',
      node: id,
      message: `configured node ${id} is not a member of the raft cluster`,
      evidence: { raftMembers: [...members].sort() },
    });
  }
  if (autopilotConfig) {
    const problems = autopilotConfigProblems(autopilotConfig);
    if (problems.length > 0) {
      findings.push({
        ...base,
        id: 'raft.autopilot-config',
        severity: 'warning',
        message: `autopilot configuration of cluster ${clusterId}: ${problems.join('; ')}`,
        evidence: {
          problems,
          cleanupDeadServers: autopilotConfig.cleanupDeadServers,
          deadServerLastContactThreshold: autopilotConfig.deadServerLastContactThreshold,
          minQuorum: autopilotConfig.minQuorum,
        },
      });
    }
  }
  return findings;
}

/** Drift from the recommended autopilot settings, one text per problem. */
export function autopilotConfigProblems(config: AutopilotConfiguration): string[] {
  const problems: string[] = [];
  if (!config.cleanupDeadServers) problems.push('cleanup_dead_servers is off');
  const dead = parseGoDuration(config.deadServerLastContactThreshold);
  if (dead !== null && dead < MIN_DEAD_THRESHOLD_MS) {
    problems.push(`dead_server_last_contact_threshold ${config.deadServerLastContactThreshold} is under 5m (flapping nodes get removed)`);
  }
  if (dead !== null && dead > MAX_DEAD_THRESHOLD_MS) {
    problems.push(`dead_server_last_contact_threshold ${config.deadServerLastContactThreshold} is over 24h`);
  }
  if (config.minQuorum < 1) problems.push('min_quorum is unset');
  return problems;
}
