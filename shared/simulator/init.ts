/** `/v1/sys/init` (Vault `http/sys_init.go` @ v1.14.9): GET status, PUT/POST with Vault's validation order and texts. */
import { createBarrier, isAutoSeal, type SealConfig } from './barrier.ts';
import { decodeGoJson, int, str, strings, type GoStruct } from './go-json.ts';
import { Group } from './raft-group.ts';
import { errorResponse, METHOD_NOT_ALLOWED, ok, type SimRequest, type SimResponse } from './responses.ts';
import type { SimNode } from './sim-node.ts';

const INIT_REQUEST: GoStruct = {
  goName: 'InitRequest',
  qualifiedName: 'http.InitRequest',
  fields: [
    { name: 'secret_shares', type: 'int' },
    { name: 'secret_threshold', type: 'int' },
    { name: 'stored_shares', type: 'int' },
    { name: 'pgp_keys', type: '[]string' },
    { name: 'recovery_shares', type: 'int' },
    { name: 'recovery_threshold', type: 'int' },
    { name: 'recovery_pgp_keys', type: '[]string' },
    { name: 'root_token_pgp_key', type: 'string' },
  ],
};

/** `SealConfig.Validate` reasons, in Vault's order. */
export function validateSealConfig(config: SealConfig & { storedShares?: number; pgpKeys?: number }): string | null {
  const { shares, threshold } = config;
  if (shares < 1) return 'shares must be at least one';
  if (threshold < 1) return 'threshold must be at least one';
  if (shares > 1 && threshold === 1) return 'threshold must be greater than one for multiple shares';
  if (shares > 255) return 'shares must be less than 256';
  if (threshold > 255) return 'threshold must be less than 256';
  if (threshold > shares) return 'threshold cannot be larger than shares';
  if ((config.storedShares ?? 0) > 1) return 'stored keys cannot be larger than 1';
  const pgp = config.pgpKeys ?? 0;
  if (pgp > 0 && pgp !== shares) return 'count mismatch between number of provided PGP keys and number of shares';
  return null;
}

/** `validateInitParameters`: parameters of the other seal kind are refused by name. */
function inapplicable(node: SimNode, values: Record<string, unknown>): string | null {
  const auto = isAutoSeal(node.ctx.sealType);
  const names = auto ? ['secret_shares', 'secret_threshold', 'pgp_keys'] : ['recovery_shares', 'recovery_threshold', 'recovery_pgp_keys'];
  const given = names.filter((name) => {
    const v = values[name];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== 0;
  });
  if (given.length === 0) return null;
  return `parameters ${given.join(',')} not applicable to seal type ${node.ctx.sealType}`;
}

function validate(node: SimNode, values: Record<string, unknown>): string | null {
  const notApplicable = inapplicable(node, values);
  if (notApplicable !== null) return notApplicable;
  if (isAutoSeal(node.ctx.sealType)) {
    const recovery = { shares: int(values, 'recovery_shares'), threshold: int(values, 'recovery_threshold') };
    const recoveryPgp = strings(values, 'recovery_pgp_keys').length;
    if (recoveryPgp > 0 && recoveryPgp !== recovery.shares) return 'incorrect number of PGP keys for recovery';
    if (recovery.shares < 1) return 'recovery configuration must specify a positive number of shares';
    const reason = validateSealConfig({ ...recovery, pgpKeys: recoveryPgp });
    if (reason !== null) return `invalid recovery configuration: ${reason}`;
    return null; // barrier config forced to 1/1
  }
  const pgp = strings(values, 'pgp_keys').length;
  const shares = int(values, 'secret_shares');
  if (pgp > 0 && pgp !== shares) return 'incorrect number of PGP keys';
  // stored_shares is forced to 1 for Shamir seals with stored keys (Vault `http/sys_init.go` handleSysInitPut @ v1.14.9).
  const reason = validateSealConfig({ shares, threshold: int(values, 'secret_threshold'), pgpKeys: pgp });
  return reason === null ? null : `invalid seal configuration: ${reason}`;
}

async function initialize(node: SimNode, values: Record<string, unknown>): Promise<SimResponse> {
  const { ctx } = node;
  const auto = isAutoSeal(ctx.sealType);
  const config = auto
    ? { shares: int(values, 'recovery_shares'), threshold: int(values, 'recovery_threshold') }
    : { shares: int(values, 'secret_shares'), threshold: int(values, 'secret_threshold') };
  const identity = ctx.initIdentity();
  const { barrier, result } = await createBarrier({
    profile: ctx.profile,
    sealType: ctx.sealType,
    config,
    now: ctx.now(),
    ...identity,
  });
  if (node.initialized()) return errorResponse(400, 'Vault is already initialized'); // lost a race meanwhile
  node.sealed = true;
  node.attempt = null;
  // Raft: init bootstraps a single-node cluster on this node (Vault `http/sys_init.go` handleSysInitPut @ v1.14.9); peers join afterwards.
  const group = ctx.sharedGroup ?? new Group('raft', barrier, ctx.now);
  group.barrier = barrier;
  if (group.raft) group.add(node);
  if (auto) node.markUnsealed();
  ctx.onInitialized(node, group, result);
  const body: Record<string, unknown> = { keys: result.keys, keys_base64: result.keysBase64 };
  if (result.recoveryKeys !== undefined) {
    body['recovery_keys'] = result.recoveryKeys;
    body['recovery_keys_base64'] = result.recoveryKeysBase64;
  }
  body['root_token'] = result.rootToken;
  return ok(body);
}

export async function handleInit(node: SimNode, req: SimRequest): Promise<SimResponse> {
  if (req.method === 'GET') return ok({ initialized: node.initialized() });
  if (req.method !== 'PUT' && req.method !== 'POST') return METHOD_NOT_ALLOWED;
  const decoded = decodeGoJson(req.body, INIT_REQUEST, node.ctx.profile.jsonErrorPrefix);
  if (!decoded.ok) return errorResponse(400, decoded.error);
  // OpenBao 2.6 filters the EOF here too (`http/sys_init.go` @ v2.6.0); zero values then fail validation.
  if (decoded.empty && !node.ctx.profile.unsealToleratesEmptyBody) return errorResponse(400, 'EOF');
  const invalid = validate(node, decoded.values);
  if (invalid !== null) return errorResponse(400, invalid);
  if (node.initialized()) return errorResponse(400, 'Vault is already initialized');
  const pgp = strings(decoded.values, 'pgp_keys').length + strings(decoded.values, 'recovery_pgp_keys').length;
  if (pgp > 0 || str(decoded.values, 'root_token_pgp_key') !== '') {
    return errorResponse(500, 'sealwatch simulator: PGP-encrypted init is not simulated');
  }
  if (isAutoSeal(node.ctx.sealType) && !node.ctx.kms.available) {
    // The barrier keys cannot be wrapped without the KMS; text chosen by the simulator (unverified).
    return errorResponse(500, `failed to encrypt keys for storage: ${node.ctx.kmsFailureCause}`);
  }
  return initialize(node, decoded.values);
}
