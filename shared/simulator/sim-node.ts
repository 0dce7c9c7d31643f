/**
 * The state of one simulated node and the cluster context it lives in. Handlers read and change
 * this model; the HTTP side lives in node-server.ts.
 */
import type { Socket, Server as NetServer } from 'node:net';
import { isAutoSeal } from './barrier.ts';
import type { VaultProfile } from './profiles.ts';
import type { Group, GroupMember } from './raft-group.ts';
import type {
  EnterpriseRole,
  NodeFaults,
  RequestLogEntry,
  SimulatedAwsAuth,
  SimulatedInitResult,
  SimulatedNode,
  SimulatedNodeState,
  SimulatedSealType,
  SimulatedStorageType,
} from './types.ts';

export interface ClusterContext {
  readonly profile: VaultProfile;
  readonly sealType: SimulatedSealType;
  readonly storageType: SimulatedStorageType;
  readonly host: string;
  readonly now: () => number;
  readonly kms: { available: boolean; unavailableSince: number };
  readonly kmsFailureCause: string;
  readonly removedNodeJoinError: string;
  readonly requestLogLimit: number;
  /** The AWS IAM auth method, when enabled. */
  readonly awsAuth?: SimulatedAwsAuth;
  readonly nodes: SimNode[];
  /** Non-raft storage: the one backend all nodes share. */
  readonly sharedGroup: Group | null;
  /** The cluster's id and name while its first init is still to come, else `{}` (a new identity). */
  initIdentity(): { clusterId?: string; clusterName?: string };
  /** A node was initialized through `sys/init` (`group` is new for raft). */
  onInitialized(node: SimNode, group: Group, result: SimulatedInitResult): void;
}

export interface UnsealAttempt {
  parts: Buffer[];
  nonce: string;
}

export class SimNode implements SimulatedNode, GroupMember {
  readonly id: string;
  readonly ctx: ClusterContext;
  port = 0;
  url = '';
  group: Group | null = null;
  alive = false;
  sealed = true;
  removed = false;
  /** Initial nodes join the first raft cluster initialized among them (like `retry_join`). */
  autoJoin = false;
  /** Auto-unseal node that could not reach its KMS at start; retries when the KMS is back. */
  awaitingKms = false;
  version: string;
  attempt: UnsealAttempt | null = null;
  haUnhealthy = false;
  enterpriseRole: EnterpriseRole = 'none';
  heartbeated = false;
  activeSince = 0;
  healthySince = 0;
  downSince = 0;
  faults: NodeFaults = {};
  readonly requestLog: RequestLogEntry[] = [];
  netServer: NetServer | null = null;
  readonly sockets = new Set<Socket>();

  constructor(id: string, ctx: ClusterContext) {
    this.id = id;
    this.ctx = ctx;
    this.version = ctx.profile.version;
  }

  /** Raft cluster address (host:port). A label only: nothing listens there. */
  get clusterAddress(): string {
    return `${this.ctx.host}:${this.port + 1}`;
  }

  initialized(): boolean {
    return this.group?.barrier != null;
  }

  isMember(): boolean {
    return this.group !== null && this.group.isMember(this);
  }

  /** Serving as the active node (or, without HA, simply unsealed). */
  isActive(): boolean {
    if (this.sealed || !this.alive || this.group === null) return false;
    if (!this.group.ha) return this.initialized();
    return this.group.activeId === this.id && this.group.isUp(this);
  }

  /** Unsealed HA node that is not the active one. */
  isStandby(): boolean {
    return !this.sealed && this.group !== null && this.group.ha && !this.isActive();
  }

  /** The active node this node would forward to, or null. */
  activePeer(): SimNode | null {
    // A node cut out of the raft configuration no longer hears from the leader.
    if (this.group === null || (this.group.raft && !this.isMember())) return null;
    const active = this.group.active();
    return active instanceof SimNode ? active : null;
  }

  markUnsealed(): void {
    this.sealed = false;
    this.attempt = null;
    this.awaitingKms = false;
    this.healthySince = this.ctx.now();
    this.group?.elect();
  }

  /** As if `vault operator seal`: sealed, attempt cleared, leadership given up. */
  seal(): void {
    this.sealed = true;
    this.attempt = null;
    this.heartbeated = false;
    this.downSince = this.ctx.now();
    this.group?.elect();
  }

  /** Auto-unseal at start-up (or when the KMS comes back): only an initialized, unremoved node. */
  tryAutoUnseal(): void {
    if (!isAutoSeal(this.ctx.sealType) || !this.initialized() || this.removed || !this.alive) return;
    if (this.group?.raft === true && !this.isMember()) return;
    if (this.ctx.kms.available) this.markUnsealed();
    else this.awaitingKms = true;
  }

  state(): SimulatedNodeState {
    return {
      initialized: this.initialized(),
      sealed: this.sealed,
      active: this.isActive(),
      removed: this.removed,
      progress: this.attempt?.parts.length ?? 0,
      version: this.version,
    };
  }

  /** The version this node claims (a hostile node may lie, see NodeFaults.echo). */
  reportedVersion(): string {
    return this.faults.echo?.version ?? this.version;
  }

  setVersion(version: string): void {
    this.version = version;
  }

  setHaUnhealthy(unhealthy: boolean): void {
    this.haUnhealthy = unhealthy;
  }

  setEnterpriseRole(role: EnterpriseRole): void {
    if (role !== 'none' && this.ctx.profile.product !== 'vault') {
      throw new Error(`${this.ctx.profile.name} has no Enterprise replication roles`);
    }
    this.enterpriseRole = role;
  }

  setFaults(faults: NodeFaults): void {
    this.faults = { ...faults };
  }

  clearRequestLog(): void {
    this.requestLog.length = 0;
  }

  log(entry: RequestLogEntry): void {
    if (this.requestLog.length >= this.ctx.requestLogLimit) this.requestLog.shift();
    this.requestLog.push(entry);
  }
}
