import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { pinnedTarget, type TargetCluster } from '../core/pinned-target.ts';
import { UnavailableError, ValidationError, VaultApiError } from '../errors.ts';
import type { AwsIamLogin } from '../ports/aws-iam-login.ts';
import type { AwsIamLoginBody, VaultClientFactory } from '../ports/vault-client.ts';
import { translateAwsError } from './aws-errors.ts';

/** What the AWS SDK's credential providers resolve to. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** SigV4's hash: Node's SHA-256 (HMAC when given a secret). */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

const STS_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** The STS endpoint Vault's aws auth method talks to by default for `region`. */
export function stsEndpoint(region: string): string {
  // Vault's default sts_endpoint is the global one, signed for us-east-1; other regions need
  // `sts_endpoint`/`sts_region` set in Vault's aws auth client config to the regional endpoint.
  return region === 'us-east-1' ? 'https://sts.amazonaws.com/' : `https://sts.${region}.amazonaws.com/`;
}

/**
 * Builds the body of `POST auth/<mount>/login` for Vault's AWS IAM auth method: a
 * `sts:GetCallerIdentity` request signed (SigV4) with `credentials`, which Vault replays to STS
 * to learn who we are. The signed headers include `X-Vault-AWS-IAM-Server-ID` when given, so
 * the signature cannot be replayed against another Vault.
 */
export async function buildAwsIamLoginBody(options: {
  role: string;
  region: string;
  serverIdHeader?: string;
  credentials: () => Promise<AwsCredentials>;
  /** Signing time (default now). */
  signingDate?: Date;
}): Promise<AwsIamLoginBody> {
  if (!options.role) throw new ValidationError('aws-iam auth needs a role');
  const url = new URL(stsEndpoint(options.region));
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    headers: {
      host: url.hostname,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      ...(options.serverIdHeader ? { 'x-vault-aws-iam-server-id': options.serverIdHeader } : {}),
    },
    body: STS_BODY,
  });
  const signer = new SignatureV4({ service: 'sts', region: options.region, credentials: options.credentials, sha256: Sha256 });
  let signed: HttpRequest;
  try {
    signed = (await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {})) as HttpRequest;
  } catch (error) {
    // Resolving the credentials is the only AWS call here (CredentialsProviderError, STS/IMDS faults).
    throw translateAwsError(error, { where: `signing the AWS IAM login for role ${options.role}` });
  }
  // Vault reads the headers as a JSON map of header name to values.
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, [value]]));
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return {
    role: options.role,
    iam_http_request_method: 'POST',
    iam_request_url: b64(url.href),
    iam_request_headers: b64(JSON.stringify(headers)),
    iam_request_body: b64(STS_BODY),
  };
}

/**
 * The token source's AWS IAM login: signs with the function's own credentials (the default
 * provider chain unless `credentials` is given) and logs in at the first node that answers.
 * Throws `UnpinnedTargetError` before signing when a node has no cluster CA to pin to.
 */
export function createAwsIamLogin(options: {
  vault: VaultClientFactory;
  clusters: readonly TargetCluster[];
  credentials?: () => Promise<AwsCredentials>;
  callTimeoutMs?: number;
}): AwsIamLogin {
  const credentials = options.credentials ?? defaultProvider();
  const byId = new Map(options.clusters.map((c) => [c.id, c]));
  return async (cluster, auth, signal) => {
    const sweepCluster = byId.get(cluster.id);
    if (!sweepCluster) throw new ValidationError(`cluster ${cluster.id} is not configured`);
    // Checked before signing: a signed login can be replayed against the real Vault by whoever
    // receives it, so it goes only to nodes the cluster CA vouches for.
    const targets = sweepCluster.nodes.map((node) => ({ node, target: pinnedTarget(sweepCluster, node.id) }));
    const body = await buildAwsIamLoginBody({
      role: auth.role,
      region: auth.region,
      credentials,
      ...(auth.serverIdHeader ? { serverIdHeader: auth.serverIdHeader } : {}),
    });
    const problems: string[] = [];
    for (const { node, target } of targets) {
      const client = options.vault.client(target);
      if (!client.awsIamLogin) throw new ValidationError('this Vault client cannot log in with AWS IAM');
      try {
        return await client.awsIamLogin(auth.mount, body, { signal: AbortSignal.any([signal, AbortSignal.timeout(options.callTimeoutMs ?? 10_000)]) });
      } catch (error) {
        // A refusal (wrong role, bound principal) is the same on every node: stop here.
        if (error instanceof VaultApiError) throw error;
        problems.push(`${node.id}: ${(error as Error).message}`);
      }
    }
    throw new UnavailableError(`no node of cluster ${cluster.id} answered the AWS IAM login (${problems.join('; ')})`);
  };
}
