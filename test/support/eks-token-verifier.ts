import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the authenticator accepts a token for (aws-iam-authenticator pkg/token/token.go `Verify`). */
export interface EksVerifierOptions {
  cluster: string;
  region: string;
  /** The credentials STS knows: the signature is recomputed as STS would. */
  accessKeyId: string;
  secretAccessKey: string;
  now: () => number;
}

/** aws-iam-authenticator: `presignedURLExpiration = 15 * time.Minute` from X-Amz-Date. */
const VALID_MS = 15 * 60_000;

/**
 * Verifies an EKS bearer token the way the API server's authenticator (then STS) would: prefix,
 * base64url URL, STS host and GetCallerIdentity query, SigV4 query parameters, `x-k8s-aws-id` among
 * the signed headers, age under 15 minutes, and the signature itself for the cluster name.
 */
export async function verifyEksToken(token: string, options: EksVerifierOptions): Promise<{ ok: true } | { ok: false; reason: string }> {
  const prefix = 'k8s-aws-v1.';
  if (!token.startsWith(prefix)) return { ok: false, reason: 'token is missing expected "k8s-aws-v1." prefix' };
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed presigned URL' };
  }
  const q = url.searchParams;
  if (url.protocol !== 'https:' || url.hostname !== `sts.${options.region}.amazonaws.com` || url.pathname !== '/')
    return { ok: false, reason: `unexpected hostname "${url.hostname}"` };
  if (q.get('Action') !== 'GetCallerIdentity' || q.get('Version') !== '2011-06-15') return { ok: false, reason: 'unexpected action or version' };
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { ok: false, reason: 'unexpected algorithm' };
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) return { ok: false, reason: 'client did not sign the x-k8s-aws-id header in the pre-signed URL' };
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'host is not signed' };
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1) return { ok: false, reason: 'X-Amz-Expires missing' };
  const amzDate = q.get('X-Amz-Date') ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return { ok: false, reason: 'X-Amz-Date malformed' };
  const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (options.now() > signedAt + VALID_MS) return { ok: false, reason: 'X-Amz-Date parameter is expired (15 minute expiration)' };
  const credential = q.get('X-Amz-Credential') ?? '';
  if (credential !== `${options.accessKeyId}/${amzDate.slice(0, 8)}/${options.region}/sts/aws4_request`)
    return { ok: false, reason: 'unknown credential scope' };
  // Recompute the signature for this cluster name, as STS does with the header the API server adds.
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const query: Record<string, string> = {};
  for (const [k, v] of q) if (!k.startsWith('X-Amz-')) query[k] = v;
  const expected = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname: url.hostname,
      path: '/',
      query,
      headers: { host: url.hostname, 'x-k8s-aws-id': options.cluster },
    }),
    { expiresIn: expires, signingDate: new Date(signedAt) },
  );
  if (expected.query?.['X-Amz-Signature'] !== q.get('X-Amz-Signature')) return { ok: false, reason: 'signature does not match (wrong cluster name or key)' };
  return { ok: true };
}
