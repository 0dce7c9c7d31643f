import type { UnreachableReason } from '../errors.ts';
import type { NodeState, NodeView } from './node-state.ts';

/**
 * What sealwatch remembers about one node between sweeps. Only facts that matter for
 * transitions and decisions are kept, so an unchanged cluster produces an identical record and
 * no write (timestamps of the last look are deliberately absent).
 */
export interface NodeRecord {
  state: NodeState;
  /** Epoch ms when the node entered `state`. */
  since: number;
  initialized: boolean | null;
  sealType: string | null;
  threshold: number | null;
  shares: number | null;
  progress: number | null;
  version: string | null;
  clusterId: string | null;
  errorReason: UnreachableReason | null;
  /** The state before `state` (null before the first transition sealwatch saw). */
  previousState?: NodeState | null;
  /** Epoch ms when the node entered `previousState` (when that state was first detected). */
  previousSince?: number | null;
  /** `sealwatch` when sealwatch's own action (an unseal) ended `previousState`. */
  changedBy?: 'sealwatch' | null;
}

/** The state item of one cluster: all its nodes in one record (one write per changed cluster). */
export interface ClusterRecord {
  nodes: Record<string, NodeRecord>;
}

/**
 * The record a view leads to, keeping `since` (and the last transition) when the state did not
 * change. On a transition the old state and its `since` become `previousState`/`previousSince`
 * and `changedBy` is cleared (the caller sets it when its own action caused the change).
 */
export function toNodeRecord(view: NodeView, previous: NodeRecord | undefined, now: number): NodeRecord {
  const same = previous !== undefined && previous.state === view.state;
  return {
    state: view.state,
    since: same ? previous.since : now,
    initialized: view.initialized,
    sealType: view.sealType,
    threshold: view.threshold,
    shares: view.shares,
    progress: view.progress,
    // Sealed and unreachable nodes do not report version or cluster id reliably: keep what we
    // knew, so a blip does not rewrite the record twice.
    version: view.version ?? (keepsIdentity(view) ? (previous?.version ?? null) : null),
    clusterId: view.clusterId ?? (keepsIdentity(view) ? (previous?.clusterId ?? null) : null),
    errorReason: view.error?.reason ?? null,
    previousState: same ? (previous.previousState ?? null) : (previous?.state ?? null),
    previousSince: same ? (previous.previousSince ?? null) : (previous?.since ?? null),
    changedBy: same ? (previous.changedBy ?? null) : null,
  };
}

function keepsIdentity(view: NodeView): boolean {
  return view.state === 'unreachable' || view.state === 'sealed';
}

/**
 * Field-by-field equality of two node records (records are flat). A field an older record lacks
 * counts as null, so records written before a field existed are not rewritten for that alone.
 */
export function sameNodeRecord(a: NodeRecord | undefined, b: NodeRecord): boolean {
  if (!a) return false;
  return (Object.keys(b) as (keyof NodeRecord)[]).every((key) => (a[key] ?? null) === (b[key] ?? null));
}
