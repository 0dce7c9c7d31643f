import type { CustodyMeta, NodeUnsealGuard, ShareRecord, UnsealBlocks } from './custody-types.ts';
import { compareSealToCustody, planShareUse, type SealMismatch } from './unseal-decision.ts';
import type { SealStatus } from './vault-types.ts';

/**
 * The unseal plan for one node, decided from what was read (its seal status, the custody, the
 * blocks standing for its generation, the wrappers known to fail) and nothing else. A dry run
 * prints these decisions; a real run executes exactly them, so both always agree.
 */
export type UnsealStep =
  /** Send `shareIndexes` (the first choice; other stored shares are the executor's fallbacks). */
  | { kind: 'send'; nodeId: string; shareIndexes: number[]; wrappers: string[]; reason: string; attemptInProgress: boolean }
  | { kind: 'skip'; nodeId: string; outcome: SkipOutcome; reason: string; mismatches?: SealMismatch[]; guard?: NodeUnsealGuard };

export type SkipOutcome = 'not-initialized' | 'not-sealed' | 'removed' | 'blocked' | 'retry-later' | 'custody-mismatch' | 'insufficient-shares' | 'no-custody';

export interface PlanUnsealInput {
  nodeId: string;
  status: SealStatus;
  /** Null when the cluster has no custody. */
  custody: { meta: Pick<CustodyMeta, 'kind' | 'threshold' | 'shares' | 'generation'>; shares: readonly Pick<ShareRecord, 'index' | 'wrapper'>[] } | null;
  blocks: UnsealBlocks;
  /** Epoch ms. */
  now: number;
  /** After a rejection, the one more try waits this long. */
  retryAfterMs: number;
  /** Wrappers not configured here or known to fail: their shares are planned last. */
  unavailableWrappers: ReadonlySet<string>;
}

/** When a node rejected once, its one more try is due (null for a blocking guard). */
export function retryAtOf(guard: NodeUnsealGuard, retryAfterMs: number): number | null {
  return guard.blocked ? null : Date.parse(guard.lastAt) + retryAfterMs;
}

/** Decides what to do with one node; the same checks, in the same order, as the executor repeats. */
export function planNodeUnseal(input: PlanUnsealInput): UnsealStep {
  const { nodeId, status, custody, blocks } = input;
  const skip = (outcome: SkipOutcome, reason: string, extra: Partial<Extract<UnsealStep, { kind: 'skip' }>> = {}): UnsealStep => ({
    kind: 'skip',
    nodeId,
    outcome,
    reason,
    ...extra,
  });
  // Custody is the cluster's fact: without it there is nothing to plan for any node.
  if (custody === null) return skip('no-custody', `no shares of this cluster are in custody`);
  if (!status.initialized) return skip('not-initialized', `node ${nodeId} is not initialized: nothing to unseal`);
  if (!status.sealed) return skip('not-sealed', `node ${nodeId} is not sealed`);
  if (status.removedFromCluster === true) return skip('removed', `node ${nodeId} was removed from its raft cluster: no share sent`);
  const guard = blocks.nodes.find((g) => g.nodeId === nodeId);
  if (blocks.cluster) {
    const nodes = blocks.cluster.nodes ?? [blocks.cluster.nodeId];
    return skip(
      'blocked',
      `unsealing of the cluster is blocked since ${blocks.cluster.at}: nodes ${nodes.join(', ')} rejected custody generation ${blocks.cluster.generation}`,
      guard ? { guard } : {},
    );
  }
  if (guard?.blocked) {
    const why = guard.reason === 'wrong-key' ? "rejected the custody's shares as the wrong key" : `discarded ${guard.rejections} full thresholds`;
    return skip('blocked', `node ${nodeId} is blocked since ${guard.lastAt}: it ${why} (${guard.vaultError})`, { guard });
  }
  const retryAt = guard ? retryAtOf(guard, input.retryAfterMs) : null;
  if (guard && retryAt !== null && retryAt > input.now) {
    return skip('retry-later', `node ${nodeId} discarded a full threshold at ${guard.lastAt}; its one more try is due at ${new Date(retryAt).toISOString()}`, {
      guard,
    });
  }
  const mismatches = compareSealToCustody(custody.meta, status);
  if (mismatches.length > 0) return skip('custody-mismatch', `node ${nodeId} does not match the custody record`, { mismatches });
  const use = planShareUse(custody.shares, custody.meta.threshold, input.unavailableWrappers);
  if (!use.enough) return skip('insufficient-shares', `only ${use.shareIndexes.length} of ${custody.meta.threshold} shares are stored`);
  const attemptInProgress = status.progress > 0;
  const attempt = attemptInProgress ? `; an unseal attempt is in progress (${status.progress}/${status.t}): it is left alone unless abandoned` : '';
  return {
    kind: 'send',
    nodeId,
    shareIndexes: use.shareIndexes,
    wrappers: use.wrappers,
    attemptInProgress,
    reason: `sealed and matching custody generation ${custody.meta.generation}: unwrap shares ${use.shareIndexes.join(', ')} (wrappers ${use.wrappers.join(', ')}) and submit them${attempt}`,
  };
}
