/**
 * Shapes of the Vault/OpenBao API responses sealwatch reads, as described in
 * Vault's `api/sys_seal.go`, `api/sys_health.go`, `http/sys_*.go` (@ v1.14.9 and v1.19.0) and
 * OpenBao's `internal/http/sys_*.go` (@ v2.6.0). Fields that only some versions send are optional; parsers keep
 * unknown fields out (they are tolerated on the wire, not carried around).
 */

/** `GET /v1/sys/seal-status` (Vault `http/sys_seal.go`, `vault/logical_system.go` GetSealStatus @ v1.14.9). */
export interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  version: string;
  /** Vault ≥1.11; OpenBao < 2.6. */
  buildDate?: string;
  /** OpenBao ≥ 2.6 renames build_date to commit_date. */
  commitDate?: string;
  migration: boolean;
  clusterName?: string;
  clusterId?: string;
  recoverySeal: boolean;
  /** Vault ≥1.16 (backported to 1.15.x), OpenBao ≥2.4. */
  recoverySealType?: string;
  storageType?: string;
  /** Vault ≥1.19 with raft only. */
  removedFromCluster?: boolean;
}

/** `GET /v1/sys/health` body (Vault `http/sys_health.go` HealthResponse @ v1.14.9). */
export interface HealthBody {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  /** Absent on OpenBao 2.6. */
  performanceStandby?: boolean;
  replicationPerformanceMode?: string;
  replicationDrMode?: string;
  serverTimeUtc?: number;
  version: string;
  enterprise?: boolean;
  clusterName?: string;
  clusterId?: string;
  echoDurationMs?: number;
  clockSkewMs?: number;
  replicationPrimaryCanaryAgeMs?: number;
  /** Vault ≥1.19, raft only. */
  removedFromCluster?: boolean;
  /** Vault ≥1.19, only once a standby has done a forwarding heartbeat. */
  haConnectionHealthy?: boolean;
  lastRequestForwardingHeartbeatMs?: number;
}

/** A health answer: the status code carries the state; HEAD answers have no body. */
export interface HealthResponse {
  status: number;
  body: HealthBody | null;
}

/** `PUT /v1/sys/init` request (Vault `http/sys_init.go` handleSysInitPut @ v1.14.9). */
export interface InitRequest {
  secretShares?: number;
  secretThreshold?: number;
  pgpKeys?: string[];
  recoveryShares?: number;
  recoveryThreshold?: number;
  recoveryPgpKeys?: string[];
  rootTokenPgpKey?: string;
}

/** `PUT /v1/sys/init` response (Vault `http/sys_init.go`, `vault/init.go` generateShares @ v1.14.9). Holds secrets: never log or persist in plaintext. */
export interface InitResponse {
  keys: string[];
  keysBase64: string[];
  recoveryKeys?: string[];
  recoveryKeysBase64?: string[];
  rootToken: string;
}

/** `GET /v1/sys/leader` (Vault `http/sys_leader.go` @ v1.14.9). */
export interface LeaderStatus {
  haEnabled: boolean;
  isSelf: boolean;
  activeTime?: string;
  leaderAddress: string;
  leaderClusterAddress: string;
  performanceStandby?: boolean;
  raftCommittedIndex?: number;
  raftAppliedIndex?: number;
}

/** One node of `GET /v1/sys/ha-status` (Vault `vault/logical_system.go` handleHAStatus @ v1.14.9). */
export interface HaStatusNode {
  hostname: string;
  apiAddress: string;
  clusterAddress: string;
  activeNode: boolean;
  lastEcho: string | null;
  version: string;
}

/** `POST /v1/sys/storage/raft/join` request (Vault `http/sys_raft.go`, `vault/raft.go` @ v1.14.9). */
export interface RaftJoinRequest {
  leaderApiAddr: string;
  retry?: boolean;
  leaderCaCert?: string;
  leaderTlsServername?: string;
  nonVoter?: boolean;
}

/** One server of `GET /v1/sys/storage/raft/configuration` (Vault `vault/logical_system_raft.go`, `physical/raft/raft.go` @ v1.14.9). */
export interface RaftServer {
  nodeId: string;
  address: string;
  leader: boolean;
  protocolVersion: string;
  voter: boolean;
}

export interface RaftConfiguration {
  index: number;
  servers: RaftServer[];
}

/** One server of autopilot state (Vault `physical/raft/raft_autopilot.go` @ v1.14.9). */
export interface AutopilotServer {
  id: string;
  name: string;
  address: string;
  nodeStatus: string;
  lastContact: string;
  lastTerm: number;
  lastIndex: number;
  healthy: boolean;
  stableSince: string;
  status: string;
  version: string;
  nodeType?: string;
}

/** `GET /v1/sys/storage/raft/autopilot/state` (Vault `physical/raft/raft_autopilot.go` @ v1.14.9). */
export interface AutopilotState {
  healthy: boolean;
  failureTolerance: number;
  leader: string;
  voters: string[];
  nonVoters?: string[];
  servers: Record<string, AutopilotServer>;
}

/** `GET /v1/sys/storage/raft/autopilot/configuration` (Vault `vault/logical_system_raft.go`, `physical/raft/raft_autopilot.go` @ v1.14.9). */
export interface AutopilotConfiguration {
  cleanupDeadServers: boolean;
  lastContactThreshold: string;
  deadServerLastContactThreshold: string;
  maxTrailingLogs: number;
  minQuorum: number;
  serverStabilizationTime: string;
}

/** `GET /v1/sys/seal-backend-status` (Vault `http/sys_seal.go` handleSysSealBackendStatus @ v1.15.0). */
export interface SealBackendStatus {
  healthy: boolean;
  unhealthySince?: string;
  backends: { name: string; healthy: boolean; unhealthySince?: string }[];
}
