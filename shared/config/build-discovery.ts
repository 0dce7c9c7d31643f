import { CONFIG_DEFAULTS } from './defaults.ts';
import { optional } from './optional.ts';
import { configRelativePath, type ReferenceContext } from './references.ts';
import type { ValidatedConfig } from './schema.ts';
import type { DiscoveryConfig, KubernetesApiAccess } from './types-discovery.ts';

type ValidatedDiscovery = NonNullable<ValidatedConfig['clusters'][number]['discovery']>;
type ValidatedKubernetes = NonNullable<ValidatedDiscovery['kubernetes']>;

/** Applies discovery defaults; exactly-one-of rules were checked before this runs. */
export function buildDiscovery(discovery: ValidatedDiscovery, context: ReferenceContext): DiscoveryConfig {
  const common = {
    goneAfterSweeps: discovery.goneAfterSweeps ?? CONFIG_DEFAULTS.discovery.goneAfterSweeps,
    timeoutMs: discovery.timeoutMs ?? CONFIG_DEFAULTS.discovery.timeoutMs,
  };
  const { kubernetes, awsEc2, dns } = discovery;
  if (kubernetes !== undefined) {
    return {
      kind: 'kubernetes',
      kubernetes: {
        namespace: kubernetes.namespace,
        service: kubernetes.service,
        ...optional('port', kubernetes.port),
        scheme: kubernetes.scheme ?? 'https',
        insecureHttp: kubernetes.insecureHttp ?? false,
        api: buildApiAccess(kubernetes, context),
      },
      ...common,
    };
  }
  if (awsEc2 !== undefined) {
    return {
      kind: 'aws-ec2',
      awsEc2: {
        region: awsEc2.region,
        tags: { ...awsEc2.tags },
        autoScalingGroups: [...(awsEc2.autoScalingGroups ?? [])],
        port: awsEc2.port ?? 8200,
        scheme: awsEc2.scheme ?? 'https',
        insecureHttp: awsEc2.insecureHttp ?? false,
        idTag: awsEc2.idTag ?? 'Name',
        ...optional('endpoint', awsEc2.endpoint),
      },
      ...common,
    };
  }
  if (dns === undefined) throw new Error('validation let a discovery without a source through');
  return {
    kind: 'dns',
    dns: {
      ...optional('srv', dns.srv),
      ...optional('name', dns.name),
      ...optional('port', dns.port),
      scheme: dns.scheme ?? 'https',
      insecureHttp: dns.insecureHttp ?? false,
      ...optional('servers', dns.servers),
    },
    ...common,
  };
}

function buildApiAccess(k: ValidatedKubernetes, context: ReferenceContext): KubernetesApiAccess {
  if (k.eks !== undefined) {
    const { cluster, region, server, caFile, caPem, awsEndpoint } = k.eks;
    return {
      kind: 'eks',
      cluster,
      region,
      ...optional('server', server),
      ...optional('caPem', caFile?.pem ?? caPem),
      ...optional('awsEndpoint', awsEndpoint),
    };
  }
  if (k.kubeconfig !== undefined) {
    return { kind: 'kubeconfig', path: configRelativePath(context, k.kubeconfig.path), ...optional('context', k.kubeconfig.context) };
  }
  if (k.token !== undefined && k.server !== undefined) {
    return { kind: 'token', server: k.server, token: k.token, ...optional('caPem', k.caFile?.pem ?? k.caPem) };
  }
  return { kind: 'in-cluster' };
}
