import { describe, expect, it } from 'vitest';
import { classifyNode } from '../../../shared/core/classify-node.ts';
import type { NodeObservation, NodeState } from '../../../shared/core/node-state.ts';
import type { HealthBody, SealStatus } from '../../../shared/core/vault-types.ts';

// Bodies modelled on Vault's `http/sys_health.go` and `vault/logical_system.go` GetSealStatus
// answers @ v1.14.9 and v1.19.0.
const unsealedSeal: SealStatus = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 3,
  n: 5,
  progress: 0,
  nonce: '',
  version: '1.19.0',
  buildDate: '2025-03-04T12:00:00Z',
  migration: false,
  clusterName: 'vault-cluster-f090409a',
  clusterId: 'ebdd80fb-0c7f-bce9-f9b9-a0fa86aa3249',
  recoverySeal: false,
  storageType: 'raft',
  removedFromCluster: false,
};
const { clusterName: _n, clusterId: _i, ...unsealedWithoutCluster } = unsealedSeal;
const sealedSeal: SealStatus = {
  ...unsealedWithoutCluster,
  sealed: true,
  progress: 2,
  nonce: '0b8c1d0e-5d29-4d1a-9b22-4f3e2f7a1c11',
};
const uninitSeal: SealStatus = {
  type: 'shamir',
  initialized: false,
  sealed: true,
  t: 0,
  n: 0,
  progress: 0,
  nonce: '',
  version: '1.19.0',
  migration: false,
  recoverySeal: false,
  storageType: 'raft',
};

const activeBody: HealthBody = {
  initialized: true,
  sealed: false,
  standby: false,
  performanceStandby: false,
  replicationPerformanceMode: 'disabled',
  replicationDrMode: 'disabled',
  serverTimeUtc: 1740000000,
  version: '1.19.0',
  clusterName: 'vault-cluster-f090409a',
  clusterId: 'ebdd80fb-0c7f-bce9-f9b9-a0fa86aa3249',
  removedFromCluster: false,
};
const standbyBody: HealthBody = { ...activeBody, standby: true, haConnectionHealthy: true };
const sealedBody: HealthBody = {
  initialized: true,
  sealed: true,
  standby: true,
  performanceStandby: false,
  replicationPerformanceMode: 'unknown',
  replicationDrMode: 'unknown',
  version: '1.19.0',
};
const uninitBody: HealthBody = { ...sealedBody, initialized: false };

function obs(status: number, body: HealthBody | null, seal?: SealStatus): NodeObservation {
  return { at: 1000, durationMs: 5, health: { status, body }, ...(seal && { sealStatus: seal }) };
}

describe('classifyNode: state', () => {
  const cases: [string, NodeObservation, NodeState][] = [
    ['200 active', obs(200, activeBody, unsealedSeal), 'active'],
    ['429 standby', obs(429, standbyBody, unsealedSeal), 'standby'],
    ['473 perf standby', obs(473, { ...standbyBody, performanceStandby: true }, unsealedSeal), 'perf-standby'],
    ['perf standby flag under a custom code', obs(299, { ...standbyBody, performanceStandby: true }, unsealedSeal), 'perf-standby'],
    ['472 DR secondary', obs(472, activeBody, unsealedSeal), 'dr-secondary'],
    ['474 standby unhealthy', obs(474, { ...standbyBody, haConnectionHealthy: false }, unsealedSeal), 'standby-unhealthy'],
    ['ha_connection_healthy false without 474', obs(429, { ...standbyBody, haConnectionHealthy: false }, unsealedSeal), 'standby-unhealthy'],
    ['503 sealed', obs(503, sealedBody, sealedSeal), 'sealed'],
    ['sealed flag in seal-status beats a 200', obs(200, activeBody, sealedSeal), 'sealed'],
    ['501 uninitialized', obs(501, uninitBody, uninitSeal), 'uninitialized'],
    ['initialized:false in seal-status only', obs(200, activeBody, uninitSeal), 'uninitialized'],
    ['530 removed', obs(530, { ...sealedBody, removedFromCluster: true }, { ...sealedSeal, removedFromCluster: true }), 'removed'],
    ['removed flag in seal-status only', obs(503, sealedBody, { ...sealedSeal, removedFromCluster: true }), 'removed'],
    ['removed flag in health only', obs(200, { ...activeBody, removedFromCluster: true }, unsealedSeal), 'removed'],
    ['uninitialized wins over sealed and removed', obs(501, { ...uninitBody, removedFromCluster: true }, uninitSeal), 'uninitialized'],
    ['standby flag under a custom code', obs(299, standbyBody, unsealedSeal), 'standby'],
    ['HEAD answer: no body, code decides', obs(429, null, unsealedSeal), 'standby'],
    ['OpenBao 2.6 active (no performance_standby)', obs(200, { initialized: true, sealed: false, standby: false, version: '2.6.0' }, unsealedSeal), 'active'],
  ];
  it.each(cases)('%s', (_name, observation, state) => {
    expect(classifyNode(observation).state).toBe(state);
  });
});

describe('classifyNode: the status code alone decides (HEAD answer, no seal-status)', () => {
  const cases: [number, NodeState][] = [
    [200, 'active'],
    [429, 'standby'],
    [472, 'dr-secondary'],
    [473, 'perf-standby'],
    [474, 'standby-unhealthy'],
    [501, 'uninitialized'],
    [503, 'sealed'],
    [530, 'removed'],
  ];
  it.each(cases)('%i → %s', (status, state) => {
    const view = classifyNode(obs(status, null));
    expect(view.state).toBe(state);
    expect(view.httpStatus).toBe(status);
  });
});

describe('classifyNode: fields', () => {
  it('active node carries seal, version, cluster and storage facts', () => {
    expect(classifyNode(obs(200, activeBody, unsealedSeal))).toEqual({
      state: 'active',
      initialized: true,
      sealed: false,
      sealType: 'shamir',
      recoverySeal: false,
      threshold: 3,
      shares: 5,
      progress: 0,
      version: '1.19.0',
      clusterId: 'ebdd80fb-0c7f-bce9-f9b9-a0fa86aa3249',
      clusterName: 'vault-cluster-f090409a',
      storageType: 'raft',
      httpStatus: 200,
      error: null,
    });
  });

  it('sealed node reports progress but no cluster identity', () => {
    const view = classifyNode(obs(503, sealedBody, sealedSeal));
    expect(view).toMatchObject({ sealed: true, threshold: 3, shares: 5, progress: 2, httpStatus: 503 });
    expect(view.clusterId).toBeNull();
    expect(view.clusterName).toBeNull();
  });

  it('sealed node ignores cluster fields even if a server sent them', () => {
    const seal = { ...sealedSeal, clusterId: 'leaked-id', clusterName: 'x' };
    expect(classifyNode(obs(503, sealedBody, seal)).clusterId).toBeNull();
  });

  it('uninitialized node has no threshold, shares or progress', () => {
    const view = classifyNode(obs(501, uninitBody, uninitSeal));
    expect(view).toMatchObject({ initialized: false, sealed: true, threshold: null, shares: null, progress: null });
  });

  it('auto-unseal node on Vault >= 1.15.4 reports the barrier type', () => {
    const seal: SealStatus = { ...unsealedSeal, type: 'awskms', recoverySeal: true, recoverySealType: 'shamir', t: 1, n: 1, version: '1.15.4' };
    expect(classifyNode(obs(200, activeBody, seal))).toMatchObject({ sealType: 'awskms', recoverySeal: true, threshold: 1, shares: 1 });
  });

  it('auto-unseal node before 1.15.4 keeps the reported "shamir" (barrier type unknown)', () => {
    const seal: SealStatus = { ...unsealedSeal, type: 'shamir', recoverySeal: true, version: '1.14.9' };
    expect(classifyNode(obs(200, activeBody, seal))).toMatchObject({ sealType: 'shamir', recoverySeal: true });
  });

  it('version comes from seal-status, falling back to health; redacted "" is unknown', () => {
    expect(classifyNode(obs(200, { ...activeBody, version: '9.9.9' }, unsealedSeal)).version).toBe('1.19.0');
    expect(classifyNode(obs(200, { ...activeBody, version: '1.18.2' }, { ...unsealedSeal, version: '' })).version).toBe('1.18.2');
    expect(classifyNode(obs(200, { ...activeBody, version: '' }, { ...unsealedSeal, version: '' })).version).toBeNull();
  });

  it('cluster identity falls back to health when seal-status lacks it', () => {
    const { clusterId: _id, ...seal } = unsealedSeal;
    expect(classifyNode(obs(200, activeBody, seal)).clusterId).toBe(activeBody.clusterId);
  });

  it('an error makes the node unreachable with every other field null', () => {
    const error = { reason: 'refused' as const, message: 'GET https://x:8200/v1/sys/health: connection refused (ECONNREFUSED)' };
    const observation: NodeObservation = { ...obs(200, activeBody, unsealedSeal), error };
    const view = classifyNode(observation);
    expect(view.state).toBe('unreachable');
    expect(view.error).toEqual(error);
    const { state: _s, error: _e, ...rest } = view;
    expect(Object.values(rest).every((v) => v === null)).toBe(true);
  });

  it('an observation without health is not classified as reachable', () => {
    const view = classifyNode({ at: 0, durationMs: 0, sealStatus: unsealedSeal });
    expect(view.state).toBe('unreachable');
    expect(view.error?.reason).toBe('bad-response');
  });
});
