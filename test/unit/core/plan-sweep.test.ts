import { describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../../shared/core/cluster-record.ts';
import type { NodeState, NodeView } from '../../../shared/core/node-state.ts';
import { percentile, planClusterSweep, replanAfterActions, type ObservedNode } from '../../../shared/core/plan-sweep.ts';

function view(state: NodeState, extra: Partial<NodeView> = {}): NodeView {
  const reachable = state !== 'unreachable';
  return {
    state,
    initialized: reachable ? state !== 'uninitialized' : null,
    sealed: reachable ? ['sealed', 'uninitialized'].includes(state) : null,
    sealType: reachable ? 'shamir' : null,
    recoverySeal: reachable ? false : null,
    threshold: reachable ? 3 : null,
    shares: reachable ? 5 : null,
    progress: reachable ? 0 : null,
    version: reachable ? '1.19.0' : null,
    clusterId: ['active', 'standby'].includes(state) ? 'cid-1' : null,
    clusterName: null,
    storageType: reachable ? 'raft' : null,
    httpStatus: reachable ? 200 : null,
    error: reachable ? null : { reason: 'timeout', message: 'no answer within 3000 ms' },
    ...extra,
  };
}

const observed = (states: NodeState[]): ObservedNode[] =>
  states.map((state, i) => ({ nodeId: `n${i}`, url: `https://n${i}:8200`, view: view(state), durationMs: 5 + i }));

const plan = (states: NodeState[], previous: ClusterRecord | null, now = 1_000, autoUnseal = false) =>
  planClusterSweep({ clusterId: 'c', observed: observed(states), previous, policy: { autoUnseal }, now });

describe('planClusterSweep', () => {
  it('unseals every sealed initialized node, or only the named ones (a recover naming nodes)', () => {
    const states: NodeState[] = ['active', 'sealed', 'sealed', 'uninitialized'];
    const all = planClusterSweep({ clusterId: 'c', observed: observed(states), previous: null, policy: { autoUnseal: true }, now: 1 });
    expect(all.actions).toEqual([
      { kind: 'unseal', nodeId: 'n1', reason: 'node is sealed' },
      { kind: 'unseal', nodeId: 'n2', reason: 'node is sealed' },
    ]);
    const named = planClusterSweep({
      clusterId: 'c',
      observed: observed(states),
      previous: null,
      policy: { autoUnseal: true, unsealNodes: ['n2', 'n0'] },
      now: 1,
    });
    expect(named.actions).toEqual([{ kind: 'unseal', nodeId: 'n2', reason: 'node is sealed' }]);
    const off = planClusterSweep({ clusterId: 'c', observed: observed(states), previous: null, policy: { autoUnseal: false, unsealNodes: ['n2'] }, now: 1 });
    expect(off.actions).toEqual([]);
  });

  it('writes a first record and reports no transitions on first sight', () => {
    const p = plan(['active', 'standby', 'sealed'], null);
    expect(p.changed).toBe(true);
    expect(p.nodes.map((n) => [n.state, n.previousState, n.transition])).toEqual([
      ['active', null, false],
      ['standby', null, false],
      ['sealed', null, false],
    ]);
    expect(p.record.nodes.n2?.since).toBe(1_000);
  });

  it('changes nothing when every node looks the same as before', () => {
    const first = plan(['active', 'standby', 'standby'], null, 1_000);
    const second = plan(['active', 'standby', 'standby'], first.record, 61_000);
    expect(second.changed).toBe(false);
    expect(second.record).toEqual(first.record);
    expect(second.nodes.every((n) => !n.transition)).toBe(true);
  });

  it('records a transition with the new since and keeps since of unchanged nodes', () => {
    const first = plan(['active', 'standby', 'standby'], null, 1_000);
    const second = plan(['active', 'sealed', 'standby'], first.record, 61_000);
    expect(second.changed).toBe(true);
    const sealed = second.nodes[1];
    expect([sealed?.previousState, sealed?.state, sealed?.transition, sealed?.since]).toEqual(['standby', 'sealed', true, 61_000]);
    expect(second.nodes[0]?.since).toBe(1_000);
  });

  it('keeps the known version and cluster id while a node is unreachable, so a blip costs no extra write', () => {
    const first = plan(['active', 'standby'], null, 1_000);
    const blip = plan(['active', 'unreachable'], first.record, 2_000);
    expect(blip.record.nodes.n1?.version).toBe('1.19.0');
    expect(blip.record.nodes.n1?.clusterId).toBe('cid-1');
    const back = plan(['active', 'standby'], blip.record, 3_000);
    expect(back.record.nodes.n1?.since).toBe(3_000);
  });

  it('drops nodes that are no longer configured and counts that as a change', () => {
    const first = plan(['active', 'standby', 'standby'], null);
    const second = plan(['active', 'standby'], first.record);
    expect(second.changed).toBe(true);
    expect(Object.keys(second.record.nodes)).toEqual(['n0', 'n1']);
  });

  it('plans unseals only for sealed, initialized nodes and only when auto-unseal is on', () => {
    const states: NodeState[] = ['active', 'sealed', 'uninitialized', 'unreachable', 'sealed'];
    expect(plan(states, null, 1, false).actions).toEqual([]);
    expect(plan(states, null, 1, true).actions.map((a) => a.nodeId)).toEqual(['n1', 'n4']);
  });
});

describe('percentile', () => {
  it.each([
    [[], 50, 0],
    [[7], 99, 7],
    [[5, 1, 3, 2, 4], 50, 3],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [Array.from({ length: 1000 }, (_, i) => 1000 - i), 50, 500],
  ])('percentile(%j, %i) = %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('replanAfterActions (a node sealed and repaired within one sweep)', () => {
  const stored = plan(['active', 'standby', 'standby'], null, 1_000).record;
  const replan = (first: ReturnType<typeof plan>, states: NodeState[], now: number, unsealed: string[]) =>
    replanAfterActions({ first, observed: observed(states), policy: { autoUnseal: true }, now, changedBySealwatch: new Set(unsealed) });

  it('reports sealed → standby by sealwatch with detection and repair time, and records both', () => {
    const first = plan(['active', 'sealed', 'standby'], stored, 61_000, true);
    expect(first.actions).toEqual([{ kind: 'unseal', nodeId: 'n1', reason: 'node is sealed' }]);
    const after = replan(first, ['active', 'standby', 'standby'], 61_400, ['n1']);
    const node = after.nodes[1];
    expect(node).toMatchObject({
      state: 'standby',
      previousState: 'sealed',
      transition: true,
      since: 61_400,
      passedThrough: { state: 'sealed', since: 61_000 },
    });
    expect(after.record.nodes.n1).toMatchObject({ state: 'standby', since: 61_400, previousState: 'sealed', previousSince: 61_000, changedBy: 'sealwatch' });
    // Untouched nodes keep their since and show no transition.
    expect(after.nodes[0]).toMatchObject({ state: 'active', transition: false, since: 1_000 });
    expect(after.nodes[0]?.passedThrough).toBeUndefined();
    expect(after.changed).toBe(true);
  });

  it('keeps the transition from the previous sweep when the unseal did not change the state', () => {
    const first = plan(['active', 'sealed', 'standby'], stored, 61_000, true);
    const after = replan(first, ['active', 'sealed', 'standby'], 61_400, []);
    expect(after.nodes[1]).toMatchObject({ state: 'sealed', previousState: 'standby', transition: true, since: 61_000 });
    expect(after.nodes[1]?.passedThrough).toBeUndefined();
    expect(after.record.nodes.n1).toMatchObject({ since: 61_000, previousState: 'standby', previousSince: 1_000, changedBy: null });
  });

  it('does not credit sealwatch with a change its action did not make (a leader moved)', () => {
    const first = plan(['active', 'sealed', 'standby'], stored, 61_000, true);
    const after = replan(first, ['standby', 'active', 'standby'], 61_400, ['n1']);
    expect(after.record.nodes.n0).toMatchObject({ state: 'standby', previousState: 'active', changedBy: null });
    expect(after.record.nodes.n1).toMatchObject({ state: 'active', previousState: 'sealed', changedBy: 'sealwatch' });
  });

  it('keeps the repaired transition in the record on later unchanged sweeps (no rewrite)', () => {
    const first = plan(['active', 'sealed', 'standby'], stored, 61_000, true);
    const after = replan(first, ['active', 'standby', 'standby'], 61_400, ['n1']);
    const later = plan(['active', 'standby', 'standby'], after.record, 121_000, true);
    expect(later.changed).toBe(false);
    expect(later.nodes[1]).toMatchObject({ transition: false, previousState: 'standby', since: 61_400 });
    expect(later.record.nodes.n1).toMatchObject({ previousState: 'sealed', changedBy: 'sealwatch' });
  });

  it('treats a record written before the transition fields existed as unchanged', () => {
    const old = plan(['active', 'standby'], null, 1_000).record;
    for (const node of Object.values(old.nodes)) {
      delete node.previousState;
      delete node.previousSince;
      delete node.changedBy;
    }
    expect(plan(['active', 'standby'], old, 61_000).changed).toBe(false);
  });
});
