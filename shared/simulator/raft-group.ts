/**
 * Shared storage of simulated nodes: a raft cluster (membership, leader election with quorum,
 * autopilot configuration) or one shared backend (DynamoDB with its HA lock, file without HA).
 */
import type { Barrier } from './barrier.ts';
import type { SimulatedStorageType } from './types.ts';

/** What the group needs to know about a node; implemented by the node model. */
export interface GroupMember {
  readonly id: string;
  group: Group | null;
  alive: boolean;
  sealed: boolean;
  removed: boolean;
  activeSince: number;
  heartbeated: boolean;
  healthySince: number;
}

export interface AutopilotConfig {
  cleanupDeadServers: boolean;
  lastContactThresholdMs: number;
  deadServerLastContactThresholdMs: number;
  maxTrailingLogs: number;
  minQuorum: number;
  serverStabilizationTimeMs: number;
}

/** Autopilot configuration defaults (Vault `physical/raft/raft_autopilot.go` @ v1.14.9). */
export function defaultAutopilotConfig(): AutopilotConfig {
  return {
    cleanupDeadServers: false,
    lastContactThresholdMs: 10_000,
    deadServerLastContactThresholdMs: 86_400_000,
    maxTrailingLogs: 1000,
    minQuorum: 0,
    serverStabilizationTimeMs: 10_000,
  };
}

export class Group {
  readonly storageType: SimulatedStorageType;
  barrier: Barrier | null;
  /** Raft configuration (or, without raft, every node sharing the backend), by node id. */
  readonly members = new Map<string, GroupMember>();
  activeId: string | null = null;
  raftTerm = 1;
  raftIndex = 1;
  autopilot: AutopilotConfig = defaultAutopilotConfig();
  private readonly now: () => number;

  constructor(storageType: SimulatedStorageType, barrier: Barrier | null, now: () => number) {
    this.storageType = storageType;
    this.barrier = barrier;
    this.now = now;
  }

  get raft(): boolean {
    return this.storageType === 'raft';
  }

  /** The file backend has no HA: every unsealed node serves on its own. */
  get ha(): boolean {
    return this.storageType !== 'file';
  }

  isMember(node: GroupMember): boolean {
    return this.members.get(node.id) === node && node.group === this;
  }

  /** A member that raft can count on: reachable, unsealed (raft only runs unsealed), not removed. */
  isUp(node: GroupMember): boolean {
    return this.isMember(node) && node.alive && !node.sealed && !node.removed;
  }

  add(node: GroupMember): void {
    this.members.set(node.id, node);
    node.group = this;
    this.raftIndex += 1;
  }

  remove(id: string): void {
    if (this.members.delete(id)) this.raftIndex += 1;
  }

  voters(): GroupMember[] {
    return [...this.members.values()];
  }

  /**
   * Re-runs leader election after any state change. Raft needs a quorum of up voters (a sealed
   * node takes no part in raft); the DynamoDB lock goes to any unsealed node. The current leader
   * keeps leadership while it can.
   */
  elect(preferredId?: string): void {
    if (!this.ha) return;
    const candidates = this.voters().filter((n) => this.isUp(n));
    const quorum = Math.floor(this.members.size / 2) + 1;
    let next: GroupMember | null = null;
    if (!this.raft || candidates.length >= quorum) {
      next = candidates.find((n) => n.id === preferredId) ?? candidates.find((n) => n.id === this.activeId) ?? candidates[0] ?? null;
    }
    if ((next?.id ?? null) !== this.activeId) {
      this.activeId = next?.id ?? null;
      this.raftTerm += 1;
      this.raftIndex += 1;
      if (next !== null) next.activeSince = this.now();
    }
    // Standbys that see an active node have done at least one forwarding heartbeat (Vault `http/sys_health.go` HealthResponse @ v1.14.9).
    if (next !== null) for (const n of candidates) if (n !== next) n.heartbeated = true;
  }

  active(): GroupMember | null {
    if (this.activeId === null) return null;
    const node = this.members.get(this.activeId);
    return node !== undefined && this.isUp(node) ? node : null;
  }
}
