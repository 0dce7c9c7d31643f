import type { AlertRules } from '../core/incidents/alert-rules.ts';
import type { Secret } from './secret.ts';
import type { DiscoveryConfig } from './types-discovery.ts';

export type * from './types-discovery.ts';

/**
 * The runtime configuration: validated, references resolved, defaults applied, relative paths
 * made absolute (against the config file's directory). Secrets are `Secret` values, so printing
 * or serialising the whole object never shows them.
 */
export interface SealwatchConfig {
  state: StateConfig;
  sweep: SweepConfig;
  /** Custody key wrappers, in file order. Empty when none are configured. */
  wrappers: WrapperConfig[];
  /** At least one. */
  clusters: ClusterConfig[];
}

/** Exactly one backend; `kind` mirrors which key is present, for exhaustive switches. */
export type StateConfig = { kind: 'embedded'; embedded: EmbeddedStateConfig } | { kind: 'dynamodb'; dynamodb: DynamoDbStateConfig };

export interface EmbeddedStateConfig {
  /** Absolute directory of the local store (default `.sealwatch` beside the config file). */
  path: string;
}

export interface DynamoDbStateConfig {
  table: string;
  region: string;
  /** Only for local/test endpoints such as dynalite. */
  endpoint?: string;
}

export interface SweepConfig {
  /** Nodes observed at once (1..1024, default 64). */
  concurrency: number;
  /** Deadline for observing one node (100..60000 ms, default 3000). */
  nodeTimeoutMs: number;
  /** Period of `serve`'s built-in scheduler (5..3600 s, default 60). */
  intervalSeconds: number;
}

export type WrapperConfig = LocalWrapperConfig | AwsKmsWrapperConfig | AzureKeyVaultWrapperConfig;

/** `kind` values match `KeyWrapper.kind`. */
export interface LocalWrapperConfig {
  id: string;
  kind: 'local';
  local: {
    /** 32 bytes as base64 or hex (decode with `decodeKeyText`). */
    key: Secret;
    /** Absolute path, when the key was read from `keyFile`. */
    keyFile?: string;
  };
}

export interface AwsKmsWrapperConfig {
  id: string;
  kind: 'aws-kms';
  awsKms: {
    /** Key ARN, alias ARN, `alias/NAME`, key id or `mrk-` id. */
    keyId: string;
    region: string;
    endpoint?: string;
  };
}

export interface AzureKeyVaultWrapperConfig {
  id: string;
  kind: 'azure-keyvault';
  azureKeyVault: {
    vaultUrl: string;
    keyName: string;
    keyVersion?: string;
    /** Defaults to `{ kind: 'default' }` (DefaultAzureCredential). */
    credential: AzureCredentialConfig;
  };
}

export type AzureCredentialConfig =
  | { kind: 'default'; tenantId?: string; clientId?: string }
  | { kind: 'workload-identity'; tenantId?: string; clientId?: string }
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: Secret };

export interface ClusterConfig {
  id: string;
  /** Display name; defaults to `id`. */
  name: string;
  /** Static nodes; may be empty when `discovery` finds them. */
  nodes: NodeConfig[];
  /** Where further nodes are found at the start of each sweep. */
  discovery?: DiscoveryConfig;
  tls?: TlsConfig;
  /**
   * Left undefined when not written: the default (on when custody exists) is decided at run
   * time, where custody records are known.
   */
  autoUnseal?: boolean;
  custody?: CustodyConfig;
}

export interface NodeConfig {
  id: string;
  /** Origin only, e.g. `https://10.0.1.10:8200` (no trailing slash). */
  url: string;
  /** True only for explicitly allowed plain-HTTP nodes (dev). */
  insecureHttp: boolean;
}

export interface TlsConfig {
  /** The CA bundle text, whether written inline (`caPem`) or read from `caFile`. */
  caPem?: string;
  /** Absolute path, when the CA came from a file. */
  caFile?: string;
  /**
   * Name to verify in the node certificates instead of the URL host. `{node}` is replaced by the
   * node id (e.g. `{node}.vault-internal` for pods reached by IP).
   */
  serverName?: string;
}

export interface CustodyConfig {
  /** Wrapper for every share index not listed in `shares`. */
  default?: string;
  /** Wrapper id -> 1-based share indexes it protects. */
  shares: Record<string, number[]>;
}

// ---------------------------------------------------------------------------------------------
// Keys added for cluster health (issue #4), alerting (#5), the API (#6) and deployment (#7).
// All optional in the runtime shape: absent means the feature is off or uses the documented
// defaults, so configs built in code (demo, tests, benchmarks) stay short.
// ---------------------------------------------------------------------------------------------

/** Durations are written like `90s`, `30m`, `24h`, `7d` and held in milliseconds. */
export type DurationMs = number;

export interface ClusterHealthConfig {
  /** How sealwatch authenticates to Vault for raft/autopilot reads and remove-peer. */
  auth?: VaultAuthConfig;
  /** The auto-unseal key this cluster's nodes depend on (not sealwatch's custody key). */
  seal?: SealKeyConfig;
  /** Vault's storage backend, when sealwatch should check it. */
  storage?: { dynamodb: VaultDynamoDbStorageConfig };
  raft?: RaftRecoveryConfig;
  checks?: {
    /** Warn when a node's TLS certificate expires within this many days (default 14). */
    certExpiryDays?: number;
    /** Warn when a key (seal or custody) expires within this many days (default 30). */
    keyExpiryDays?: number;
  };
}

export type VaultAuthConfig =
  /** A token kept in custody, set with `sealwatch token set --cluster ID` (stdin). */
  | { kind: 'token' }
  /** Vault's AWS IAM auth method, signing sts:GetCallerIdentity with the function's credentials. */
  | { kind: 'aws-iam'; role: string; mount: string; region: string; serverIdHeader?: string };

export type SealKeyConfig =
  | { kind: 'awskms'; awskms: { keyId: string; region: string; endpoint?: string }; canary: boolean }
  | {
      kind: 'azurekeyvault';
      azurekeyvault: { vaultUrl: string; keyName: string; credential: AzureCredentialConfig };
      canary: boolean;
    };

export interface VaultDynamoDbStorageConfig {
  table: string;
  region: string;
  endpoint?: string;
  /** The HA lock expired for longer than this while nodes are up → stuck lock (default 60 s). */
  staleLockMs: DurationMs;
  /** Lock holder changes per hour above which leadership is thrashing (default 6). */
  thrashingPerHour: number;
  /** Take an on-demand backup when a rolling upgrade starts and none exists from the last hour. */
  backupBeforeUpgrade: boolean;
}

export interface RaftRecoveryConfig {
  /** Join uninitialised configured nodes to the cluster and unseal them from custody. */
  autoJoin: boolean;
  /** Remove peers dead longer than `after`, never below max(minQuorum, quorum). Off when absent. */
  removeDeadPeers?: { after: DurationMs; minQuorum: number };
}

// ClusterConfig gains the health keys (declaration merging keeps the existing interface whole).
export interface ClusterConfig extends ClusterHealthConfig {}

/** An on-call channel (`channels:` list). Secrets are references, resolved at run time. */
export type ChannelConfig =
  | { id: string; kind: 'slack'; slack: { webhookUrl: Secret } }
  | { id: string; kind: 'pagerduty'; pagerduty: { routingKey: Secret; region: 'us' | 'eu' } }
  | { id: string; kind: 'opsgenie'; opsgenie: { apiKey: Secret; region: 'us' | 'eu'; responders?: string[] } }
  | { id: string; kind: 'jsm'; jsm: { apiUrl: string; user: string; apiToken: Secret; responders?: string[] } }
  | { id: string; kind: 'teams'; teams: { webhookUrl: Secret } }
  | { id: string; kind: 'webhook'; webhook: { url: string; secret: Secret } }
  | { id: string; kind: 'sns'; sns: { topicArn: string; region: string; endpoint?: string } };

/** `alerts:` in the config: the incident rules core/incidents applies. */
export type AlertsConfig = AlertRules;

export interface ApiConfig {
  alertmanager?: { token: Secret; clusterLabel: string; nodeLabel: string };
  /** Standard Webhooks secret (`whsec_…`) for POST /v1/hooks/generic. */
  webhooks?: { secret: Secret };
  dashboard: { enabled: boolean };
  limits: { bodyBytes: number; requestsPerMinute: number; timeoutMs: number };
}

export interface ScaleOutConfig {
  /** Past this many clusters the scheduler fans out one message per cluster to SQS workers. */
  clusterThreshold: number;
}

export interface SealwatchConfig {
  channels?: ChannelConfig[];
  alerts?: AlertsConfig;
  api?: ApiConfig;
  scaleOut?: ScaleOutConfig;
}
