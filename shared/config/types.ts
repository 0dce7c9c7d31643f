import type { Secret } from './secret.ts';

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
export type StateConfig =
  | { kind: 'embedded'; embedded: EmbeddedStateConfig }
  | { kind: 'dynamodb'; dynamodb: DynamoDbStateConfig };

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
  /** At least one. */
  nodes: NodeConfig[];
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
  /** Name to verify in the node certificates instead of the URL host. */
  serverName?: string;
}

export interface CustodyConfig {
  /** Wrapper for every share index not listed in `shares`. */
  default?: string;
  /** Wrapper id -> 1-based share indexes it protects. */
  shares: Record<string, number[]>;
}
