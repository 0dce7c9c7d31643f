import { resolveCustodyPolicy } from '../core/custody-policy.ts';
import { shareContext } from '../core/custody-types.ts';
import { equalBytes } from '../core/share-validation.ts';
import { describeError, NotFoundError, SealwatchError, ValidationError } from '../errors.ts';
import { deadline, type CustodyContext } from './custody-context.ts';

export interface RewrapRequest {
  clusterId: string;
  /** Target wrapper id. */
  to: string;
  /** 1-based share indexes; default every share. */
  indexes?: number[];
}

export interface RewrapShareResult {
  index: number;
  from: string;
  fromKeyId: string;
  to: string;
  /** Set once the share was rewritten. */
  toKeyId?: string;
  outcome: 'rewrapped' | 'failed' | 'not-attempted';
  error?: string;
}

export interface RewrapResult {
  cluster: string;
  to: string;
  results: RewrapShareResult[];
  ok: boolean;
  /** Shares whose config policy still names another wrapper: the policy is not rewritten. */
  policyOutdated: { index: number; policy: string }[];
}

/**
 * `keys rewrap`: moves shares to another wrapper (migration) or to the current key of the same
 * one (rotation). Per share: unwrap → wrap under the target → unwrap the new ciphertext and
 * compare → overwrite the share item conditioned on the version read → zero. The old ciphertext
 * stays valid until the new one is proven and written, so a share never exists in neither place.
 * Stops at the first failure; shares done before it stay done (rerunning is safe).
 *
 * @throws NotFoundError (no custody, unknown wrapper, unknown share index) before any change.
 */
export async function rewrapShares(ctx: CustodyContext, request: RewrapRequest): Promise<RewrapResult> {
  const cluster = ctx.cluster(request.clusterId);
  const target = ctx.wrapper(request.to);
  const meta = await ctx.repo.meta(cluster.id);
  if (!meta) throw new NotFoundError(`cluster ${cluster.id} has no custody to rewrap`);
  const items = await ctx.repo.shares(cluster.id);
  const wanted = request.indexes ?? items.map((i) => i.data.index);
  const unknown = wanted.filter((index) => !items.some((i) => i.data.index === index));
  if (unknown.length > 0) {
    throw new ValidationError(
      `cluster ${cluster.id} has no share ${unknown.join(', ')} in custody`,
      [`shares: stored shares are ${items.map((i) => i.data.index).join(', ') || 'none'}`],
      { field: 'shares' },
    );
  }
  const sources = new Set(items.filter((i) => wanted.includes(i.data.index)).map((i) => i.data.wrapper));
  for (const source of sources) ctx.wrapper(source);

  const { kind, shareLength } = meta.data;
  const results: RewrapShareResult[] = [];
  let failed = false;
  for (const item of items.filter((i) => wanted.includes(i.data.index))) {
    const record = item.data;
    const base = { index: record.index, from: record.wrapper, fromKeyId: record.keyId, to: target.id };
    if (failed) {
      results.push({ ...base, outcome: 'not-attempted' });
      continue;
    }
    const context = shareContext(cluster.id, kind, record.index);
    let plaintext: Uint8Array | undefined;
    let proof: Uint8Array | undefined;
    try {
      plaintext = await ctx
        .wrapper(record.wrapper)
        .unwrap({ wrapper: record.wrapper, keyId: record.keyId, ciphertext: record.ciphertext }, context, deadline(ctx.wrapperTimeoutMs));
      if (plaintext.length !== shareLength) {
        throw new SealwatchError('share_length_mismatch', `share ${record.index} unwrapped to ${plaintext.length} bytes, custody records ${shareLength}`);
      }
      const wrapped = await target.wrap(plaintext, context, deadline(ctx.wrapperTimeoutMs));
      proof = await target.unwrap(wrapped, context, deadline(ctx.wrapperTimeoutMs));
      if (!equalBytes(proof, plaintext)) {
        throw new SealwatchError('rewrap_mismatch', `share ${record.index}: ${target.id} did not give back what it wrapped; the share was left as it was`);
      }
      await ctx.repo.putShare(
        cluster.id,
        { index: record.index, wrapper: wrapped.wrapper, keyId: wrapped.keyId, ciphertext: wrapped.ciphertext, wrappedAt: ctx.nowIso() },
        { kind: 'version', version: item.version },
      );
      results.push({ ...base, toKeyId: wrapped.keyId, outcome: 'rewrapped' });
      ctx.options.logger?.info('custody.share-rewrapped', {
        cluster: cluster.id,
        share: record.index,
        from: record.wrapper,
        to: target.id,
        keyId: wrapped.keyId,
      });
    } catch (error) {
      failed = true;
      results.push({ ...base, outcome: 'failed', error: describeError(error) });
    } finally {
      plaintext?.fill(0);
      proof?.fill(0);
    }
  }
  return { cluster: cluster.id, to: target.id, results, ok: !failed, policyOutdated: outdatedPolicy(ctx, cluster.id, results) };
}

function outdatedPolicy(ctx: CustodyContext, clusterId: string, results: readonly RewrapShareResult[]): RewrapResult['policyOutdated'] {
  const moved = results.filter((r) => r.outcome === 'rewrapped');
  const cluster = ctx.cluster(clusterId);
  try {
    const assignment = resolveCustodyPolicy({
      clusterId,
      policy: cluster.custody,
      wrapperIds: ctx.options.wrappers.ids(),
      shareCount: Math.max(0, ...moved.map((r) => r.index)),
    });
    const policy = new Map(assignment.shares.map((s) => [s.index, s.wrapper]));
    return moved.filter((r) => policy.get(r.index) !== r.to).map((r) => ({ index: r.index, policy: policy.get(r.index) ?? '(none)' }));
  } catch {
    // No usable policy (several wrappers, none chosen): every moved share needs one.
    return moved.map((r) => ({ index: r.index, policy: '(none)' }));
  }
}
