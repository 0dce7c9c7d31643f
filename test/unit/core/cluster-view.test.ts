import { describe, expect, it } from 'vitest';
import { compareVersions, summarizeCluster } from '../../../shared/core/cluster-view.ts';
import { NODE_STATES, type NodeState, type NodeView } from '../../../shared/core/node-state.ts';

function view(state: NodeState, extra: Partial<NodeView> = {}): NodeView {
  return {
    state,
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
    error: null,
    ...extra,
  };
}

describe('summarizeCluster', () => {
  it('an empty cluster has every state at zero', () => {
    const summary = summarizeCluster([]);
    expect(Object.keys(summary.byState).sort()).toEqual([...NODE_STATES].sort());
    expect(Object.values(summary.byState).every((n) => n === 0)).toBe(true);
    expect(summary).toMatchObject({ nodes: [], activeCount: 0, sealedCount: 0, unreachableCount: 0, clusterIds: [], versions: [], activeNodes: [] });
  });

  const healthy = [
    { nodeId: 'vault-2', view: view('standby', { clusterId: 'c1', version: '1.19.0' }) },
    { nodeId: 'vault-0', view: view('active', { clusterId: 'c1', version: '1.19.0' }) },
    { nodeId: 'vault-1', view: view('sealed', { version: '1.18.2' }) },
    { nodeId: 'vault-3', view: view('unreachable', { error: { reason: 'timeout', message: 't' } }) },
  ];

  it('counts states and collects ids, versions and active nodes', () => {
    const summary = summarizeCluster(healthy);
    expect(summary.nodes.map((n) => n.nodeId)).toEqual(['vault-0', 'vault-1', 'vault-2', 'vault-3']);
    expect(summary.byState).toMatchObject({ active: 1, standby: 1, sealed: 1, unreachable: 1, removed: 0 });
    expect(summary).toMatchObject({
      activeCount: 1,
      sealedCount: 1,
      unreachableCount: 1,
      clusterIds: ['c1'],
      versions: ['1.18.2', '1.19.0'],
      activeNodes: ['vault-0'],
    });
  });

  it('is independent of input order', () => {
    expect(summarizeCluster([...healthy].reverse())).toEqual(summarizeCluster(healthy));
  });

  it('shows split brain and mixed clusters as several entries', () => {
    const summary = summarizeCluster([
      { nodeId: 'b', view: view('active', { clusterId: 'zz' }) },
      { nodeId: 'a', view: view('active', { clusterId: 'aa' }) },
      { nodeId: 'c', view: view('active', { clusterId: 'aa' }) },
    ]);
    expect(summary.activeNodes).toEqual(['a', 'b', 'c']);
    expect(summary.activeCount).toBe(3);
    expect(summary.clusterIds).toEqual(['aa', 'zz']);
  });

  it('does not mutate its input', () => {
    const input = [...healthy];
    summarizeCluster(input);
    expect(input.map((n) => n.nodeId)).toEqual(['vault-2', 'vault-0', 'vault-1', 'vault-3']);
  });
});

describe('compareVersions', () => {
  const ordered: [string, string][] = [
    ['1.9.0', '1.10.0'],
    ['1.15.4', '1.16.0'],
    ['1.19.0-beta1', '1.19.0'],
    ['1.19.0', '2.0.0'],
    ['2.5.3', '2.6.0'],
    ['1.14.9', '1.14.10'],
  ];
  it.each(ordered)('%s < %s', (a, b) => {
    expect(compareVersions(a, b)).toBeLessThan(0);
    expect(compareVersions(b, a)).toBeGreaterThan(0);
  });

  it('sorts unparsable versions by string order, deterministically', () => {
    expect(['zeta', 'alpha', '1.2.0'].sort(compareVersions)).toEqual(['1.2.0', 'alpha', 'zeta']);
  });

  it('treats build metadata as equal-rank but still orders it stably', () => {
    expect(compareVersions('1.9.0+prem', '1.9.0+prem')).toBe(0);
    expect(compareVersions('1.9.0', '1.9.0+prem')).not.toBe(0);
  });
});
