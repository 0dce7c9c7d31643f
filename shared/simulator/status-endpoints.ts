/**
 * `sys/seal`, `sys/step-down`, `sys/leader`, `sys/ha-status`, `sys/key-status` and
 * `sys/seal-backend-status` (Vault `http/sys_seal.go`, `http/sys_leader.go`, `vault/logical_system.go` @ v1.14.9;
 * seal-backend-status @ v1.15.0).
 */
import { isAutoSeal } from './barrier.ts';
import { formatRfc3339, formatRfc3339Nano, GO_ZERO_TIME } from './go-format.ts';
import { forward, handleLogical, hasValidToken, type LogicalRoute } from './logical.ts';
import {
  envelope,
  errorResponse,
  METHOD_NOT_ALLOWED,
  noContent,
  ok,
  PERMISSION_DENIED_PLAIN,
  VAULT_IS_SEALED,
  type SimRequest,
  type SimResponse,
} from './responses.ts';
import type { SimNode } from './sim-node.ts';

const ECHO_AGE_MS = 1_200;

/** Seal (Vault `http/sys_seal.go` handleSysSeal @ v1.14.9): sealed → 204 without token check; standby → 500; then the root token. */
export function handleSeal(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'PUT' && req.method !== 'POST') return METHOD_NOT_ALLOWED;
  if (node.sealed || node.group === null) return noContent();
  if (node.isStandby()) return errorResponse(500, 'vault cannot seal when in standby mode; please restart instead');
  if (!hasValidToken(node, req)) return PERMISSION_DENIED_PLAIN;
  node.seal();
  return noContent();
}

/** Forwarded like a logical request; the active gives up leadership to another up member. */
export function handleStepDown(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'PUT' && req.method !== 'POST') return METHOD_NOT_ALLOWED;
  const target = forward(node, req);
  if ('response' in target) return target.response;
  const serving = target.serve;
  if (!hasValidToken(serving, req)) return PERMISSION_DENIED_PLAIN;
  const group = serving.group;
  if (group !== null && group.ha) {
    const other = group.voters().find((n) => n !== serving && group.isUp(n));
    if (other !== undefined) group.elect(other.id);
  }
  return noContent();
}

/** Leader (Vault `http/sys_leader.go` @ v1.14.9), with OpenBao's trimmed form (omitempty addresses, omitzero active_time). */
export function handleLeader(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'GET') return METHOD_NOT_ALLOWED;
  const { profile } = node.ctx;
  const group = node.group;
  if (node.ctx.storageType === 'file') {
    // core.Leader() → ErrHANotEnabled, checked before the seal state.
    if (profile.trimmedLeader) return ok({ ha_enabled: false });
    return ok({
      ha_enabled: false,
      is_self: false,
      active_time: GO_ZERO_TIME,
      leader_address: '',
      leader_cluster_address: '',
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    });
  }
  if (node.sealed || group === null) return VAULT_IS_SEALED;
  const isSelf = node.isActive();
  const active = isSelf ? node : node.activePeer();
  const activeTime = isSelf ? formatRfc3339Nano(node.activeSince) : GO_ZERO_TIME;
  const leaderAddress = active?.url ?? '';
  const clusterAddress = active === null ? '' : `https://${active.clusterAddress}`;
  const body: Record<string, unknown> = { ha_enabled: true };
  if (!profile.trimmedLeader || isSelf) body['is_self'] = isSelf;
  if (!profile.trimmedLeader || isSelf) body['active_time'] = activeTime;
  if (!profile.trimmedLeader || leaderAddress !== '') body['leader_address'] = leaderAddress;
  if (!profile.trimmedLeader || clusterAddress !== '') body['leader_cluster_address'] = clusterAddress;
  if (!profile.trimmedLeader) {
    body['performance_standby'] = false;
    body['performance_standby_last_remote_wal'] = 0;
  }
  if (group.raft && group.raftIndex > 0) {
    body['raft_committed_index'] = group.raftIndex;
    body['raft_applied_index'] = group.raftIndex;
  }
  return ok(body);
}

function haNodes(active: SimNode): Record<string, unknown>[] {
  const group = active.group;
  if (group === null) return [];
  const { profile, now } = active.ctx;
  const up = group.ha ? group.voters().filter((n) => group.isUp(n)) : [active];
  return up.map((member) => {
    const n = member as SimNode;
    const isActive = n === active;
    const entry: Record<string, unknown> = {
      hostname: n.id,
      api_address: n.url,
      cluster_address: `https://${n.clusterAddress}`,
      active_node: isActive,
      last_echo: isActive ? null : formatRfc3339Nano(now() - ECHO_AGE_MS),
      version: n.reportedVersion(),
    };
    if (profile.haStatusEchoFields) {
      entry['echo_duration_ms'] = isActive ? 0 : 1;
      entry['clock_skew_ms'] = 0;
      entry['replication_primary_canary_age_ms'] = isActive ? 0 : 72;
    }
    return entry;
  });
}

export const HA_STATUS: LogicalRoute = {
  operations: { read: (node) => envelope(node.ctx.profile, { nodes: haNodes(node) }, true) },
};

export const KEY_STATUS: LogicalRoute = {
  operations: {
    read: (node) => {
      const barrier = node.group?.barrier;
      if (barrier == null) return VAULT_IS_SEALED;
      barrier.encryptions += 1;
      const data = { term: 1, install_time: formatRfc3339Nano(barrier.initTime), encryptions: barrier.encryptions };
      return envelope(node.ctx.profile, data, true);
    },
  },
};

/**
 * Where the raw handler does not exist (Vault < 1.15: `http/handler.go` @ v1.14.9 registers no
 * `/v1/sys/seal-backend-status`; OpenBao @ v2.6.2 neither) the mux's `/v1/sys/` prefix sends the
 * request to the logical handler: sealed 503, standby forwarded, no token 403, then the system
 * backend has no such path.
 */
const NO_SEAL_BACKEND_STATUS: LogicalRoute = { operations: {}, unsupportedPath: true };

/**
 * Vault ≥1.15 (git d8c6d28ec7). Backend names are the seal types here; Vault names them after the
 * seal stanza (unverified for single-seal setups). Health follows the cluster's KMS availability.
 */
export function handleSealBackendStatus(node: SimNode, req: SimRequest): SimResponse {
  const { profile, sealType, kms } = node.ctx;
  if (!profile.sealBackendStatus) return handleLogical(NO_SEAL_BACKEND_STATUS, node, req);
  if (req.method !== 'GET') return METHOD_NOT_ALLOWED;
  const healthy = !isAutoSeal(sealType) || kms.available;
  const backend: Record<string, unknown> = { name: sealType, healthy };
  const body: Record<string, unknown> = { healthy };
  if (!healthy) {
    backend['unhealthy_since'] = formatRfc3339(kms.unavailableSince);
    body['unhealthy_since'] = formatRfc3339(kms.unavailableSince);
  }
  body['backends'] = [backend];
  return ok(body);
}
