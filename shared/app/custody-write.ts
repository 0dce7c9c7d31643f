import type { ShareAssignment } from '../core/custody-policy.ts';
import { shareContext, tokenContext, type CustodyKind, type CustodyMeta, type ShareRecord } from '../core/custody-types.ts';
import type { CustodyWritePlan, CustodyWriteRead } from '../core/plan-custody-write.ts';
import { ConflictError } from '../errors.ts';
import type { WrappedSecret } from '../ports/key-wrapper.ts';
import { deadline, type CustodyContext } from './custody-context.ts';
import { mapLimit } from './map-limit.ts';

/**
 * Wraps each share a plan writes under the plan's wrapper, bound to its `shareContext`.
 * Plaintexts stay the caller's.
 */
export async function wrapShares(
  ctx: CustodyContext,
  clusterId: string,
  kind: CustodyKind,
  shares: readonly Uint8Array[],
  assignment: readonly ShareAssignment[],
): Promise<ShareRecord[]> {
  const wrappedAt = ctx.nowIso();
  return mapLimit(assignment, 8, async ({ index, wrapper }) => {
    const plaintext = shares[index - 1];
    if (!plaintext) throw new Error(`no share ${index} to wrap`);
    const wrapped = await ctx.wrapper(wrapper).wrap(plaintext, shareContext(clusterId, kind, index), deadline(ctx.wrapperTimeoutMs));
    return { index, wrapper: wrapped.wrapper, keyId: wrapped.keyId, ciphertext: wrapped.ciphertext, wrappedAt };
  });
}

/** Wraps a Vault token under `tokenContext(cluster, name)`. */
export async function wrapToken(ctx: CustodyContext, clusterId: string, wrapperId: string, token: string): Promise<WrappedSecret> {
  const bytes = new TextEncoder().encode(token);
  try {
    return await ctx.wrapper(wrapperId).wrap(bytes, tokenContext(clusterId, 'root'), deadline(ctx.wrapperTimeoutMs));
  } finally {
    bytes.fill(0);
  }
}

/** Custody as the write planner needs it, read in parallel (no ciphertext is kept). */
export async function readCustodyForWrite(ctx: CustodyContext, clusterId: string): Promise<CustodyWriteRead> {
  const [meta, shares, block, guards] = await Promise.all([
    ctx.repo.meta(clusterId),
    ctx.repo.shares(clusterId),
    ctx.repo.block(clusterId),
    ctx.repo.guards(clusterId),
  ]);
  return {
    meta: meta
      ? {
          generation: meta.data.generation,
          kind: meta.data.kind,
          threshold: meta.data.threshold,
          shares: meta.data.shares,
          keyCheck: meta.data.keyCheck,
          createdAt: meta.data.createdAt,
          version: meta.version,
        }
      : null,
    shareIndexes: shares.map((s) => s.data.index),
    block: block?.data ?? null,
    guards: guards.map((g) => g.data),
  };
}

/** A refused plan in domain terms (the entry points name their flags). */
export function refusalError(clusterId: string, plan: Extract<CustodyWritePlan, { outcome: 'refused' }>): ConflictError {
  return plan.reason === 'custody-exists' ? existingCustodyError(clusterId, plan.existing) : keyChangedError(clusterId, plan.existing);
}

export function existingCustodyError(clusterId: string, meta: Pick<CustodyMeta, 'generation' | 'kind' | 'threshold' | 'shares' | 'createdAt'>): ConflictError {
  return new ConflictError(
    `cluster ${clusterId} already has custody (generation ${meta.generation}, ${meta.kind} shares ${meta.threshold} of ${meta.shares}, created ${meta.createdAt})`,
    { reason: 'custody-exists' },
  );
}

/**
 * A replace whose shares rebuild another key than the stored custody's, without `rekeyed`:
 * either the cluster was rekeyed (entry points say how to declare it), or these are not the
 * shares of its current key.
 */
export function keyChangedError(clusterId: string, meta: Pick<CustodyMeta, 'generation' | 'createdAt'>): ConflictError {
  return new ConflictError(
    `these shares rebuild a different key than the custody of cluster ${clusterId} they would replace (generation ${meta.generation}, created ${meta.createdAt}); nothing was written`,
    { reason: 'shares-differ' },
  );
}

/** The shares a write plan writes: which index goes under which wrapper. */
export function writtenShares(plan: Pick<Extract<CustodyWritePlan, { outcome: 'write' }>, 'actions'>): { index: number; wrapper: string }[] {
  return plan.actions.flatMap((a) => (a.kind === 'write-share' ? [{ index: a.index, wrapper: a.wrapper }] : []));
}
