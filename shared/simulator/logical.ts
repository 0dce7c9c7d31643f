/**
 * Authenticated, forwarded endpoints (Vault `http/handler.go`, `vault/request_handling.go` @ v1.14.9): sealed → 503, standby → served by the active
 * (or 307 with `X-Vault-No-Request-Forwarding`), then the token check, then the operation.
 */
import { isIssuedToken } from './issued-tokens.ts';
import { decodeGoJson, type Decoded, type GoStruct } from './go-json.ts';
import {
  errorResponse,
  METHOD_NOT_ALLOWED,
  multierrorText,
  PERMISSION_DENIED,
  UNSUPPORTED_PATH,
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
  /** A path the system backend does not have: 404 `unsupported path` once the token passed. */
  unsupportedPath?: boolean;
}

const OPERATIONS: Record<string, Operation> = { GET: 'read', PUT: 'update', POST: 'update', DELETE: 'delete', LIST: 'list' };

/** The token rule (Vault `vault/request_handling.go` @ v1.14.9): the cluster's root token, or a token issued by `auth/aws/login`. */
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
  // `http/handler.go` handleRequestForwarding @ v1.14.9: an empty leader address is answered
  // before forwardRequest looks at X-Vault-No-Request-Forwarding.
  if (active === null) return { response: errorResponse(500, 'local node not active but active cluster node not found') };
  if (req.noForwarding) {
    const location = `${active.url}/v1/${req.path}${req.rawQuery === '' ? '' : `?${req.rawQuery}`}`;
    return { response: { status: 307, headers: { location } } };
  }
  return { serve: active };
}

function parseBody(node: SimNode, req: SimRequest, struct: GoStruct | undefined): Decoded {
  if (struct === undefined || req.body.trim() === '') return { ok: true, empty: true, values: {} };
  return decodeGoJson(req.body, struct, node.ctx.profile.jsonErrorPrefix);
}

export function handleLogical(route: LogicalRoute, node: SimNode, req: SimRequest): SimResponse {
  const operation = OPERATIONS[req.method];
  if (operation === undefined) return METHOD_NOT_ALLOWED;
  const target = forward(node, req);
  if ('response' in target) return target.response;
  const serving = target.serve;
  if (!hasValidToken(serving, req)) return PERMISSION_DENIED;
  if (route.unsupportedPath === true) return UNSUPPORTED_PATH;
  const handler = route.operations[operation];
  // logical.ErrUnsupportedOperation from the router, appended to handleRequest's multierror
  // (`vault/request_handling.go` @ v1.14.9).
  if (handler === undefined) return errorResponse(405, multierrorText('unsupported operation'));
  const decoded = parseBody(serving, req, operation === 'update' ? route.body : undefined);
  if (!decoded.ok) return errorResponse(400, decoded.error);
  return handler(serving, decoded.values);
}
