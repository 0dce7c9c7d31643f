import { describe, expect, it } from 'vitest';
import { nodeFindings } from '../../../../shared/core/findings/node-findings.ts';
import type { NodeState } from '../../../../shared/core/node-state.ts';
import { view } from './node-view-fixture.ts';

const nodes = (...states: (NodeState | [NodeState, Record<string, unknown>])[]) =>
  states.map((s, i) => (Array.isArray(s) ? { nodeId: `n${i}`, view: view(s[0], s[1]) } : { nodeId: `n${i}`, view: view(s) }));
const ids = (f: { id: string; node?: string; severity: string }[]) => f.map((x) => `${x.id}${x.node ? `@${x.node}` : ''}:${x.severity}`).sort();

describe('nodeFindings', () => {
  it.each([
    ['healthy cluster', nodes('active', 'standby', 'standby'), []],
    ['fresh uninitialized cluster', nodes('uninitialized', 'uninitialized'), []],
    ['no active: all sealed', nodes('sealed', 'sealed', 'sealed'), ['cluster.no-active:critical']],
    ['no active: standbys only', nodes('standby', 'standby', 'unreachable'), ['cluster.no-active:critical']],
    ['two active nodes', nodes('active', 'active', 'standby'), ['cluster.split-brain:critical']],
    ['two cluster ids', nodes('active', ['standby', { clusterId: 'cid-2' }]), ['cluster.split-brain:critical']],
    ['474 standby', nodes('active', 'standby-unhealthy'), ['node.ha-unhealthy@n1:warning']],
    ['removed node', nodes('active', 'standby', 'removed'), ['node.removed@n2:critical']],
    ['wiped node', nodes('active', 'standby', 'uninitialized'), ['node.uninitialized@n2:warning']],
  ])('%s', (_name, input, expected) => {
    expect(ids(nodeFindings('c1', input))).toEqual([...expected].sort());
  });

  it('names the active nodes and cluster ids in the split-brain evidence', () => {
    const [finding] = nodeFindings('c1', nodes('active', ['active', { clusterId: 'cid-2' }]));
    expect(finding?.evidence).toMatchObject({ activeNodes: ['n0', 'n1'], clusterIds: ['cid-1', 'cid-2'] });
    expect(finding?.cluster).toBe('c1');
  });
});
