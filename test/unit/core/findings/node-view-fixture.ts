import type { NodeState, NodeView } from '../../../../shared/core/node-state.ts';

/** A classified node with only the fields a test cares about set. */
export function view(state: NodeState, extra: Partial<NodeView> = {}): NodeView {
  const unsealed = state === 'active' || state === 'standby' || state === 'perf-standby' || state === 'standby-unhealthy';
  return {
    state,
    initialized: state === 'uninitialized' ? false : state === 'unreachable' ? null : true,
    sealed: state === 'sealed' || state === 'removed' ? true : unsealed ? false : null,
    sealType: 'shamir',
    recoverySeal: false,
    threshold: 3,
    shares: 5,
    progress: 0,
    version: unsealed ? '1.19.5' : null,
    clusterId: unsealed ? 'cid-1' : null,
    clusterName: null,
    storageType: 'raft',
    httpStatus: { active: 200, standby: 429, 'standby-unhealthy': 474, sealed: 503, uninitialized: 501, removed: 530 }[state as string] ?? null,
    error: null,
    ...extra,
  };
}
