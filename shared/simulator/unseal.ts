/** `PUT|POST /v1/sys/unseal`, step by step in Vault's order (Vault `http/sys_seal.go` handleSysUnseal, `vault/core.go` unsealFragment,
 * `vault/seal_autoseal.go` @ v1.14.9). */
import { randomUUID } from 'node:crypto';
import { isAutoSeal, reportedConfig, type Barrier } from './barrier.ts';
import { decodeGoJson, bool, str, type GoStruct } from './go-json.ts';
import { aesKeySizeError, combineParts, decodeUnsealKey, MAX_KEY_BYTES, MIN_KEY_BYTES, openCheck } from './key-material.ts';
import { errorResponse, METHOD_NOT_ALLOWED, ok, type SimRequest, type SimResponse } from './responses.ts';
import { sealStatusBody } from './seal-status.ts';
import type { SimNode } from './sim-node.ts';

// Untagged Go fields: matched case-insensitively (Vault `http/sys_seal.go` UnsealRequest @ v1.14.9).
const UNSEAL_REQUEST: GoStruct = {
  goName: 'UnsealRequest',
  qualifiedName: 'http.UnsealRequest',
  fields: [
    { name: 'Key', type: 'string' },
    { name: 'Reset', type: 'bool' },
    { name: 'Migrate', type: 'bool' },
  ],
};

/**
 * Errors of the combine/verify step, per version. Vault ≤1.12 returned them unwrapped, so the
 * handler's default branch answered 500 (`http/sys_seal.go`, `vault/core.go` @ git 4891122917^);
 * GH-17836 (1.13) wrapped them in ErrInvalidKey (`invalid key: …`), which the handler answers
 * with 400 (`vault/core.go`, `vault/seal.go` @ v1.14.9).
 */
interface UnsealErrors {
  combine(reason: string): SimResponse;
  setup(reason: string): SimResponse;
  wrongShamirKey(): SimResponse;
  recoveryMismatch(): SimResponse;
  kmsFailure(cause: string): SimResponse;
}

const AUTH_FAILED = 'cipher: message authentication failed';

/** hashicorp/vault `vault/seal/seal.go` JoinSealWrapErrors: errors.Join, one line per seal. */
const sealWrapped = (sealName: string, cause: string): string => `error decrypting seal wrapped value\nerror decrypting using seal ${sealName}: ${cause}`;

function unsealErrors(node: SimNode): UnsealErrors {
  const { profile, sealType } = node.ctx;
  if (!profile.invalidKeyErrors) {
    return {
      combine: (reason) => errorResponse(500, `failed to compute combined key: ${reason}`),
      setup: (reason) => errorResponse(500, `failed to setup unseal key: ${reason}`),
      // readStoredKeys → ErrDecrypt, wrapped by unsealKeyToMasterKey.
      wrongShamirKey: () => errorResponse(500, `unable to retrieve stored keys: failed to decrypt keys from storage: ${AUTH_FAILED}`),
      // autoSeal.VerifyRecoveryKey's error returned as is by getUnsealKey.
      recoveryMismatch: () => errorResponse(500, 'recovery key does not match submitted values'),
      // autoSeal.getRecoveryKeyInternal (`vault/seal_autoseal.go` @ git 4891122917^).
      kmsFailure: (cause) => errorResponse(500, `failed to decrypt encrypted stored keys: ${cause}`),
    };
  }
  const invalidKey = (reason: string): SimResponse => errorResponse(400, `invalid key: ${reason}`);
  // The default Shamir seal is named `shamir` (`command/server.go`); a single auto seal after its type.
  const wrap = (cause: string, name: string): string => (profile.sealWrapErrors ? sealWrapped(name, cause) : cause);
  return {
    combine: (reason) => invalidKey(`failed to compute combined key: ${reason}`),
    setup: (reason) => invalidKey(`failed to setup unseal key: ${reason}`),
    wrongShamirKey: () =>
      errorResponse(400, `unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: ${wrap(AUTH_FAILED, 'shamir')}`),
    recoveryMismatch: () => invalidKey('failed to verify recovery key: recovery key does not match submitted values'),
    // The recovery key is decrypted through the KMS before the comparison; on 1.15+ through the
    // seal-wrap access (`vault/seal_autoseal.go` UnsealWrapRecoveryKey; inferred, not observed).
    kmsFailure: (cause) => invalidKey(`failed to verify recovery key: failed to decrypt encrypted stored keys: ${wrap(cause, sealType)}`),
  };
}

/** At threshold: combine and verify. The attempt is already cleared by the caller. */
async function finish(node: SimNode, barrier: Barrier, parts: Buffer[]): Promise<SimResponse> {
  const errors = unsealErrors(node);
  const threshold = reportedConfig(barrier).threshold;
  let key: Buffer;
  if (threshold === 1) {
    key = Buffer.from(parts[0] ?? []);
  } else {
    const combined = await combineParts(parts);
    if ('error' in combined) return errors.combine(combined.error);
    key = combined.key;
  }
  try {
    if (isAutoSeal(barrier.sealType)) {
      if (!node.ctx.kms.available) return errors.kmsFailure(node.ctx.kmsFailureCause);
      if (barrier.recoveryCheck === null || !openCheck(barrier.recoveryCheck, key)) return errors.recoveryMismatch();
    } else {
      const sizeError = aesKeySizeError(key);
      if (sizeError !== null) return errors.setup(sizeError);
      if (barrier.unsealCheck === null || !openCheck(barrier.unsealCheck, key)) return errors.wrongShamirKey();
    }
  } finally {
    key.fill(0);
  }
  node.markUnsealed();
  return ok(sealStatusBody(node));
}

export async function handleUnseal(node: SimNode, req: SimRequest): Promise<SimResponse> {
  if (req.method !== 'PUT' && req.method !== 'POST') return METHOD_NOT_ALLOWED;
  const { profile } = node.ctx;
  // 0. Vault 1.19+: a node removed from raft refuses everything.
  if (profile.removal119 && node.removed) return errorResponse(500, 'node was removed from a HA cluster');
  // 1. JSON; Vault passes the decoder's EOF through, OpenBao filters it.
  const decoded = decodeGoJson(req.body, UNSEAL_REQUEST, node.ctx.profile.jsonErrorPrefix);
  if (!decoded.ok) return errorResponse(400, decoded.error);
  if (decoded.empty && !profile.unsealToleratesEmptyBody) return errorResponse(400, 'EOF');
  const { values } = decoded;
  // 2. reset
  if (bool(values, 'Reset')) {
    if (!node.sealed) return errorResponse(400, 'vault is unsealed');
    node.attempt = null;
    return ok(sealStatusBody(node));
  }
  // 3. key present
  const input = str(values, 'Key');
  if (input === '') return errorResponse(400, "'key' must be specified in request body as JSON, or 'reset' set to true");
  // 4. hex if 16..33 bytes, else padded standard base64
  const part = decodeUnsealKey(input);
  if (part === null) return errorResponse(400, "'key' must be a valid hex or base64 string");
  // 5. core.Unseal
  if (bool(values, 'Migrate')) return errorResponse(500, "can't perform a seal migration, no migration seal found");
  const barrier = node.group?.barrier ?? null;
  if (barrier === null) return errorResponse(400, 'Vault is not initialized');
  // ErrInvalidKey already before GH-17836: 400 with the prefix on every version.
  if (part.length < MIN_KEY_BYTES) return errorResponse(400, `invalid key: key is shorter than minimum ${MIN_KEY_BYTES} bytes`);
  if (part.length > MAX_KEY_BYTES) return errorResponse(400, `invalid key: key is longer than maximum ${MAX_KEY_BYTES} bytes`);
  if (!node.sealed) return ok(sealStatusBody(node));
  const attempt = node.attempt ?? { parts: [], nonce: '' };
  if (attempt.parts.some((p) => p.equals(part))) return ok(sealStatusBody(node));
  attempt.parts.push(part);
  if (attempt.nonce === '') attempt.nonce = randomUUID();
  node.attempt = attempt;
  if (attempt.parts.length < reportedConfig(barrier).threshold) return ok(sealStatusBody(node));
  // The attempt is cleared whatever the outcome.
  node.attempt = null;
  const scripted = node.faults.unsealAnswer;
  if (scripted !== undefined) {
    for (const p of attempt.parts) p.fill(0);
    return errorResponse(scripted.status, ...scripted.errors);
  }
  try {
    return await finish(node, barrier, attempt.parts);
  } finally {
    for (const p of attempt.parts) p.fill(0);
  }
}
