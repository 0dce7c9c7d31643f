/** `GET /v1/sys/seal-status` (Vault `http/sys_seal.go`, `vault/logical_system.go` GetSealStatus @ v1.14.9): the body is also what `sys/unseal` answers. */
import { isAutoSeal, reportedConfig } from './barrier.ts';
import { METHOD_NOT_ALLOWED, ok, type SimRequest, type SimResponse } from './responses.ts';
import type { SimNode } from './sim-node.ts';

/** Seal-status body in Vault's field order (Vault `vault/logical_system.go` GetSealStatus @ v1.14.9). */
export function sealStatusBody(node: SimNode): Record<string, unknown> {
  const { profile, sealType, storageType } = node.ctx;
  const barrier = node.group?.barrier ?? null;
  const auto = isAutoSeal(sealType);
  const config = barrier === null ? { shares: 0, threshold: 0 } : reportedConfig(barrier);
  // Before PR #23022 an initialized auto-unseal node reported its recovery config's type.
  const type = barrier !== null && auto && !profile.barrierTypeAfterInit ? 'shamir' : sealType;
  const body: Record<string, unknown> = {
    type,
    initialized: barrier !== null,
    sealed: barrier === null ? true : node.sealed,
    t: config.threshold,
    n: config.shares,
    progress: barrier === null ? 0 : (node.attempt?.parts.length ?? 0),
    nonce: barrier === null ? '' : (node.attempt?.nonce ?? ''),
  };
  // Also sent for uninitialized auto-unseal nodes: inferred from the code path; Vault's docs
  // show only initialized ones.
  const recoverySealType = auto && profile.barrierTypeAfterInit;
  // OpenBao 2.6: CoreSealStatusResponse embeds SealStatusResponse (…nonce, recovery_seal,
  // recovery_seal_type) before the server fields (`vault/logical_system.go` @ v2.6.0).
  if (profile.baoSealStatusOrder) {
    body['recovery_seal'] = auto;
    if (recoverySealType) body['recovery_seal_type'] = 'shamir';
  }
  body['version'] = node.reportedVersion();
  body[profile.buildDateField] = profile.buildDate;
  body['migration'] = false;
  if (barrier !== null && !node.sealed) {
    body['cluster_name'] = barrier.clusterName;
    body['cluster_id'] = barrier.clusterId;
  }
  if (!profile.baoSealStatusOrder) {
    body['recovery_seal'] = auto;
    if (recoverySealType) body['recovery_seal_type'] = 'shamir';
  }
  body['storage_type'] = storageType;
  // Present in the uninitialized branch too: inferred from hashicorp/vault PR #28938
  // ("included if backend supports removability"), Vault 1.19.0.
  if (profile.removal119 && storageType === 'raft') body['removed_from_cluster'] = node.removed;
  return body;
}

export function handleSealStatus(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'GET') return METHOD_NOT_ALLOWED;
  return ok(sealStatusBody(node));
}
