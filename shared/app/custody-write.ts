import type { ShareAssignment } from '../core/custody-policy.ts';
import { shareContext, tokenContext, type CustodyKind, type CustodyMeta, type ShareRecord } from '../core/custody-types.ts';
import { ConflictError, describeError } from '../errors.ts';
import type { WrappedSecret } from '../ports/key-wrapper.ts';
import { deadline, type CustodyContext } from './custody-context.ts';
import { mapLimit } from './map-limit.ts';

/** Custody ready to be written: only ciphertext and facts. */
export interface PreparedCustody {
  kind: CustodyKind;
  threshold: number;
  shareLength: number;
  keyCheck: string;
  records: ShareRecord[];
  rootToken?: WrappedSecret;
}

export interface WriteOutcome {
  generation: number;
  replaced: boolean;
  /** Indexes of an earlier custody that the new one no longer has (deleted). */
  removed: number[];
}

/** Wraps each share under its assigned wrapper, bound to its `shareContext`. Plaintexts stay the caller's. */
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

/**
 * Writes prepared custody. The meta item goes first, conditioned on what was read (absent, or
 * the replaced version), so two writers never both win; then the shares; then surplus shares of
 * the replaced custody are deleted; then the token. Without `replace` an existing custody is
 * refused before anything is written.
 *
 * @throws ConflictError when custody exists without `replace`, or changed meanwhile.
 */
export async function writeCustody(ctx: CustodyContext, clusterId: string, prepared: PreparedCustody, replace: boolean): Promise<WriteOutcome> {
  const existing = await ctx.repo.meta(clusterId);
  if (existing && !replace) throw existingCustodyError(clusterId, existing.data);
  const oldShares = existing ? await ctx.repo.shares(clusterId) : [];
  const generation = existing ? existing.data.generation + 1 : 1;
  const meta: CustodyMeta = {
    kind: prepared.kind,
    threshold: prepared.threshold,
    shares: prepared.records.length,
    shareLength: prepared.shareLength,
    keyCheck: prepared.keyCheck,
    createdAt: ctx.nowIso(),
    generation,
  };
  try {
    await ctx.repo.putMeta(clusterId, meta, existing ? { kind: 'version', version: existing.version } : { kind: 'absent' });
  } catch (error) {
    if (error instanceof ConflictError) {
      throw new ConflictError(`custody of cluster ${clusterId} changed while this import ran; nothing was written`, {
        cause: error,
        reason: 'changed-concurrently',
      });
    }
    throw error;
  }
  try {
    for (const record of prepared.records) await ctx.repo.putShare(clusterId, record);
    const kept = new Set(prepared.records.map((r) => r.index));
    const removed = oldShares.map((s) => s.data.index).filter((index) => !kept.has(index));
    for (const index of removed) await ctx.repo.deleteShare(clusterId, index);
    if (prepared.rootToken) await ctx.repo.putToken(clusterId, 'root', prepared.rootToken);
    return { generation, replaced: existing !== null, removed };
  } catch (error) {
    // Only a replacing write repairs it; entry points name their way of asking for one.
    throw new ConflictError(`custody of cluster ${clusterId} is only partly written (generation ${generation}: ${describeError(error)})`, {
      cause: error,
      reason: 'custody-partial',
    });
  }
}

export function existingCustodyError(clusterId: string, meta: CustodyMeta): ConflictError {
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
export function keyChangedError(clusterId: string, meta: CustodyMeta): ConflictError {
  return new ConflictError(
    `these shares rebuild a different key than the custody of cluster ${clusterId} they would replace (generation ${meta.generation}, created ${meta.createdAt}); nothing was written`,
    { reason: 'shares-differ' },
  );
}
