/**
 * Authenticated, forwarded endpoints (§1.4): sealed → 503, standby → served by the active
 * (or 307 with `X-Vault-No-Request-Forwarding`), then the token check, then the operation.
 */
import { isIssuedToken } from './aws-auth.ts';
import { decodeGoJson, type Decoded, type GoStruct } from './go-json.ts';
import {
  errorResponse,
  METHOD_NOT_ALLOWED,
  PERMISSION_DENIED,
  VAULT_IS_SEALED,
  type SimRequest,
  type SimResponse,
} from './responses.ts';
import type { SimNode } from './sim-node.ts';

export type Operation = 'read' | 'update' | 'delete' | 'list';

export interface LogicalRoute {
  /** Operations the path supports; others → 405 `unsupported operation`. */
  operations: Partial<Record<Operation, (node: SimNode, values: Record<string, unknown>) => SimResponse>>;
  /** Request-body fields for update operations. */
  body?: GoStruct;
}

const OPERATIONS: Record<string, Operation> = { GET: 'read', PUT: 'update', POST: 'update', DELETE: 'delete', LIST: 'list' };

/** The token rule of §1.4: the cluster's root token, or a token issued by `auth/aws/login`. */
export function hasValidToken(node: SimNode, req: SimRequest): boolean {
  const rootToken = node.group?.barrier?.rootToken;
  return (rootToken !== undefined && req.token === rootToken) || isIssuedToken(node, req.token);
}

/**
 * Resolves which node serves a forwarded request, or the response that ends it here. Used by
 * the logical endpoints and by `sys/step-down`.
 */
export function forward(node: SimNode, req: SimRequest): { serve: SimNode } | { response: SimResponse } {
  if (node.sealed || node.group === null) return { response: VAULT_IS_SEALED };
  if (!node.group.ha || node.isActive()) return { serve: node };
  const active = node.activePeer();
  if (req.noForwarding) {
    if (active === null) return { response: errorResponse(503, 'no active Vault instance found') };
    const location = `${active.url}/v1/${req.path}${req.rawQuery === '' ? '' : `?${req.rawQuery}`}`;
    return { response: { status: 307, headers: { location } } };
  }
  if (active === null) return { response: errorResponse(500, 'local node not active but active cluster node not found') };
  return { serve: active };
}

function parseBody(req: SimRequest, struct: GoStruct | undefined): Decoded {
  if (struct === undefined || req.body.trim() === '') return { ok: true, empty: true, values: {} };
  return decodeGoJson(req.body, struct);
}

export function handleLogical(route: LogicalRoute, node: SimNode, req: SimRequest): SimResponse {
  const operation = OPERATIONS[req.method];
  if (operation === undefined) return METHOD_NOT_ALLOWED;
  const target = forward(node, req);
  if ('response' in target) return target.response;
  const serving = target.serve;
  if (!hasValidToken(serving, req)) return PERMISSION_DENIED;
  const handler = route.operations[operation];
  // Text of logical.ErrUnsupportedOperation; whether Vault wraps it in a multierror here is unverified.
  if (handler === undefined) return errorResponse(405, 'unsupported operation');
  const decoded = parseBody(req, operation === 'update' ? route.body : undefined);
  if (!decoded.ok) return errorResponse(400, decoded.error);
  return handler(serving, decoded.values);
}
