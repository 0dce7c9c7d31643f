import { describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import { NODE_STATES, type NodeState } from '../../../shared/core/node-state.ts';
import { formatReport } from '../../../functions/cli/format-report.ts';

const byState = (counts: Partial<Record<NodeState, number>>) => Object.fromEntries(NODE_STATES.map((s) => [s, counts[s] ?? 0])) as Record<NodeState, number>;

const report: SweepReport = {
  trigger: 'cli',
  startedAt: '2026-11-22T12:00:00.000Z',
  durationMs: 42,
  clusters: [
    {
      id: 'prod',
      name: 'Production',
      summary: {
        nodes: 2,
        byState: byState({ active: 1, sealed: 1 }),
        activeCount: 1,
        sealedCount: 1,
        unreachableCount: 0,
        clusterIds: [],
        versions: ['1.19.0'],
        activeNodes: ['v0'],
      },
      nodes: [
        {
          id: 'v0',
          url: 'https://a',
          state: 'active',
          previousState: 'active',
          transition: false,
          since: '',
          initialized: true,
          sealed: false,
          version: '1.19.0',
          httpStatus: 200,
          error: null,
          durationMs: 3,
        },
        {
          id: 'v1',
          url: 'https://b',
          state: 'sealed',
          previousState: 'standby',
          transition: true,
          since: '',
          initialized: true,
          sealed: true,
          version: '1.19.0',
          httpStatus: 503,
          error: null,
          durationMs: 4,
        },
      ],
      persisted: true,
      actions: [{ kind: 'unseal', nodeId: 'v1', outcome: 'wrong-key', message: 'Vault rejected the combined shares', durationMs: 9 }],
      findings: [{ id: 'unseal.wrong-key', severity: 'critical', cluster: 'prod', node: 'v1', message: 'wrong key material', evidence: {} }],
    },
  ],
  totals: { clusters: 1, nodes: 2, byState: byState({ active: 1, sealed: 1 }), transitions: 1, unsealed: 0 },
  timings: { observeMs: 10, applyMs: 5, persistMs: 2, p50NodeMs: 3, p99NodeMs: 4 },
  stateWrites: 3,
};

describe('formatReport', () => {
  const text = formatReport(report);
  it('summarises each cluster by state and lists every node with its transition', () => {
    expect(text).toContain('prod (Production): 2 nodes — 1 active, 1 sealed');
    expect(text).toMatch(/v1\s+sealed\s+1\.19\.0 \[was standby\]/);
  });
  it('shows failed actions and findings with their severity', () => {
    expect(text).toContain('! unseal v1: wrong-key — Vault rejected the combined shares');
    expect(text).toContain('!! unseal.wrong-key (v1): wrong key material');
  });
  it('ends with the totals', () => {
    expect(text.trim().split('\n').at(-1)).toBe('swept 2 nodes in 1 cluster in 42 ms — 1 transition, 0 unsealed, 3 state writes');
  });
  it('says when the sweep was skipped because another held the lease', () => {
    expect(formatReport({ ...report, clusters: [], skipped: { reason: 'lease-held', heldBy: { owner: 'o-1', expiresAt: 'T' } } })).toContain(
      'another sweep holds the lease (owner o-1',
    );
  });
});
