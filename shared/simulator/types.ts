import type { VaultProfileName } from './profiles.ts';
import type { TestPki } from './test-pki.ts';

/** A minimal AWS IAM auth method at `auth/aws/login` (see aws-auth.ts). */
export interface SimulatedAwsAuth {
  roles: string[];
  /** Lease of issued tokens (default 3600 s). */
  ttlSeconds?: number;
  /** When set, the signed headers must carry `X-Vault-AWS-IAM-Server-ID` with this value. */
  serverId?: string;
}

export type SimulatedSealType = 'shamir' | 'awskms' | 'azurekeyvault';
export type SimulatedStorageType = 'raft' | 'dynamodb' | 'file';

export interface SimulatedClusterOptions {
  /** Default 3. */
  nodes?: number;
  /** Default `vault-1.19`. */
  profile?: VaultProfileName;
  /** Default `shamir`. */
  sealType?: SimulatedSealType;
  /** Default `raft`. `file` has no HA: every unsealed node answers as a lone active node. */
  storageType?: SimulatedStorageType;
  /** Default true: a fresh CA per cluster, leaf certificates with SAN 127.0.0.1 + localhost + node id. */
  tls?: boolean;
  /**
   * Default `{ shares: 5, threshold: 3 }` (recovery shares for auto seals); false leaves every
   * node uninitialized (initial nodes then join whichever of them is initialized through sys/init,
   * as with `retry_join`).
   */
  init?: { shares: number; threshold: number } | false;
  /** Default true: all nodes unsealed after init. */
  unsealed?: boolean;
  /** Default `127.0.0.1`; ports are ephemeral. */
  host?: string;
  clusterName?: string;
  /** Default `vault-`; node ids vault-0, vault-1, ... */
  nodeIdPrefix?: string;
  /** Time source (epoch ms). Default `Date.now`. */
  now?: () => number;
  /**
   * The cause appended to KMS-dependent errors while the KMS is unavailable, e.g. in
   * `invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys: <cause>`.
   * That text is inferred, not observed; this default is the simulator's choice.
   */
  kmsFailureCause?: string;
  /**
   * Error of a raft join on a Vault 1.19 node that was removed and still has raft data. Vault
   * 1.19 errors here (CHANGELOG 1.19.0) but the text is unverified.
   */
  removedNodeJoinError?: string;
  /** Cap on each node's request log (oldest entries dropped). Default 10,000. */
  requestLogLimit?: number;
  /** Enables `auth/aws/login` (AWS IAM auth method) for these roles. */
  awsAuth?: SimulatedAwsAuth;
  /**
   * Issue the node certificates from this CA (e.g. `other.ca`) instead of a fresh one, so a
   * client pinned to that cluster's CA trusts these nodes too. Ignored with `tls: false`.
   */
  ca?: TestPki | null;
}

export interface SimulatedInitResult {
  keys: string[];
  keysBase64: string[];
  recoveryKeys?: string[];
  recoveryKeysBase64?: string[];
  rootToken: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  /** Body exactly as received: tests assert that impostors never receive a share. */
  body: string;
  at: number;
  /** Whether a token (X-Vault-Token or Authorization: Bearer) was sent; never its value. */
  token: boolean;
}

export interface NodeFaults {
  /** Delay before answering. */
  latencyMs?: number;
  /** Accept the connection, never answer. */
  hang?: boolean;
  /** Destroy the socket on request (ECONNRESET). */
  reset?: boolean;
  /** Answer every request with this status and `{"errors":["simulated failure"]}`. */
  status5xx?: number;
  /** 200 with a truncated JSON body. */
  malformedJson?: boolean;
  /** 200 with a JSON body of this many bytes. */
  oversizeBytes?: number;
  /**
   * The threshold-th share of an unseal attempt (after Vault's own checks up to "attempt
   * cleared") is answered with this instead of being combined. The attempt is cleared (progress
   * 0, nonce "") and the node stays sealed, as Vault does whatever the outcome.
   */
  unsealAnswer?: { status: number; errors: string[] };
  /**
   * A hostile node: `errorsSuffix` is appended to every error text it sends, and `version` is
   * reported in seal-status, health, ha-status and autopilot state instead of its real one.
   */
  echo?: { errorsSuffix?: string; version?: string };
}

export interface SimulatedNodeState {
  initialized: boolean;
  sealed: boolean;
  active: boolean;
  removed: boolean;
  progress: number;
  version: string;
}

export interface SimulatedNode {
  readonly id: string;
  /** e.g. `https://127.0.0.1:PORT` (this is also the node's api_addr). */
  readonly url: string;
  readonly requestLog: RequestLogEntry[];
  state(): SimulatedNodeState;
  /** As if `vault operator seal` / a restart: sealed, unseal attempt cleared. */
  seal(): void;
  /** e.g. rolling upgrade scenarios. */
  setVersion(version: string): void;
  /** Vault 1.19: 474 + `ha_connection_healthy:false` on a standby. */
  setHaUnhealthy(unhealthy: boolean): void;
  /**
   * Vault Enterprise replication roles, which Community Edition never reports: a performance
   * standby (health 473, `performance_standby:true`; only while the node is an unsealed standby)
   * or a DR secondary (health 472, `replication_dr_mode:"secondary"`). Vault profiles only;
   * OpenBao has neither (Vault CHANGELOG 1.19.0; OpenBao @ v2.6.0). `'none'` restores CE behaviour.
   */
  setEnterpriseRole(role: EnterpriseRole): void;
  /** Replaces current faults; `{}` clears. */
  setFaults(faults: NodeFaults): void;
  clearRequestLog(): void;
}

/** See {@link SimulatedNode.setEnterpriseRole}. */
export type EnterpriseRole = 'none' | 'perf-standby' | 'dr-secondary';

export interface WipeOptions {
  /**
   * Keep the wiped node's old entry in the raft configuration (as a failed peer), as real raft
   * does until `remove-peer`. Default false: the node leaves raft membership.
   */
  keepInRaftConfig?: boolean;
}

export interface SimulatedCluster {
  readonly nodes: SimulatedNode[];
  /** PEM to trust (null when tls:false). */
  readonly caPem: string | null;
  /** The CA that issued the node certificates (null when tls:false); pass as `ca` to share it. */
  readonly ca: TestPki | null;
  /** Init result, whether from the options or from the first `sys/init` through the API. */
  readonly init: SimulatedInitResult | null;
  readonly rootToken: string | null;
  /** Stable UUID (reported by nodes once unsealed). */
  readonly clusterId: string;
  readonly clusterName: string;
  activeNode(): SimulatedNode | null;
  /** Leadership moves (node must be unsealed, reachable and a member). */
  makeActive(nodeId: string): void;
  /** Stops listening (connection refused); raft/autopilot sees it dead. */
  kill(nodeId: string): Promise<void>;
  /** Listens again on the same port; Shamir nodes come back sealed, auto-unseal nodes unseal unless the KMS is unavailable. */
  restart(nodeId: string): Promise<void>;
  /**
   * Replaced by a fresh uninitialized node (same id/url), out of raft membership. With shared
   * storage (DynamoDB, file) the fresh node finds the storage initialized and comes up sealed.
   */
  wipe(nodeId: string, options?: WipeOptions): Promise<void>;
  /** A new uninitialized node not yet in raft (with shared storage: initialized and sealed). */
  addNode(): Promise<SimulatedNode>;
  /** Auto-unseal seals only. */
  setKmsAvailable(available: boolean): void;
  close(): Promise<void>;
}
