/** `startSimulatedCluster`: nodes sharing one init, one CA and one protocol server. */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createBarrier, isAutoSeal, randomClusterName } from './barrier.ts';
import { validateSealConfig } from './init.ts';
import { createRequestServer, listenNode, stopNode, type TlsMaterial } from './node-server.ts';
import { getProfile, PROFILE_NAMES } from './profiles.ts';
import { Group } from './raft-group.ts';
import { SimNode, type ClusterContext } from './sim-node.ts';
import { createTestPki, type TestPki } from './test-pki.ts';
import type { SimulatedCluster, SimulatedClusterOptions, SimulatedInitResult, SimulatedNode, WipeOptions } from './types.ts';

const DEFAULT_KMS_CAUSE = 'simulated KMS unavailable';
// Vault 1.19 refuses a join from a removed node (CHANGELOG 1.19.0, removed-node handling); the exact
// text is not pinned down, so this one is the simulator's choice.
const DEFAULT_REMOVED_JOIN_ERROR = 'failed to join raft cluster: node has been removed from the HA cluster';

function checkOptions(options: SimulatedClusterOptions): void {
  const problems: string[] = [];
  const nodes = options.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1) problems.push('nodes must be a positive integer');
  const name = options.profile ?? 'vault-1.19';
  if (!PROFILE_NAMES.includes(name)) {
    problems.push(`unknown profile ${String(name)}`);
  } else {
    const storage = options.storageType ?? 'raft';
    if (!getProfile(name).storageTypes.includes(storage)) problems.push(`${name} has no ${storage} storage backend`);
  }
  if (options.init !== undefined && options.init !== false) {
    const reason = validateSealConfig(options.init);
    if (reason !== null) problems.push(`init: ${reason}`);
  }
  if (problems.length > 0) throw new Error(`invalid simulated cluster options: ${problems.join('; ')}`);
}

class Cluster implements SimulatedCluster {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly caPem: string | null;
  readonly ca: TestPki | null;
  init: SimulatedInitResult | null = null;
  homeGroup: Group | null = null;
  readonly ctx: ClusterContext;
  readonly nodesByPort = new Map<number, SimNode>();
  private readonly requestServer: Server;
  private readonly pki: TestPki | null;
  private readonly options: SimulatedClusterOptions;
  private nextIndex = 0;

  constructor(options: SimulatedClusterOptions, pki: TestPki | null, tls: TlsMaterial | null) {
    this.options = options;
    this.pki = pki;
    this.caPem = pki?.caPem ?? null;
    this.ca = pki;
    this.clusterId = randomUUID();
    this.clusterName = options.clusterName ?? randomClusterName();
    const now = options.now ?? Date.now;
    const storageType = options.storageType ?? 'raft';
    this.ctx = {
      profile: getProfile(options.profile ?? 'vault-1.19'),
      sealType: options.sealType ?? 'shamir',
      storageType,
      host: options.host ?? '127.0.0.1',
      now,
      kms: { available: true, unavailableSince: 0 },
      kmsFailureCause: options.kmsFailureCause ?? DEFAULT_KMS_CAUSE,
      removedNodeJoinError: options.removedNodeJoinError ?? DEFAULT_REMOVED_JOIN_ERROR,
      requestLogLimit: options.requestLogLimit ?? 10_000,
      ...(options.awsAuth ? { awsAuth: options.awsAuth } : {}),
      nodes: [],
      sharedGroup: storageType === 'raft' ? null : new Group(storageType, null, now),
      initIdentity: () => (this.homeGroup === null ? { clusterId: this.clusterId, clusterName: this.clusterName } : {}),
      onInitialized: (node, group, result) => this.onInitialized(node, group, result),
    };
    this.requestServer = createRequestServer(tls, this.nodesByPort);
  }

  get nodes(): SimulatedNode[] {
    return this.ctx.nodes;
  }

  get rootToken(): string | null {
    return this.init?.rootToken ?? null;
  }

  /** Ids of the nodes created so far plus `extra` still to come. */
  nodeIds(extra = 0): string[] {
    const prefix = this.options.nodeIdPrefix ?? 'vault-';
    return Array.from({ length: this.nextIndex + extra }, (_, i) => `${prefix}${i}`);
  }

  async createNode(): Promise<SimNode> {
    const id = `${this.options.nodeIdPrefix ?? 'vault-'}${this.nextIndex}`;
    this.nextIndex += 1;
    const node = new SimNode(id, this.ctx);
    this.ctx.nodes.push(node);
    this.ctx.sharedGroup?.add(node);
    await listenNode(node, this.requestServer, 0);
    node.url = `${this.caPem === null ? 'http' : 'https'}://${this.ctx.host}:${node.port}`;
    this.nodesByPort.set(node.port, node);
    return node;
  }

  private onInitialized(node: SimNode, group: Group, result: SimulatedInitResult): void {
    if (this.homeGroup !== null) return;
    this.homeGroup = group;
    this.init = result;
    for (const peer of this.ctx.nodes) {
      if (peer === node || !peer.autoJoin || peer.group !== null || !group.raft) continue;
      group.add(peer);
      peer.sealed = true;
      peer.tryAutoUnseal();
    }
    for (const peer of this.ctx.nodes) peer.autoJoin = false;
  }

  /** Initializes the cluster directly (no HTTP), as `init` in the options asks. */
  async initialize(config: { shares: number; threshold: number }, unsealed: boolean): Promise<void> {
    const { barrier, result } = await createBarrier({
      profile: this.ctx.profile,
      sealType: this.ctx.sealType,
      config,
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      now: this.ctx.now(),
    });
    const group = this.ctx.sharedGroup ?? new Group('raft', barrier, this.ctx.now);
    group.barrier = barrier;
    this.homeGroup = group;
    this.init = result;
    for (const node of this.ctx.nodes) {
      node.autoJoin = false;
      if (group.raft) group.add(node);
    }
    if (unsealed) for (const node of this.ctx.nodes) node.markUnsealed();
  }

  private find(nodeId: string): SimNode {
    const node = this.ctx.nodes.find((n) => n.id === nodeId);
    if (node === undefined) throw new Error(`no simulated node ${nodeId}`);
    return node;
  }

  activeNode(): SimulatedNode | null {
    return this.ctx.nodes.find((n) => n.group === this.homeGroup && n.isActive()) ?? null;
  }

  makeActive(nodeId: string): void {
    const node = this.find(nodeId);
    const group = node.group;
    if (group === null || !group.ha || !group.isUp(node)) {
      throw new Error(`${nodeId} cannot become active: it must be an unsealed, reachable member of an HA cluster`);
    }
    group.elect(nodeId);
    if (!node.isActive()) throw new Error(`${nodeId} cannot become active: no raft quorum`);
  }

  async kill(nodeId: string): Promise<void> {
    const node = this.find(nodeId);
    await stopNode(node);
    // The process is gone: whatever was in memory (barrier key, unseal attempt) is lost.
    node.sealed = true;
    node.attempt = null;
    node.heartbeated = false;
    node.awaitingKms = false;
    node.downSince = this.ctx.now();
    node.group?.elect();
  }

  async restart(nodeId: string): Promise<void> {
    const node = this.find(nodeId);
    if (node.alive) await this.kill(nodeId);
    await listenNode(node, this.requestServer, node.port);
    node.tryAutoUnseal();
    node.group?.elect();
  }

  async wipe(nodeId: string, options: WipeOptions = {}): Promise<void> {
    const node = this.find(nodeId);
    if (node.alive) await this.kill(nodeId);
    const group = node.group;
    if (group !== null && group.raft) {
      if (options.keepInRaftConfig !== true) group.remove(node.id);
      node.group = null;
      group.elect();
    }
    Object.assign(node, { removed: false, autoJoin: false, haUnhealthy: false, heartbeated: false, faults: {} });
    await listenNode(node, this.requestServer, node.port);
    // Shared storage (DynamoDB, file) survives the wipe: the fresh node finds it initialized.
    node.tryAutoUnseal();
  }

  async addNode(): Promise<SimulatedNode> {
    if (this.pki !== null) {
      // One TLS context per cluster: re-issue its leaf with the new node id among the SANs.
      const leaf = await this.pki.issue([...new Set([this.ctx.host, 'localhost', ...this.nodeIds(1)])]);
      (this.requestServer as HttpsServer).setSecureContext({ key: leaf.keyPem, cert: leaf.certPem });
    }
    const node = await this.createNode();
    node.tryAutoUnseal();
    return node;
  }

  setKmsAvailable(available: boolean): void {
    if (!isAutoSeal(this.ctx.sealType)) throw new Error('setKmsAvailable applies to auto-unseal clusters only');
    if (this.ctx.kms.available === available) return;
    this.ctx.kms.available = available;
    if (!available) this.ctx.kms.unavailableSince = this.ctx.now();
    // Vault keeps retrying UnsealWithStoredKeys after a failed start (derived, unverified).
    else for (const node of this.ctx.nodes) if (node.awaitingKms) node.tryAutoUnseal();
  }

  async close(): Promise<void> {
    await Promise.all(this.ctx.nodes.map((node) => stopNode(node)));
    this.requestServer.closeAllConnections();
  }
}

/**
 * Starts a simulated Vault/OpenBao cluster following Vault's and OpenBao's HTTP handlers (`http/sys_*.go`): every node listens on
 * `host` with an ephemeral port; by default three raft nodes, initialized 3-of-5 and unsealed,
 * with TLS from a fresh per-cluster CA.
 */
export async function startSimulatedCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  checkOptions(options);
  const count = options.nodes ?? 3;
  const host = options.host ?? '127.0.0.1';
  const prefix = options.nodeIdPrefix ?? 'vault-';
  let pki: TestPki | null = null;
  let tls: TlsMaterial | null = null;
  if (options.tls ?? true) {
    pki = options.ca ?? (await createTestPki({ commonName: `${options.clusterName ?? 'simulated vault'} CA` }));
    const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    const leaf = await pki.issue([...new Set([host, 'localhost', ...ids])]);
    tls = { key: leaf.keyPem, cert: leaf.certPem };
  }
  const cluster = new Cluster(options, pki, tls);
  try {
    for (let i = 0; i < count; i += 1) {
      const node = await cluster.createNode();
      node.autoJoin = true;
    }
    const init = options.init ?? { shares: 5, threshold: 3 };
    if (init !== false) await cluster.initialize(init, options.unsealed ?? true);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
