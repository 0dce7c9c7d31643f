/**
 * A minimal AWS IAM auth method at `auth/aws/login`: it checks that the body carries a
 * well-formed SigV4-signed `sts:GetCallerIdentity` request for a configured role (it does not
 * call STS) and issues a token with a lease, valid for the authenticated endpoints.
 */
import { randomBytes } from 'node:crypto';
import { goJson } from './go-format.ts';
import { decodeGoJson, str } from './go-json.ts';
import { recordIssuedToken } from './issued-tokens.ts';
import { forward } from './logical.ts';
import type { Group } from './raft-group.ts';
import { errorResponse, METHOD_NOT_ALLOWED, type SimRequest, type SimResponse } from './responses.ts';
import type { SimNode } from './sim-node.ts';
import type { SimulatedAwsAuth } from './types.ts';

const b64 = (text: string): string | null => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text === '') return null;
  return Buffer.from(text, 'base64').toString('utf8');
};

/** Why the login body is not a signed GetCallerIdentity request for a known role, or null. */
function problemOf(values: Record<string, unknown>, config: SimulatedAwsAuth): { status: number; message: string } | null {
  const role = str(values, 'role');
  if (str(values, 'iam_http_request_method') !== 'POST') return { status: 400, message: 'iam_http_request_method must be POST' };
  const url = b64(str(values, 'iam_request_url'));
  const body = b64(str(values, 'iam_request_body'));
  const headersText = b64(str(values, 'iam_request_headers'));
  if (url === null || body === null || headersText === null) return { status: 400, message: 'error decoding iam request fields' };
  if (!/^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com\/$/.test(url)) return { status: 400, message: `unexpected iam_request_url ${url}` };
  if (!body.includes('Action=GetCallerIdentity')) return { status: 400, message: 'iam_request_body is not a GetCallerIdentity request' };
  let headers: Record<string, string[] | string>;
  try {
    headers = JSON.parse(headersText) as Record<string, string[] | string>;
  } catch {
    return { status: 400, message: 'iam_request_headers is not JSON' };
  }
  const header = (name: string): string | undefined => {
    const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry[0] : entry;
  };
  const authorization = header('authorization') ?? '';
  const signed = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/sts\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(
    authorization,
  );
  if (!signed || header('x-amz-date') === undefined) return { status: 400, message: 'iam request is not SigV4-signed' };
  if (config.serverId !== undefined) {
    const signedHeaders = (signed[1] ?? '').split(';');
    if (header('x-vault-aws-iam-server-id') !== config.serverId || !signedHeaders.includes('x-vault-aws-iam-server-id')) {
      return { status: 400, message: 'expected X-Vault-AWS-IAM-Server-ID header value mismatch' };
    }
  }
  if (!config.roles.includes(role)) return { status: 400, message: `entry for role ${role} not found` };
  return null;
}

/** `POST auth/aws/login`: unauthenticated, served by the active node. */
export function handleAwsLogin(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'POST' && req.method !== 'PUT') return METHOD_NOT_ALLOWED;
  const config = node.ctx.awsAuth;
  if (config === undefined) return errorResponse(404);
  const target = forward(node, req);
  if ('response' in target) return target.response;
  const serving = target.serve;
  const decoded = decodeGoJson(req.body, {
    goName: 'map',
    qualifiedName: 'map[string]interface {}',
    fields: ['role', 'iam_http_request_method', 'iam_request_url', 'iam_request_body', 'iam_request_headers'].map((name) => ({ name, type: 'any' as const })),
  });
  if (!decoded.ok) return errorResponse(400, decoded.error);
  const problem = problemOf(decoded.values, config);
  if (problem) return errorResponse(problem.status, problem.message);
  const group = serving.group as Group;
  const ttl = config.ttlSeconds ?? 3600;
  const token = `hvs.${randomBytes(18).toString('base64url')}`;
  recordIssuedToken(group, token, serving.ctx.now() + ttl * 1000);
  const role = str(decoded.values, 'role');
  return {
    status: 200,
    body: goJson({
      request_id: randomBytes(16).toString('hex'),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: null,
      auth: {
        client_token: token,
        accessor: randomBytes(12).toString('hex'),
        policies: ['default', 'sealwatch'],
        metadata: { role },
        lease_duration: ttl,
        renewable: true,
      },
    }),
  };
}
