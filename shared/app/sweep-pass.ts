import type { Finding } from '../core/finding.ts';
import type { NodeView } from '../core/node-state.ts';
import type { ClusterPlan, PlannedAction } from '../core/plan-sweep.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { HeldLease } from './held-lease.ts';
import type { RaftRead, RaftReader } from './raft-read.ts';
import type { RaftPlanner } from './raft-removal-planner.ts';
import type { ActionExecutor, ActionReport, SweepCluster } from './sweep-types.ts';

/** How one pass of the sweep applies its plan (a sweep, a recover, a recover's dry run). */
export interface Pass {
  trigger: string;
  /** A recover: the nodes it may unseal, and whether it only describes. */
  recover?: { nodeIds?: readonly string[]; dryRun: boolean };
  /** The cluster lease a recover holds for its whole plan. */
  held?: HeldLease;
  /** The caller's deadline (a recover). */
  signal?: AbortSignal;
  /** The findings the actions raised, by cluster. */
  actionFindings: Map<string, Finding[]>;
}

export interface PassStepsDeps {
  execute?: ActionExecutor;
  describe?: ActionExecutor;
  raftRead?: RaftReader;
  raftPlanner?: RaftPlanner;
  nodeTimeoutMs: number;
  logger: Logger;
}

/** The apply side of a pass: the one executor, the raft read and the raft plan. */
export function createPassSteps(deps: PassStepsDeps) {
  const { logger } = deps;

  /** The executor of this pass: the one that acts, or the one that describes (dry run). */
  function executorOf(pass: Pass): ActionExecutor | undefined {
    return pass.recover?.dryRun ? deps.describe : deps.execute;
  }

  /**
   * Applies planned actions one after another through the pass's executor. A failing action is
   * an `error` outcome in the report, never an exception; `touched` names the nodes that changed.
   */
  async function applyActions(cluster: SweepCluster, planned: readonly PlannedAction[], pass: Pass) {
    const execute = executorOf(pass) as ActionExecutor;
    const reports: ActionReport[] = [];
    const findings: Finding[] = [];
    const touched = new Set<string>();
    /** The executor's own look at a node after acting on it. */
    const views = new Map<string, NodeView>();
    for (const action of planned) {
      const signal = AbortSignal.any([
        AbortSignal.timeout(Math.max(deps.nodeTimeoutMs * 4, 10_000)),
        ...(pass.held ? [pass.held.signal] : []),
        ...(pass.signal ? [pass.signal] : []),
      ]);
      try {
        const result = await execute({ cluster, action, trigger: pass.trigger, signal, ...(pass.held ? { held: pass.held } : {}) });
        reports.push({ ...result.report, reason: action.reason });
        findings.push(...(result.findings ?? []));
        if (result.viewAfter || result.changed) touched.add(action.nodeId);
        if (result.viewAfter) views.set(action.nodeId, result.viewAfter);
        else views.delete(action.nodeId);
      } catch (error) {
        logger.error('sweep.action_failed', { cluster: cluster.id, node: action.nodeId, kind: action.kind, error });
        reports.push({ kind: action.kind, nodeId: action.nodeId, outcome: 'error', message: describeError(error), durationMs: 0, reason: action.reason });
      }
    }
    pass.actionFindings.set(cluster.id, [...(pass.actionFindings.get(cluster.id) ?? []), ...findings]);
    return { reports, findings, touched, views };
  }

  /** The one raft read of this cluster in this sweep; a failure is part of the result. */
  async function readRaftOnce(cluster: SweepCluster, plan: ClusterPlan, signal: AbortSignal): Promise<RaftRead> {
    try {
      return await (deps.raftRead as RaftReader)({ cluster, plan, signal });
    } catch (error) {
      return { kind: 'failed', leaderId: '', error };
    }
  }

  /** The raft planner's actions from the sweep's raft read, applied by the one executor. */
  async function planRaft(cluster: SweepCluster, plan: ClusterPlan, raft: RaftRead, pass: Pass) {
    let planned: Awaited<ReturnType<RaftPlanner>>;
    try {
      planned = await (deps.raftPlanner as RaftPlanner)({ cluster, plan, raft, ...(pass.recover?.dryRun ? { dryRun: true } : {}) });
    } catch (error) {
      logger.error('sweep.raft_plan_failed', { cluster: cluster.id, error });
      // The raft inspector reports why raft state cannot be read; nothing is planned meanwhile.
      return { actions: [], findings: [], removed: [] };
    }
    const applied = await applyActions(cluster, planned.actions, pass);
    const removed = applied.reports.filter((a) => a.kind === 'raft-remove-peer' && a.outcome === 'removed').map((a) => a.nodeId);
    return { actions: applied.reports, findings: [...planned.findings, ...applied.findings], removed };
  }

  return { executorOf, applyActions, readRaftOnce, planRaft };
}
