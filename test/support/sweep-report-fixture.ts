import type { NodeReport, SweepReport } from '../../shared/app/sweep-types.ts';
import type { Finding } from '../../shared/core/finding.ts';
import type { NodeState } from '../../shared/core/node-state.ts';

/** One node's line of a sweep report, as alerting reads it: reachable, initialized, Vault 1.19.0. */
export function nodeReport(id: string, state: NodeState, extra: Partial<NodeReport> = {}): NodeReport {
  return {
    id,
    url: `https://127.0.0.1/${id}`,
    state,
    previousState: null,
    transition: false,
    since: '2026-01-01T00:00:00.000Z',
    initialized: true,
    sealed: state === 'sealed',
    version: '1.19.0',
    httpStatus: 200,
    error: null,
    durationMs: 1,
    ...extra,
  };
}

/** A sweep report of these clusters, with only what alerting reads filled in. */
export function sweepReport(clusters: { id: string; nodes: NodeReport[]; findings?: Finding[] }[]): SweepReport {
  return {
    trigger: 'test',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    clusters: clusters.map((c) => ({
      id: c.id,
      name: c.id,
      nodes: c.nodes,
      persisted: false,
      actions: [],
      ...(c.findings ? { findings: c.findings } : {}),
      summary: { nodes: c.nodes.length } as never,
    })),
    totals: {} as never,
    timings: {} as never,
    stateWrites: 0,
  };
}
