import { peerDownReason, quorumOf } from './findings/raft-findings.ts';
import type { NodeState } from './node-state.ts';
import type { AutopilotState, RaftConfiguration } from './vault-types.ts';

/**
 * What sealwatch remembers about raft peers between sweeps (item `RAFT` of the cluster): since
 * when each peer has been seen dead. Only peers currently dead are kept, so a healthy cluster's
 * record is `{ peers: {} }` and an unchanged cluster writes nothing.
 */
export interface RaftRecord {
  peers: Record<string, { deadSince: number }>;
}

/** The next record from autopilot's view of the peers; `changed` when it must be written. */
export function trackDeadPeers(previous: RaftRecord | null, autopilot: AutopilotState, now: number): { record: RaftRecord; changed: boolean } {
  const peers: RaftRecord['peers'] = {};
  for (const server of Object.values(autopilot.servers)) {
    if (peerDownReason(server) === null) continue;
    peers[server.id] = { deadSince: previous?.peers[server.id]?.deadSince ?? now };
  }
  const before = previous?.peers ?? {};
  const ids = new Set([...Object.keys(before), ...Object.keys(peers)]);
  const changed = previous === null ? Object.keys(peers).length > 0 : [...ids].some((id) => before[id]?.deadSince !== peers[id]?.deadSince);
  return { record: { peers }, changed };
}

/** A configured node as the join decision needs it. */
export interface JoinCandidateNode {
  nodeId: string;
  state: NodeState;
}

/**
 * Configured nodes to join to the cluster: uninitialized ones, and only while a node is active
 * (it is the join target). Initialized nodes are never touched.
 */
export function planJoins(nodes: readonly JoinCandidateNode[]): { leader: string | null; join: string[] } {
  const active = nodes.filter((n) => n.state === 'active');
  // Two actives is a split brain: joining either side would pick a winner blindly.
  if (active.length !== 1) return { leader: null, join: [] };
  return {
    leader: (active[0] as JoinCandidateNode).nodeId,
    join: nodes.filter((n) => n.state === 'uninitialized').map((n) => n.nodeId),
  };
}

export interface RemovalInput {
  configuration: RaftConfiguration;
  autopilot: AutopilotState;
  record: RaftRecord;
  now: number;
  /** A peer must have been seen dead for at least this long. */
  afterMs: number;
  minQuorum: number;
  /** Configured nodes that answered this sweep: never removed, whatever autopilot says. */
  reachableConfigured: ReadonlySet<string>;
}

export type RemovalDecision =
  | { remove: string; deadForMs: number; votersAfter: number; floor: number }
  | { remove: null; reason: string; candidates: string[] };

/**
 * At most one peer to remove: a voter dead for at least `afterMs` that is not a reachable
 * configured node, and only when the live voters exceed the quorum of the current voter set (a
 * voter to spare) and the voters left number at least max(`minQuorum`, that quorum). The
 * longest-dead candidate goes first.
 */
export function planRemoval(input: RemovalInput): RemovalDecision {
  const { configuration, autopilot, record, now } = input;
  const voters = configuration.servers.filter((s) => s.voter).map((s) => s.nodeId);
  const dead = new Set(
    Object.values(autopilot.servers)
      .filter((s) => peerDownReason(s) !== null)
      .map((s) => s.id),
  );
  const candidates = configuration.servers
    .map((s) => s.nodeId)
    .filter((id) => dead.has(id) && !input.reachableConfigured.has(id))
    .map((id) => ({ id, deadForMs: now - (record.peers[id]?.deadSince ?? now) }))
    .filter((c) => c.deadForMs >= input.afterMs)
    .sort((a, b) => b.deadForMs - a.deadForMs || (a.id < b.id ? -1 : 1));
  const ids = candidates.map((c) => c.id);
  const first = candidates[0];
  if (!first) return { remove: null, reason: 'no peer has been dead long enough', candidates: ids };
  const quorum = quorumOf(voters.length);
  const alive = voters.filter((id) => !dead.has(id)).length;
  // With no voter to spare, the membership change itself would be at the mercy of one more
  // failure: an operator decides then, not sealwatch.
  if (alive <= quorum) {
    return { remove: null, reason: `quorum at stake: ${alive} of ${voters.length} voters alive, ${quorum} needed, none to spare`, candidates: ids };
  }
  const floor = Math.max(input.minQuorum, quorum);
  const isVoter = voters.includes(first.id);
  const votersAfter = isVoter ? voters.length - 1 : voters.length;
  if (votersAfter < floor) {
    return { remove: null, reason: `removing ${first.id} would leave ${votersAfter} voters, below ${floor}`, candidates: ids };
  }
  return { remove: first.id, deadForMs: first.deadForMs, votersAfter, floor };
}
