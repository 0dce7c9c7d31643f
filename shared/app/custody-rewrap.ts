import { resolveCustodyPolicy } from '../core/custody-policy.ts';
import { shareContext, type CustodyMeta, type ShareRecord } from '../core/custody-types.ts';
import { planRewrap, type RewrapAction, type RewrapPlan, type RewrapRefusal } from '../core/plan-custody-rewrap.ts';
import { equalBytes } from '../core/share-validation.ts';
import { describeError, NotFoundError, SealwatchError, ValidationError } from '../errors.ts';
import { beginCustodyAudit } from './custody-audit.ts';
import { deadline, wrapperNotConfigured, type CustodyContext } from './custody-context.ts';
import type { HeldLease } from './held-lease.ts';

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

/** What `keys rewrap` would do: the same plan, nothing unwrapped or written. */
export interface RewrapPlanResult {
  dryRun: true;
  cluster: string;
  to: string;
  /** The custody generation whose shares move (it does not change). */
  generation: number;
  actions: RewrapAction[];
}

/** `keys rewrap --dry-run`: reads custody and plans, from the same code as {@link rewrapShares}. */
export async function planRewrapShares(ctx: CustodyContext, request: RewrapRequest): Promise<RewrapPlanResult> {
  const cluster = ctx.cluster(request.clusterId);
  const { plan } = await readAndPlan(ctx, cluster.id, request);
  return { dryRun: true, cluster: cluster.id, to: request.to, generation: plan.generation, actions: plan.actions };
}

/**
 * `keys rewrap`: moves shares to another wrapper (migration) or to the current key of the same
 * one (rotation), under the cluster lease so no unseal reads a share while it is rewritten. Read
 * → plan ({@link planRewrap}) → apply each action: unwrap → wrap under the target → unwrap the
 * new ciphertext and compare → check the lease → overwrite the share item conditioned on the
 * version read → zero. The old ciphertext stays valid until the new one is proven and written,
 * so a share never exists in neither place. Stops at the first failure; shares done before it
 * stay done (rerunning is safe). The metadata is not touched: same key, same generation.
 *
 * @throws NotFoundError (no custody, unknown wrapper), ValidationError (unknown share index),
 *   before any change.
 */
export async function rewrapShares(ctx: CustodyContext, request: RewrapRequest): Promise<RewrapResult> {
  const cluster = ctx.cluster(request.clusterId);
  const results = await ctx.withClusterLease(cluster.id, async (held) => {
    const { plan, meta, records } = await readAndPlan(ctx, cluster.id, request);
    return applyRewrap(ctx, held, cluster.id, plan.actions, { ...meta, records });
  });
  const ok = results.every((r) => r.outcome === 'rewrapped');
  return { cluster: cluster.id, to: request.to, results, ok, policyOutdated: outdatedPolicy(ctx, cluster.id, results) };
}

async function readAndPlan(
  ctx: CustodyContext,
  clusterId: string,
  request: RewrapRequest,
): Promise<{ plan: Extract<RewrapPlan, { outcome: 'rewrap' }>; meta: Pick<CustodyMeta, 'kind' | 'shareLength'>; records: Map<number, ShareRecord> }> {
  const [meta, items] = await Promise.all([ctx.repo.meta(clusterId), ctx.repo.shares(clusterId)]);
  const plan = planRewrap({
    generation: meta?.data.generation ?? null,
    shares: items.map((i) => ({ index: i.data.index, wrapper: i.data.wrapper, keyId: i.data.keyId, version: i.version })),
    to: request.to,
    ...(request.indexes ? { indexes: request.indexes } : {}),
    wrapperIds: ctx.options.wrappers.ids(),
  });
  if (plan.outcome === 'refused') throw refusalError(ctx, clusterId, plan.refusal);
  return { plan, meta: (meta as NonNullable<typeof meta>).data, records: new Map(items.map((i) => [i.data.index, i.data])) };
}

function refusalError(ctx: CustodyContext, clusterId: string, refusal: RewrapRefusal): Error {
  switch (refusal.reason) {
    case 'no-custody':
      return new NotFoundError(`cluster ${clusterId} has no custody to rewrap`);
    case 'unknown-wrapper':
      return wrapperNotConfigured(ctx, refusal.wrapper);
    case 'unknown-shares':
      return new ValidationError(
        `cluster ${clusterId} has no share ${refusal.indexes.join(', ')} in custody`,
        [`shares: stored shares are ${refusal.stored.join(', ') || 'none'}`],
        { field: 'shares' },
      );
  }
}

/** Custody as read for the plan: the facts a rewrap checks, and the stored records by index. */
type StoredCustody = Pick<CustodyMeta, 'kind' | 'shareLength'> & { records: ReadonlyMap<number, ShareRecord> };

/** The rewrap executor: applies the plan's actions in order, fencing before each write. */
async function applyRewrap(
  ctx: CustodyContext,
  held: HeldLease,
  clusterId: string,
  actions: readonly RewrapAction[],
  custody: StoredCustody,
): Promise<RewrapShareResult[]> {
  const results: RewrapShareResult[] = [];
  let failed = false;
  const audit = await beginCustodyAudit(ctx, clusterId, {
    action: 'custody-rewrap',
    shareIndexes: actions.map((a) => a.index),
    wrappers: actions.flatMap((a) => [a.from, a.to]),
    message: `rewrap of share(s) ${actions.map((a) => `${a.index} ${a.from} → ${a.to}`).join(', ')}`,
  });
  for (const action of actions) {
    const base = { index: action.index, from: action.from, fromKeyId: action.fromKeyId, to: action.to };
    if (failed) {
      results.push({ ...base, outcome: 'not-attempted' });
      continue;
    }
    try {
      const keyId = await rewrapOne(ctx, held, clusterId, action, custody);
      results.push({ ...base, toKeyId: keyId, outcome: 'rewrapped' });
      ctx.options.logger?.info('custody.share-rewrapped', { cluster: clusterId, share: action.index, from: action.from, to: action.to, keyId });
    } catch (error) {
      failed = true;
      results.push({ ...base, outcome: 'failed', error: describeError(error) });
    }
  }
  const done = results.filter((r) => r.outcome === 'rewrapped').map((r) => r.index);
  const error = results.find((r) => r.outcome === 'failed');
  await audit.finish(
    error ? (done.length === 0 ? 'failed' : 'partial') : 'rewrapped',
    `share(s) rewrapped: ${done.join(', ') || 'none'}${error ? `; share ${error.index} failed: ${error.error ?? ''}` : ''}`,
  );
  return results;
}

async function rewrapOne(ctx: CustodyContext, held: HeldLease, clusterId: string, action: RewrapAction, custody: StoredCustody): Promise<string> {
  // The plan was made from this record; the write below is conditioned on its version.
  const record = custody.records.get(action.index) as ShareRecord;
  const context = shareContext(clusterId, custody.kind, action.index);
  const target = ctx.wrapper(action.to);
  let plaintext: Uint8Array | undefined;
  let proof: Uint8Array | undefined;
  try {
    plaintext = await ctx
      .wrapper(record.wrapper)
      .unwrap({ wrapper: record.wrapper, keyId: record.keyId, ciphertext: record.ciphertext }, context, deadline(ctx.wrapperTimeoutMs));
    if (plaintext.length !== custody.shareLength) {
      throw new SealwatchError('share_length_mismatch', `share ${action.index} unwrapped to ${plaintext.length} bytes, custody records ${custody.shareLength}`);
    }
    const wrapped = await target.wrap(plaintext, context, deadline(ctx.wrapperTimeoutMs));
    proof = await target.unwrap(wrapped, context, deadline(ctx.wrapperTimeoutMs));
    if (!equalBytes(proof, plaintext)) {
      throw new SealwatchError('rewrap_mismatch', `share ${action.index}: ${target.id} did not give back what it wrapped; the share was left as it was`);
    }
    await held.check();
    await ctx.repo.putShare(
      clusterId,
      { index: action.index, wrapper: wrapped.wrapper, keyId: wrapped.keyId, ciphertext: wrapped.ciphertext, wrappedAt: ctx.nowIso() },
      { kind: 'version', version: action.ifVersion },
    );
    return wrapped.keyId;
  } finally {
    plaintext?.fill(0);
    proof?.fill(0);
  }
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
