import type { NodeObservation, NodeState, NodeView } from './node-state.ts';
import type { HealthBody, SealStatus } from './vault-types.ts';

/**
 * Classifies one observation (health answered without status overrides, so the status code
 * carries the state; plus seal-status) into a {@link NodeView}. Rules follow `http/sys_health.go` getSysHealth @ v1.14.9 and v1.19.0,
 * first match wins; body flags back up the status code for servers and proxies that rewrite it.
 *
 * `sealType` is seal-status `type` as reported. Caveat: on Vault before 1.15.4 (and OpenBao
 * before 2.4) an initialized auto-unseal node reports the *recovery* type there ("shamir" with
 * `recoverySeal: true`), so its barrier seal type is unknown; it is not guessed.
 */
export function classifyNode(observation: NodeObservation): NodeView {
  if (observation.error) return unreachable(observation.error);
  const health = observation.health;
  const seal = observation.sealStatus;
  if (!health) {
    // Only seal-status cannot tell active from standby; treat the node as not properly observed.
    return unreachable({ reason: 'bad-response', message: 'no sys/health answer was observed' });
  }
  const state = stateOf(health.status, health.body, seal);
  return viewOf(state, health.status, health.body, seal);
}

function stateOf(status: number, body: HealthBody | null, seal: SealStatus | undefined): NodeState {
  if (status === 501 || body?.initialized === false || seal?.initialized === false) {
    return 'uninitialized';
  }
  if (status === 530 || body?.removedFromCluster === true || seal?.removedFromCluster === true) {
    return 'removed';
  }
  if (status === 503 || body?.sealed === true || seal?.sealed === true) return 'sealed';
  if (status === 474 || body?.haConnectionHealthy === false) return 'standby-unhealthy';
  if (status === 472) return 'dr-secondary';
  if (status === 473 || body?.performanceStandby === true) return 'perf-standby';
  if (status === 429 || body?.standby === true) return 'standby';
  return 'active';
}

function viewOf(state: NodeState, status: number, body: HealthBody | null, seal: SealStatus | undefined): NodeView {
  const initialized = seal?.initialized ?? body?.initialized ?? (state === 'uninitialized' ? false : null);
  const sealed = seal?.sealed ?? body?.sealed ?? (state === 'sealed' || state === 'uninitialized' ? true : null);
  // t/n/progress of an uninitialized node are zeros standing for "no configuration yet".
  const configured = state !== 'uninitialized';
  const unsealed = sealed === false && state !== 'removed';
  return {
    state,
    initialized,
    sealed,
    sealType: seal?.type ?? null,
    recoverySeal: seal?.recoverySeal ?? null,
    threshold: configured ? (seal?.t ?? null) : null,
    shares: configured ? (seal?.n ?? null) : null,
    progress: configured ? (seal?.progress ?? null) : null,
    // A redacted version arrives as "": unknown, not a version.
    version: seal?.version || body?.version || null,
    clusterId: unsealed ? (seal?.clusterId ?? body?.clusterId ?? null) : null,
    clusterName: unsealed ? (seal?.clusterName ?? body?.clusterName ?? null) : null,
    storageType: seal?.storageType ?? null,
    httpStatus: status,
    error: null,
  };
}

function unreachable(error: NonNullable<NodeObservation['error']>): NodeView {
  return {
    state: 'unreachable',
    initialized: null,
    sealed: null,
    sealType: null,
    recoverySeal: null,
    threshold: null,
    shares: null,
    progress: null,
    version: null,
    clusterId: null,
    clusterName: null,
    storageType: null,
    httpStatus: null,
    error: { reason: error.reason, message: error.message },
  };
}
