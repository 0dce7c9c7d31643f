import type { UnreachableReason } from './errors.ts';
import type { HealthResponse, SealStatus } from './vault-types.ts';

/** What one node is, as far as sealwatch can tell (issue #2, Build 4). */
export type NodeState = 'active' | 'standby' | 'perf-standby' | 'dr-secondary' | 'standby-unhealthy' | 'sealed' | 'uninitialized' | 'removed' | 'unreachable';

export const NODE_STATES: readonly NodeState[] = [
  'active',
  'standby',
  'perf-standby',
  'dr-secondary',
  'standby-unhealthy',
  'sealed',
  'uninitialized',
  'removed',
  'unreachable',
];

/** The raw result of looking at one node once. A failure is an observation, not an exception. */
export interface NodeObservation {
  /** Epoch ms when the observation started. */
  at: number;
  durationMs: number;
  health?: HealthResponse;
  sealStatus?: SealStatus;
  error?: { reason: UnreachableReason; message: string };
}

/**
 * A classified node. Field names match the `probe --json` contract; fields the state cannot
 * know are null.
 */
export interface NodeView {
  state: NodeState;
  initialized: boolean | null;
  sealed: boolean | null;
  sealType: string | null;
  recoverySeal: boolean | null;
  threshold: number | null;
  shares: number | null;
  progress: number | null;
  version: string | null;
  clusterId: string | null;
  clusterName: string | null;
  storageType: string | null;
  httpStatus: number | null;
  /** Why the node is unreachable, or null. */
  error: { reason: UnreachableReason; message: string } | null;
}
