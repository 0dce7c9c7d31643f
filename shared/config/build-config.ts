import { configRelativePath, type ReferenceContext } from './references.ts';
import type { ValidatedConfig } from './schema.ts';
import { buildAlerting } from './build-alerting.ts';
import { buildDiscovery } from './build-discovery.ts';
import { buildCredential, buildHealth } from './build-health.ts';
import { CONFIG_DEFAULTS } from './defaults.ts';
import { optional } from './optional.ts';
import type { ClusterConfig, CustodyConfig, SealwatchConfig, StateConfig, TlsConfig, WrapperConfig } from './types.ts';

export { CONFIG_DEFAULTS };

type Validated<K extends keyof ValidatedConfig> = NonNullable<ValidatedConfig[K]>;

/**
 * Applies defaults and produces the runtime shape. Only called once validation and relation
 * checks found nothing, so exactly-one-of choices are known to hold here.
 */
export function buildConfig(validated: ValidatedConfig, context: ReferenceContext): SealwatchConfig {
  const sweep = validated.sweep ?? {};
  return {
    state: buildState(validated.state, context),
    sweep: {
      concurrency: sweep.concurrency ?? CONFIG_DEFAULTS.sweep.concurrency,
      nodeTimeoutMs: sweep.nodeTimeoutMs ?? CONFIG_DEFAULTS.sweep.nodeTimeoutMs,
      intervalSeconds: sweep.intervalSeconds ?? CONFIG_DEFAULTS.sweep.intervalSeconds,
    },
    wrappers: (validated.wrappers ?? []).map(buildWrapper),
    clusters: validated.clusters.map((cluster) => buildCluster(cluster, context)),
    ...buildAlerting(validated),
  };
}

function buildState(state: ValidatedConfig['state'], context: ReferenceContext): StateConfig {
  const dynamodb = state?.dynamodb;
  if (dynamodb !== undefined) {
    return {
      kind: 'dynamodb',
      dynamodb: { table: dynamodb.table, region: dynamodb.region, ...optional('endpoint', dynamodb.endpoint) },
    };
  }
  const path = state?.embedded?.path ?? CONFIG_DEFAULTS.statePath;
  return { kind: 'embedded', embedded: { path: configRelativePath(context, path) } };
}

function buildWrapper(wrapper: Validated<'wrappers'>[number]): WrapperConfig {
  const { id, local, awsKms, azureKeyVault } = wrapper;
  if (awsKms !== undefined) {
    return {
      id,
      kind: 'aws-kms',
      awsKms: { keyId: awsKms.keyId, region: awsKms.region, ...optional('endpoint', awsKms.endpoint) },
    };
  }
  if (azureKeyVault !== undefined) {
    return {
      id,
      kind: 'azure-keyvault',
      azureKeyVault: {
        vaultUrl: azureKeyVault.vaultUrl,
        keyName: azureKeyVault.keyName,
        ...optional('keyVersion', azureKeyVault.keyVersion),
        credential: buildCredential(azureKeyVault.credential),
      },
    };
  }
  const file = local?.keyFile;
  const key = file?.key ?? local?.key;
  if (key === undefined) throw new Error(`wrapper ${id}: validation let a wrapper without key material through`);
  return { id, kind: 'local', local: { key, ...optional('keyFile', file?.path) } };
}

function buildCluster(cluster: ValidatedConfig['clusters'][number], context: ReferenceContext): ClusterConfig {
  return {
    id: cluster.id,
    name: cluster.name ?? cluster.id,
    nodes: (cluster.nodes ?? []).map((node) => ({ id: node.id, url: node.url, insecureHttp: node.insecureHttp ?? false })),
    ...optional('discovery', cluster.discovery === undefined ? undefined : buildDiscovery(cluster.discovery, context)),
    ...optional('tls', cluster.tls === undefined ? undefined : buildTls(cluster.tls)),
    ...optional('autoUnseal', cluster.autoUnseal),
    ...optional('custody', cluster.custody === undefined ? undefined : buildCustody(cluster.custody)),
    ...buildHealth(cluster),
  };
}

function buildTls(tls: NonNullable<ValidatedConfig['clusters'][number]['tls']>): TlsConfig {
  return {
    ...optional('caPem', tls.caFile?.pem ?? tls.caPem),
    ...optional('caFile', tls.caFile?.path),
    ...optional('serverName', tls.serverName),
  };
}

function buildCustody(custody: NonNullable<ValidatedConfig['clusters'][number]['custody']>): CustodyConfig {
  return { ...optional('default', custody.default), shares: { ...custody.shares } };
}
