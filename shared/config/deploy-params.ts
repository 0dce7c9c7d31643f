import { parseReference } from './references.ts';
import type { SealwatchConfig } from './types.ts';

/**
 * What the stack's IAM statements name, derived from the bundled configuration so the config
 * is the one source of truth (`npm run package` runs this). ARNs the config does not spell out
 * are built for the stack's own account and partition: they contain `${AWS::AccountId}` and
 * `${AWS::Partition}` and are used inside `Fn::Sub`.
 */
export interface DeployParams {
  clusterIds: string[];
  /** `clusters[].seal.awskms.keyId` (DescribeKey, rotation, canary). */
  sealKeyArns: string[];
  /** `clusters[].storage.dynamodb.table`. */
  vaultTableArns: string[];
  /** `channels[].sns.topicArn`. */
  alertTopicArns: string[];
  /** `${secretsmanager:NAME}` references anywhere in the config. */
  secretArns: string[];
  /** `${ssm:NAME}` references anywhere in the config. */
  ssmParameterArns: string[];
  /** `discovery.kubernetes.eks` clusters whose endpoint and CA come from eks:DescribeCluster. */
  eksClusterArns: string[];
  /** Regions of `discovery.awsEc2` (ec2:DescribeInstances has no resource-level permissions). */
  ec2DiscoveryRegions: string[];
  /** Regions of `discovery.awsEc2.autoScalingGroups` (autoscaling:DescribeAutoScalingGroups, the same). */
  autoScalingDiscoveryRegions: string[];
}

export const DEPLOY_PARAM_NAMES = [
  'clusterIds',
  'sealKeyArns',
  'vaultTableArns',
  'alertTopicArns',
  'secretArns',
  'ssmParameterArns',
  'eksClusterArns',
  'ec2DiscoveryRegions',
  'autoScalingDiscoveryRegions',
] as const;

const ACCOUNT = '${AWS::AccountId}';
const PARTITION = '${AWS::Partition}';
const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * @param raw the config as parsed text, before references were resolved (secret references
 *   are found there: the loaded config keeps remote secrets lazy and opaque).
 * @param region the stack's region (secrets and parameters are read there).
 * @returns the params, and problems that make least privilege impossible (an alias names no key).
 */
export function deriveDeployParams(config: SealwatchConfig, raw: unknown, region: string): { params: DeployParams; problems: string[] } {
  const problems: string[] = [];
  const sealKeyArns: string[] = [];
  const vaultTableArns: string[] = [];
  config.clusters.forEach((cluster, i) => {
    if (cluster.seal?.kind === 'awskms' && !cluster.seal.awskms.endpoint) {
      const { keyId, region: keyRegion } = cluster.seal.awskms;
      if (keyId.startsWith('alias/') || /^arn:[^:]+:kms:[^:]*:\d*:alias\//.test(keyId)) {
        problems.push(`clusters[${i}].seal.awskms.keyId: "${keyId}" is an alias; IAM grants name keys, so give the key id or key ARN`);
      } else if (keyId.startsWith('arn:')) sealKeyArns.push(keyId);
      else if (KEY_ID.test(keyId)) sealKeyArns.push(`arn:${PARTITION}:kms:${keyRegion}:${ACCOUNT}:key/${keyId}`);
      else problems.push(`clusters[${i}].seal.awskms.keyId: "${keyId}" is neither a key id nor a key ARN`);
    }
    const storage = cluster.storage?.dynamodb;
    if (storage && !storage.endpoint) {
      vaultTableArns.push(storage.table.startsWith('arn:') ? storage.table : `arn:${PARTITION}:dynamodb:${storage.region}:${ACCOUNT}:table/${storage.table}`);
    }
  });
  const discovery = discoveryParams(config);
  const alertTopicArns = (config.channels ?? []).flatMap((c) => (c.kind === 'sns' && !c.sns.endpoint ? [c.sns.topicArn] : []));
  const secretArns: string[] = [];
  const ssmParameterArns: string[] = [];
  for (const text of strings(raw)) {
    const parsed = parseReference(text);
    if (!parsed.ok || !parsed.reference) continue;
    const reference = parsed.reference;
    if (reference.kind === 'secretsmanager') {
      // Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
      secretArns.push(
        reference.name.startsWith('arn:') ? reference.name : `arn:${PARTITION}:secretsmanager:${region}:${ACCOUNT}:secret:${reference.name}-??????`,
      );
    } else if (reference.kind === 'ssm') {
      const name = reference.name.replace(/:\d+$/, '');
      ssmParameterArns.push(name.startsWith('arn:') ? name : `arn:${PARTITION}:ssm:${region}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`);
    }
  }
  const unique = (list: string[]) => [...new Set(list)];
  return {
    params: {
      clusterIds: config.clusters.map((c) => c.id),
      sealKeyArns: unique(sealKeyArns),
      vaultTableArns: unique(vaultTableArns),
      alertTopicArns: unique(alertTopicArns),
      secretArns: unique(secretArns),
      ssmParameterArns: unique(ssmParameterArns),
      eksClusterArns: unique(discovery.eksClusterArns),
      ec2DiscoveryRegions: unique(discovery.ec2DiscoveryRegions),
      autoScalingDiscoveryRegions: unique(discovery.autoScalingDiscoveryRegions),
    },
    problems,
  };
}

/**
 * The difference between a hand-given param (comma-separated) and the derived one, or null when
 * they name the same set. Any difference is refused: more would widen the grants beyond the
 * config, fewer would break what the config needs.
 */
export function compareParam(name: string, given: string, derived: readonly string[]): string | null {
  const a = new Set(
    given
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
  const b = new Set(derived);
  const extra = [...a].filter((x) => !b.has(x));
  const missing = [...b].filter((x) => !a.has(x));
  if (extra.length === 0 && missing.length === 0) return null;
  return `param ${name} contradicts the config: ${[extra.length ? `not in the config: ${extra.join(', ')}` : '', missing.length ? `missing: ${missing.join(', ')}` : ''].filter(Boolean).join('; ')}`;
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* strings(v);
}

/** IAM for node discovery, only for what the config uses (local/test endpoints need none). */
function discoveryParams(config: SealwatchConfig) {
  const eksClusterArns: string[] = [];
  const ec2DiscoveryRegions: string[] = [];
  const autoScalingDiscoveryRegions: string[] = [];
  for (const cluster of config.clusters) {
    const discovery = cluster.discovery;
    if (discovery?.kind === 'kubernetes' && discovery.kubernetes.api.kind === 'eks') {
      const eks = discovery.kubernetes.api;
      // Given server and CA: no DescribeCluster call, no grant (the token needs no IAM action).
      if (!(eks.server && eks.caPem) && !eks.awsEndpoint) eksClusterArns.push(`arn:${PARTITION}:eks:${eks.region}:${ACCOUNT}:cluster/${eks.cluster}`);
    }
    if (discovery?.kind === 'aws-ec2' && !discovery.awsEc2.endpoint) {
      ec2DiscoveryRegions.push(discovery.awsEc2.region);
      if (discovery.awsEc2.autoScalingGroups.length > 0) autoScalingDiscoveryRegions.push(discovery.awsEc2.region);
    }
  }
  return { eksClusterArns, ec2DiscoveryRegions, autoScalingDiscoveryRegions };
}
