import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the AWS SDK's credential providers resolve to. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** Tokens are valid 15 minutes (aws-iam-authenticator pkg/token/token.go); refresh before 14. */
export const EKS_TOKEN_REFRESH_MS = 14 * 60_000;
const PRESIGN_EXPIRES_S = 60;

/**
 * An EKS bearer token as aws-iam-authenticator (pkg/token/token.go, `GetWithSTS`) and
 * `aws eks get-token` make it: `k8s-aws-v1.` + unpadded base64url of a SigV4-presigned
 * `GET https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` whose
 * signed headers include `x-k8s-aws-id: {cluster}`. The API server's authenticator replays the
 * URL to STS, which answers with the caller's ARN.
 */
export async function createEksToken(input: {
  cluster: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: Date;
}): Promise<string> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const signer = new SignatureV4({ service: 'sts', region: input.region, credentials: input.credentials, sha256: Hash.bind(null, 'sha256') });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, 'x-k8s-aws-id': input.cluster },
  });
  const signed = await signer.presign(request, {
    expiresIn: PRESIGN_EXPIRES_S,
    ...(input.now ? { signingDate: input.now } : {}),
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(signed.query ?? {})) {
    if (typeof value === 'string') query.append(key, value);
  }
  const url = `https://${hostname}/?${query.toString()}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

/** Caches one token per cluster for under 14 minutes; `invalidate` after a 401. */
export function createEksTokenSource(input: { cluster: string; region: string; credentials: AwsCredentialIdentityProvider; now: () => number }) {
  let cached: { token: string; at: number } | undefined;
  return {
    async token(): Promise<string> {
      const now = input.now();
      if (cached && now - cached.at < EKS_TOKEN_REFRESH_MS) return cached.token;
      const token = await createEksToken({ cluster: input.cluster, region: input.region, credentials: input.credentials, now: new Date(now) });
      cached = { token, at: now };
      return token;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
}
