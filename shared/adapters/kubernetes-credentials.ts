import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { KubernetesApiAccess } from '../config/types-discovery.ts';
import { DiscoveryError } from '../ports/node-discovery.ts';
import type { AwsCredentialIdentityProvider } from './eks-token.ts';
import type { KubernetesConnection, KubernetesCredentials } from './kubernetes-api.ts';

/** The service-account mount of every pod (kubernetes.io/docs/tasks/run-application/access-api-from-pod). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface CredentialDeps {
  env: Record<string, string | undefined>;
  now: () => number;
  /** AWS credentials for EKS tokens and DescribeCluster (default: the SDK's chain, loaded lazily). */
  awsCredentials?: AwsCredentialIdentityProvider;
  /** Directory of the service-account token and CA (tests point it elsewhere). */
  serviceAccountDir?: string;
}

/** Builds the credentials for one configured API access. Nothing is read until first use. */
export function createKubernetesCredentials(access: KubernetesApiAccess, deps: CredentialDeps): KubernetesCredentials {
  switch (access.kind) {
    case 'in-cluster':
      return inCluster(deps);
    case 'kubeconfig':
      return cachedOnce(() => fromKubeconfig(access.path, access.context));
    case 'token':
      return {
        connection: async () => ({ server: access.server, token: access.token.reveal(), ...(access.caPem ? { caPem: access.caPem } : {}) }),
        invalidate: () => undefined,
      };
    case 'eks':
      return eks(access, deps);
  }
}

function inCluster(deps: CredentialDeps): KubernetesCredentials {
  const dir = deps.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  return {
    async connection() {
      const host = deps.env['KUBERNETES_SERVICE_HOST'];
      const port = deps.env['KUBERNETES_SERVICE_PORT'] ?? '443';
      if (!host)
        throw new DiscoveryError(
          'invalid',
          'inCluster: KUBERNETES_SERVICE_HOST is not set (sealwatch is not running in a pod); use kubeconfig or server + token',
        );
      // Re-read on every use: projected service-account tokens rotate (about hourly).
      const [token, caPem] = await Promise.all([readText(`${dir}/token`), readText(`${dir}/ca.crt`)]);
      const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return { server, token: token.trim(), caPem };
    },
    invalidate: () => undefined,
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new DiscoveryError('invalid', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function cachedOnce(load: () => Promise<KubernetesConnection>): KubernetesCredentials {
  let connection: Promise<KubernetesConnection> | undefined;
  return {
    connection: () => (connection ??= load().catch((e: unknown) => ((connection = undefined), Promise.reject(e)))),
    invalidate: () => (connection = undefined),
  };
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  users?: {
    name: string;
    user: {
      token?: string;
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      'client-certificate'?: string;
      'client-key'?: string;
      exec?: unknown;
    };
  }[];
}

/** Reads a kubeconfig (clientcmd v1): server, CA, and a token or client certificate. */
export async function fromKubeconfig(path: string, contextName?: string): Promise<KubernetesConnection> {
  const doc = parseYaml(await readText(path)) as Kubeconfig;
  const name = contextName ?? doc['current-context'];
  const context = doc.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new DiscoveryError('invalid', `kubeconfig ${path}: no context "${name ?? ''}"`);
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === context.user)?.user;
  if (!cluster || !user) throw new DiscoveryError('invalid', `kubeconfig ${path}: context "${name ?? ''}" names a missing cluster or user`);
  if (user.exec !== undefined) {
    throw new DiscoveryError(
      'unsupported',
      `kubeconfig ${path}: user "${context.user}" runs an exec plugin, which sealwatch does not run; use a service-account token (server + token), a client certificate, or eks: {cluster, region} for EKS`,
    );
  }
  const caPem = await pemOf(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const connection: KubernetesConnection = { server: cluster.server, ...(caPem ? { caPem } : {}) };
  if (user.token) return { ...connection, token: user.token };
  const certPem = await pemOf(user['client-certificate-data'], user['client-certificate']);
  const keyPem = await pemOf(user['client-key-data'], user['client-key']);
  if (certPem && keyPem) return { ...connection, clientCert: { certPem, keyPem } };
  throw new DiscoveryError('invalid', `kubeconfig ${path}: user "${context.user}" has neither a token nor a client certificate`);
}

async function pemOf(data: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  return file ? readText(file) : undefined;
}

function eks(access: Extract<KubernetesApiAccess, { kind: 'eks' }>, deps: CredentialDeps): KubernetesCredentials {
  let tokens: Promise<{ token(): Promise<string>; invalidate(): void }> | undefined;
  let endpoint: Promise<{ server: string; caPem: string }> | undefined;
  const credentials = async () => deps.awsCredentials ?? (await import('@aws-sdk/credential-provider-node')).defaultProvider();
  const source = () =>
    (tokens ??= (async () => {
      const { createEksTokenSource } = await import('./eks-token.ts');
      return createEksTokenSource({ cluster: access.cluster, region: access.region, credentials: await credentials(), now: deps.now });
    })());
  return {
    async connection() {
      endpoint ??=
        access.server !== undefined && access.caPem !== undefined
          ? Promise.resolve({ server: access.server, caPem: access.caPem })
          : describeCluster(access, await credentials()).catch((e: unknown) => ((endpoint = undefined), Promise.reject(e)));
      const [{ server, caPem }, token] = await Promise.all([endpoint, source().then((s) => s.token())]);
      return { server, caPem, token };
    },
    invalidate() {
      void tokens?.then((s) => s.invalidate());
    },
  };
}

/** `eks:DescribeCluster` → endpoint and CA (base64 PEM), with the AWS SDK loaded only here. */
async function describeCluster(access: Extract<KubernetesApiAccess, { kind: 'eks' }>, credentials: AwsCredentialIdentityProvider) {
  const { EKSClient, DescribeClusterCommand } = await import('@aws-sdk/client-eks');
  const client = new EKSClient({ region: access.region, credentials, ...(access.awsEndpoint ? { endpoint: access.awsEndpoint } : {}) });
  try {
    const { cluster } = await client.send(new DescribeClusterCommand({ name: access.cluster }));
    const server = cluster?.endpoint;
    const ca = cluster?.certificateAuthority?.data;
    if (!server || !ca)
      throw new DiscoveryError(
        'invalid',
        `eks:DescribeCluster ${access.cluster}: no endpoint or certificate authority yet (cluster ${cluster?.status ?? 'unknown'})`,
      );
    return { server, caPem: Buffer.from(ca, 'base64').toString('utf8') };
  } catch (error) {
    if (error instanceof DiscoveryError) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'AccessDeniedException') throw new DiscoveryError('forbidden', `eks:DescribeCluster ${access.cluster} denied`, 'eks:DescribeCluster');
    throw new DiscoveryError('unreachable', `eks:DescribeCluster ${access.cluster} failed: ${name}`);
  } finally {
    client.destroy();
  }
}
