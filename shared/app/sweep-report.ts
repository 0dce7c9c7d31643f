import type { Finding } from '../core/finding.ts';
import { summarizeCluster } from '../core/cluster-view.ts';
import { NODE_STATES, type NodeState } from '../core/node-state.ts';
import { planClusterSweep, type ClusterPlan, type ObservedNode } from '../core/plan-sweep.ts';
import { describeError } from '../errors.ts';
import type { ActionReport, ClusterReport, NodeReport, SweepCluster, SweepReport } from './sweep-types.ts';

// The sweep report, built from the plan and the actions' outcomes (see README "Sweep report").

/**
 * The report of a cluster whose sweep failed: the actions it applied before it failed (an unseal
 * that went through stays in the report), its nodes as the plan saw them after those actions (as
 * first observed when the pass failed before planning: a node unsealed is not reported sealed),
 * and a finding naming why.
 */
export function failedClusterReport(
  cluster: SweepCluster,
  observed: readonly ObservedNode[],
  now: number,
  error: unknown,
  after?: { plan: ClusterPlan; actions: readonly ActionReport[] },
): ClusterReport {
  const applied = after?.actions ?? [];
  const plan = after?.plan ?? planClusterSweep({ clusterId: cluster.id, previous: null, now, policy: { autoUnseal: false }, observed: [...observed] });
  const what =
    applied.length === 0 ? 'nothing was acted on or recorded for it' : `after ${applied.length} action(s), listed in the report; nothing was recorded for it`;
  const finding: Finding = {
    id: 'sealwatch.cluster-failed',
    severity: 'critical',
    cluster: cluster.id,
    message: `the sweep of cluster ${cluster.id} failed ${what}: ${describeError(error)}`,
    evidence: { error: describeError(error) },
  };
  return toClusterReport(cluster, plan, [...applied], { ok: false, warning: 'sweep failed; see findings' }, [finding]);
}

export function toClusterReport(
  cluster: SweepCluster,
  plan: ClusterPlan,
  actions: ActionReport[],
  persisted: { ok: boolean; warning?: string },
  findings: Finding[],
): ClusterReport {
  const unsealed = new Map(actions.filter((a) => a.kind === 'unseal').map((a) => [a.nodeId, a]));
  const nodes: NodeReport[] = plan.nodes.map((n) => {
    const unseal = unsealed.get(n.nodeId);
    return {
      id: n.nodeId,
      url: n.url,
      state: n.state,
      previousState: n.previousState,
      transition: n.transition,
      since: new Date(n.since).toISOString(),
      initialized: n.view.initialized,
      sealed: n.view.sealed,
      version: n.view.version,
      httpStatus: n.view.httpStatus,
      error: n.view.error,
      durationMs: n.durationMs,
      ...(n.passedThrough
        ? {
            passedThrough: { state: n.passedThrough.state, detectedAt: new Date(n.passedThrough.since).toISOString(), leftAt: new Date(n.since).toISOString() },
          }
        : {}),
      ...(unseal ? { unseal, ...(unseal.outcome === 'unsealed' ? { unsealedBy: 'sealwatch' as const } : {}) } : {}),
    };
  });
  return {
    id: cluster.id,
    name: cluster.name,
    summary: summaryOf(plan),
    nodes,
    persisted: persisted.ok,
    actions,
    findings,
    ...(persisted.warning ? { warning: persisted.warning } : {}),
  };
}

function summaryOf(plan: ClusterPlan): ClusterReport['summary'] {
  const { nodes, ...rest } = summarizeCluster(plan.nodes.map((n) => ({ nodeId: n.nodeId, view: n.view })));
  return { ...rest, nodes: nodes.length };
}

export function zeroByState(): Record<NodeState, number> {
  return Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Record<NodeState, number>;
}

export function totalsOf(reports: readonly ClusterReport[]): SweepReport['totals'] {
  const byState = zeroByState();
  let nodes = 0;
  let transitions = 0;
  let unsealed = 0;
  let repaired = 0;
  for (const cluster of reports) {
    for (const node of cluster.nodes) {
      nodes += 1;
      byState[node.state] += 1;
      if (node.transition) transitions += 1;
      if (node.unsealedBy) unsealed += 1;
      if (node.passedThrough?.state === 'sealed' && node.unsealedBy) repaired += 1;
    }
  }
  return { clusters: reports.length, nodes, byState, transitions, unsealed, repaired };
}

export function emptyReport(trigger: string, startedAt: number, now: number, stateWrites: number, skipped: NonNullable<SweepReport['skipped']>): SweepReport {
  return {
    trigger,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: now - startedAt,
    skipped,
    clusters: [],
    totals: { clusters: 0, nodes: 0, byState: zeroByState(), transitions: 0, unsealed: 0, repaired: 0 },
    timings: { observeMs: 0, applyMs: 0, persistMs: 0, p50NodeMs: 0, p99NodeMs: 0 },
    stateWrites,
  };
}
