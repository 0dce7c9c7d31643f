import { CONFIG_DEFAULTS } from './defaults.ts';
import { optional } from './optional.ts';
import type { ValidatedConfig } from './schema.ts';
import type { AzureCredentialConfig, ClusterHealthConfig } from './types.ts';

type Validated<K extends keyof ValidatedConfig> = NonNullable<ValidatedConfig[K]>;

type ValidatedCluster = ValidatedConfig['clusters'][number];

/**
 * A cluster's health keys with defaults. Features stay absent when not written (off); `checks`
 * is always filled because its thresholds apply whenever certificates or keys are observed.
 */
export function buildHealth(cluster: ValidatedCluster): ClusterHealthConfig {
  const { auth, seal, storage, raft } = cluster;
  const checks = cluster.checks ?? {};
  const defaults = CONFIG_DEFAULTS;
  return {
    ...optional('auth', auth === undefined ? undefined : buildAuth(auth)),
    ...optional('seal', seal === undefined ? undefined : buildSeal(seal)),
    ...optional(
      'storage',
      storage === undefined
        ? undefined
        : {
            dynamodb: {
              table: storage.dynamodb.table,
              region: storage.dynamodb.region,
              ...optional('endpoint', storage.dynamodb.endpoint),
              staleLockMs: storage.dynamodb.staleLockAfter ?? defaults.storage.staleLockMs,
              thrashingPerHour: storage.dynamodb.thrashingPerHour ?? defaults.storage.thrashingPerHour,
              backupBeforeUpgrade: storage.dynamodb.backupBeforeUpgrade ?? defaults.storage.backupBeforeUpgrade,
            },
          },
    ),
    ...optional(
      'raft',
      raft === undefined
        ? undefined
        : {
            autoJoin: raft.autoJoin ?? defaults.raft.autoJoin,
            ...optional(
              'removeDeadPeers',
              raft.removeDeadPeers === undefined
                ? undefined
                : { after: raft.removeDeadPeers.after, minQuorum: raft.removeDeadPeers.minQuorum ?? defaults.raft.minQuorum },
            ),
          },
    ),
    checks: {
      certExpiryDays: checks.certExpiryDays ?? defaults.checks.certExpiryDays,
      keyExpiryDays: checks.keyExpiryDays ?? defaults.checks.keyExpiryDays,
    },
  };
}

function buildAuth(auth: NonNullable<ValidatedCluster['auth']>): NonNullable<ClusterHealthConfig['auth']> {
  const iam = auth.awsIam;
  if (iam === undefined) return { kind: 'token' };
  return {
    kind: 'aws-iam',
    role: iam.role,
    mount: iam.mount ?? CONFIG_DEFAULTS.authMount,
    region: iam.region,
    ...optional('serverIdHeader', iam.serverIdHeader),
  };
}

function buildSeal(seal: NonNullable<ValidatedCluster['seal']>): NonNullable<ClusterHealthConfig['seal']> {
  const canary = seal.canary ?? CONFIG_DEFAULTS.seal.canary;
  if (seal.awskms !== undefined) {
    const { keyId, region, endpoint } = seal.awskms;
    return { kind: 'awskms', awskms: { keyId, region, ...optional('endpoint', endpoint) }, canary };
  }
  const azure = seal.azurekeyvault;
  if (azure === undefined) throw new Error('validation let a seal without a key through');
  return {
    kind: 'azurekeyvault',
    azurekeyvault: { vaultUrl: azure.vaultUrl, keyName: azure.keyName, credential: buildCredential(azure.credential) },
    canary,
  };
}

/** Shared by custody wrappers and seal keys: absent means DefaultAzureCredential. */
export function buildCredential(credential: NonNullable<Validated<'wrappers'>[number]['azureKeyVault']>['credential'] | undefined): AzureCredentialConfig {
  if (credential === undefined) return { kind: 'default' };
  const { kind, tenantId, clientId, clientSecret } = credential;
  if (kind === 'client-secret') {
    if (tenantId === undefined || clientId === undefined || clientSecret === undefined) {
      throw new Error('validation let an incomplete client-secret credential through');
    }
    return { kind, tenantId, clientId, clientSecret };
  }
  return { kind, ...optional('tenantId', tenantId), ...optional('clientId', clientId) };
}
