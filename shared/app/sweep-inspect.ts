import type { Finding } from '../core/finding.ts';
import type { ClusterPlan, PlannedAction } from '../core/plan-sweep.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { RaftRead } from './raft-read.ts';
import type { SharedDeadlines } from './shared-deadlines.ts';
import type { SweepCluster } from './sweep-types.ts';

/** What an inspector is given: the cluster after the sweep's actions. */
export interface InspectInput {
  cluster: SweepCluster;
  plan: ClusterPlan;
  trigger: string;
  signal: AbortSignal;
  /** The sweep's one raft read of this cluster (absent when the sweep reads no raft state). */
  raft?: RaftRead;
}

/** Looks at one cluster after the sweep's own observations and returns findings. */
export interface ClusterInspector {
  /** Stable name, used in the finding that reports the inspector itself failing. */
  name: string;
  inspect(input: InspectInput): Promise<Finding[]>;
}

/** An inspector whose observations can call for actions (decided by a pure planner). */
export interface PlanningInspector {
  name: string;
  inspect(input: InspectInput): Promise<InspectorResult>;
}

/**
 * Findings, and the actions a pure planner derived from what the check observed (the storage
 * check's `storage-backup`). An inspector never acts: the sweep applies these through the one
 * executor, reports and audits them like every other action.
 */
export interface InspectorResult {
  findings: Finding[];
  actions: PlannedAction[];
}

/**
 * Runs the inspectors one after another on the final plan of a cluster. A failing inspector
 * becomes a `sealwatch.inspector-failed` finding, never an exception; the actions the checks'
 * observations call for are returned for the executor, never applied here.
 */
export async function inspectCluster(
  deps: { inspectors: readonly (ClusterInspector | PlanningInspector)[]; deadlines: SharedDeadlines; logger: Logger },
  input: Omit<InspectInput, 'signal'>,
): Promise<InspectorResult> {
  const { cluster } = input;
  const found: InspectorResult = { findings: [], actions: [] };
  for (const inspector of deps.inspectors) {
    // Each check gets at least its full budget (shared-deadlines.ts).
    const signal = deps.deadlines.signal();
    try {
      const result = await inspector.inspect({ ...input, signal });
      if (Array.isArray(result)) found.findings.push(...result);
      else {
        found.findings.push(...result.findings);
        found.actions.push(...result.actions);
      }
    } catch (error) {
      deps.logger.error('sweep.inspector_failed', { cluster: cluster.id, inspector: inspector.name, error });
      found.findings.push({
        id: 'sealwatch.inspector-failed',
        severity: 'warning',
        cluster: cluster.id,
        message: `check "${inspector.name}" could not run: ${describeError(error)}`,
        evidence: { inspector: inspector.name },
      });
    }
  }
  return found;
}
