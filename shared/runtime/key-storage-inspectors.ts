import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { TokenCredential } from '@azure/identity';
import { createAwsKmsSealKeyChecker } from '../adapters/aws-kms-seal-key.ts';
import { createDynamoDbVaultStorage } from '../adapters/dynamodb-vault-storage.ts';
import type { AuditLog } from '../app/audit-log.ts';
import { createCustodyKeyInspector } from '../app/inspectors/custody-key-inspector.ts';
import { createSealBackendInspector } from '../app/inspectors/seal-backend-inspector.ts';
import { DEFAULT_KEY_EXPIRY_DAYS, createSealKeyInspector } from '../app/inspectors/seal-key-inspector.ts';
import { createStorageInspector, type StorageTarget } from '../app/inspectors/storage-inspector.ts';
import { createStorageBackupExecutor } from '../app/storage-backup-executor.ts';
import type { ActionExecutor, ClusterInspector, PlanningInspector } from '../app/sweep.ts';
import type { ClusterConfig } from '../config/types.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { SealKeyChecker } from '../ports/seal-key-checker.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { azureClientOptions, azureCredentialFromConfig, type KeyWrapperRegistry } from './key-wrappers.ts';
import { lazyAzureSealKeyChecker } from './lazy-azure.ts';

export interface KeyStorageInspectorsOptions {
  clusters: readonly ClusterConfig[];
  wrappers: KeyWrapperRegistry;
  vault: VaultClientFactory;
  store: StateStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Overrides the Azure credential of a seal key (tests); default: from its `credential` config. */
  azureCredential?: (cluster: ClusterConfig) => TokenCredential;
  /** SDK retry attempts for KMS and DynamoDB (default: the SDK's). */
  maxAttempts?: number;
}

/**
 * The key and storage checks of issue #4 (part B) from the cluster configs: seal key, custody
 * keys, seal-backend-status, Vault's DynamoDB table. SDK clients are shared per (region,
 * endpoint) and released by `close()`. Nothing is contacted here.
 */
export function createKeyStorageInspectors(options: KeyStorageInspectorsOptions): {
  inspectors: (ClusterInspector | PlanningInspector)[];
  /** Applies the storage check's planned `storage-backup` actions. */
  executeStorage: ActionExecutor;
  close(): void;
} {
  const { clusters, clock } = options;
  const kmsClients = new Map<string, KMSClient>();
  const dynamoClients = new Map<string, DynamoDBClient>();
  const retries = options.maxAttempts ? { maxAttempts: options.maxAttempts } : {};
  const kmsClient = (region: string, endpoint?: string) =>
    cached(kmsClients, region, endpoint, () => new KMSClient({ region, ...(endpoint ? { endpoint } : {}), ...retries }));
  const dynamoClient = (region: string, endpoint?: string) =>
    cached(dynamoClients, region, endpoint, () => new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}), ...retries }));
  const expiryDays = new Map(clusters.map((c) => [c.id, c.checks?.keyExpiryDays ?? DEFAULT_KEY_EXPIRY_DAYS]));
  const expiryOf = (id: string) => expiryDays.get(id) ?? DEFAULT_KEY_EXPIRY_DAYS;
  const now = () => clock.now();

  const checkers = new Map<string, SealKeyChecker>();
  const storage = new Map<string, StorageTarget>();
  const custody = new Map<string, string[]>();
  for (const cluster of clusters) {
    const seal = cluster.seal;
    if (seal?.kind === 'awskms') {
      const { keyId, region, endpoint } = seal.awskms;
      checkers.set(cluster.id, createAwsKmsSealKeyChecker({ keyId, client: kmsClient(region, endpoint), canary: seal.canary, now }));
    } else if (seal?.kind === 'azurekeyvault') {
      const { vaultUrl, keyName, credential } = seal.azurekeyvault;
      checkers.set(
        cluster.id,
        lazyAzureSealKeyChecker({
          vaultUrl,
          keyName,
          credential: options.azureCredential?.(cluster) ?? azureCredentialFromConfig(credential),
          canary: seal.canary,
          expiryDays: expiryOf(cluster.id),
          clientOptions: azureClientOptions(vaultUrl, undefined),
          now,
        }),
      );
    }
    const dynamodb = cluster.storage?.dynamodb;
    if (dynamodb) {
      storage.set(cluster.id, {
        checker: createDynamoDbVaultStorage({ table: dynamodb.table, client: dynamoClient(dynamodb.region, dynamodb.endpoint) }),
        config: dynamodb,
      });
    }
    if (cluster.custody) {
      const ids = new Set([...(cluster.custody.default ? [cluster.custody.default] : []), ...Object.keys(cluster.custody.shares)]);
      custody.set(cluster.id, [...ids]);
    }
  }

  const inspectors: (ClusterInspector | PlanningInspector)[] = [];
  if (checkers.size > 0) inspectors.push(createSealKeyInspector({ checkers, clock, expiryDays: expiryOf }));
  if (custody.size > 0) {
    inspectors.push(createCustodyKeyInspector({ custodyWrappers: custody, wrapper: (id) => options.wrappers.get(id), clock, expiryDays: expiryOf }));
  }
  inspectors.push(createSealBackendInspector({ vault: options.vault }));
  if (storage.size > 0) {
    inspectors.push(createStorageInspector({ targets: storage, store: options.store, clock }));
  }
  const executeStorage = createStorageBackupExecutor({
    checkers: new Map([...storage].map(([id, target]) => [id, target.checker])),
    audit: options.audit,
    clock,
    logger: options.logger,
  });
  return {
    inspectors,
    executeStorage,
    close() {
      for (const client of [...kmsClients.values(), ...dynamoClients.values()]) client.destroy();
      kmsClients.clear();
      dynamoClients.clear();
    },
  };
}

function cached<T>(map: Map<string, T>, region: string, endpoint: string | undefined, build: () => T): T {
  const key = `${region}|${endpoint ?? ''}`;
  let client = map.get(key);
  if (!client) {
    client = build();
    map.set(key, client);
  }
  return client;
}
