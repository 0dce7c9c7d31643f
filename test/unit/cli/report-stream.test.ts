import { describe, expect, it } from 'vitest';
import { createReportStream } from '../../../functions/cli/report-stream.ts';
import type { NodeReport, SweepReport } from '../../../shared/app/sweep-types.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import { NODE_STATES, type NodeState } from '../../../shared/core/node-state.ts';

const byState = (counts: Partial<Record<NodeState, number>>) => Object.fromEntries(NODE_STATES.map((s) => [s, counts[s] ?? 0])) as Record<NodeState, number>;

function node(id: string, state: NodeState, previousState: NodeState, extra: Partial<NodeReport> = {}): NodeReport {
  return {
    id,
    url: `https://${id}`,
    state,
    previousState,
    transition: state !== previousState,
    since: '',
    initialized: true,
    sealed: state === 'sealed',
    version: '1.19.0',
    httpStatus: 200,
    error: null,
    durationMs: 3,
    ...extra,
  };
}

/** A sweep at `minute` minutes past 12:00 with these nodes and findings. */
function sweep(minute: number, nodes: NodeReport[], findings: Finding[] = []): SweepReport {
  const states = byState(Object.fromEntries(nodes.map((n) => [n.state, nodes.filter((m) => m.state === n.state).length])));
  return {
    trigger: 'schedule',
    startedAt: new Date(Date.UTC(2026, 11, 7, 12, minute)).toISOString(),
    durationMs: 40,
    clusters: [
      {
        id: 'prod',
        name: 'prod',
        summary: {
          nodes: nodes.length,
          byState: states,
          activeCount: 1,
          sealedCount: 0,
          unreachableCount: 0,
          clusterIds: [],
          versions: ['1.19.0'],
          activeNodes: ['v0'],
        },
        nodes,
        persisted: true,
        actions: [],
        findings,
      },
    ],
    totals: {
      clusters: 1,
      nodes: nodes.length,
      byState: states,
      transitions: nodes.filter((n) => n.transition).length,
      unsealed: nodes.filter((n) => n.unsealedBy).length,
    },
    timings: { observeMs: 10, applyMs: 5, persistMs: 2, p50NodeMs: 3, p99NodeMs: 4 },
    stateWrites: 0,
  };
}

const steady = [node('v0', 'active', 'active'), node('v1', 'standby', 'standby')];
const finding: Finding = { id: 'custody.single-provider', severity: 'warning', cluster: 'prod', message: 'one provider holds every share', evidence: {} };

describe('createReportStream', () => {
  it('prints the first sweep in full, every line starting with the sweep time', () => {
    const text = createReportStream()(sweep(0, steady));
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.startsWith('2026-12-07T12:00:00.000Z '))).toBe(true);
    expect(text).toContain('prod (prod): 2 nodes');
  });

  it('then prints nothing while nothing changes, and a heartbeat once the heartbeat interval has passed', () => {
    const stream = createReportStream({ heartbeatMs: 10 * 60_000 });
    stream(sweep(0, steady));
    for (let minute = 1; minute < 10; minute += 1) expect(stream(sweep(minute, steady))).toBe('');
    expect(stream(sweep(10, steady))).toBe(
      '2026-12-07T12:10:00.000Z heartbeat: 2 nodes in 1 cluster — 1 active, 1 standby; no change in 10 sweeps; last took 40 ms\n',
    );
    expect(stream(sweep(11, steady))).toBe('');
  });

  it('prints a transition and an unseal by sealwatch as changes, with a summary line', () => {
    const stream = createReportStream();
    stream(sweep(0, steady));
    const sealed = stream(sweep(1, [steady[0] as NodeReport, node('v1', 'sealed', 'standby')]));
    expect(sealed).toBe(
      '2026-12-07T12:01:00.000Z sweep: 1 transition, 0 unsealed, 2 nodes in 40 ms\n' + '2026-12-07T12:01:00.000Z prod/v1: standby → sealed\n',
    );
    const unsealed = stream(
      sweep(2, [
        steady[0] as NodeReport,
        node('v1', 'standby', 'sealed', {
          unsealedBy: 'sealwatch',
          unseal: { kind: 'unseal', nodeId: 'v1', outcome: 'unsealed', message: '', durationMs: 120 },
        }),
      ]),
    );
    expect(unsealed).toContain('2026-12-07T12:02:00.000Z prod/v1: sealed → standby (unsealed by sealwatch in 120 ms)\n');
  });

  it('prints findings when raised and when cleared, not while they persist', () => {
    const stream = createReportStream();
    stream(sweep(0, steady));
    expect(stream(sweep(1, steady, [finding]))).toContain('finding raised: prod [warning] custody.single-provider: one provider holds every share');
    expect(stream(sweep(2, steady, [{ ...finding, message: 'reworded, same condition' }]))).toBe('');
    expect(stream(sweep(3, steady))).toContain('finding cleared: prod [warning] custody.single-provider');
  });

  it('--verbose prints every sweep in full', () => {
    const stream = createReportStream({ verbose: true });
    stream(sweep(0, steady));
    expect(stream(sweep(1, steady))).toContain('2026-12-07T12:01:00.000Z prod (prod): 2 nodes');
  });

  it('a skipped sweep is a change; findings are compared with the last real sweep', () => {
    const stream = createReportStream();
    stream(sweep(0, steady, [finding]));
    const skipped = { ...sweep(1, []), clusters: [], skipped: { reason: 'lease-held' as const, heldBy: { owner: 'o-1', expiresAt: 'T' } } };
    expect(stream(skipped)).toBe('2026-12-07T12:01:00.000Z sweep skipped: another sweep holds the lease (owner o-1, until T)\n');
    expect(stream(sweep(2, steady, [finding]))).toBe('');
  });
});
