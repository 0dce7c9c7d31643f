import type { CustodyKind, CustodyMeta, ShareRecord } from '../core/custody-types.ts';
import type { CustodyWriteAction, CustodyWritePlan } from '../core/plan-custody-write.ts';
import { ConflictError, describeError } from '../errors.ts';
import type { WrappedSecret } from '../ports/key-wrapper.ts';
import { beginCustodyAudit } from './custody-audit.ts';
import type { CustodyContext } from './custody-context.ts';
import { writtenShares } from './custody-write.ts';
import { LeaseLostError, type HeldLease } from './held-lease.ts';

/** What the plan's actions write: ciphertexts and facts only, wrapped by the plan's wrappers. */
export interface CustodyPayload {
  /** The metadata's facts; present when the plan has a `write-meta` action. */
  meta?: { kind: CustodyKind; threshold: number; shareLength: number; keyCheck: string };
  /** One record per `write-share` action. */
  records: readonly ShareRecord[];
  /** Present when the plan has a `write-token` action. */
  rootToken?: WrappedSecret;
}

export interface AppliedCustodyWrite {
  generation: number | null;
  replaced: boolean;
  /** Share indexes of an earlier custody that were deleted. */
  removed: number[];
  /** The actions applied, in order: on success, every action of the plan. */
  applied: CustodyWriteAction[];
  /** Housekeeping after the metadata that failed (the custody itself is complete). */
  warnings: string[];
}

/** A write plan, or the bare actions of one that stores no shares (a token kept at a PGP init). */
export type ApplicablePlan = Pick<Extract<CustodyWritePlan, { outcome: 'write' }>, 'actions'> & { generation: number | null; replaces: number | null };

/**
 * The custody executor: applies a write plan in its order under the cluster lease `held`,
 * checking the fencing before every write, so an operation that lost its lease stops before its
 * next write. The plan's order is the safety argument (see `planCustodyWrite`): metadata last,
 * conditioned on the version read.
 *
 * @throws ConflictError `custody-partial` when a write before the metadata failed or the lease was
 *   lost after some writes (a rerun repairs it), `changed-concurrently` when it was lost before
 *   the first write (nothing was written).
 */
export async function applyCustodyWrite(
  ctx: CustodyContext,
  held: HeldLease,
  clusterId: string,
  plan: ApplicablePlan,
  payload: CustodyPayload,
): Promise<AppliedCustodyWrite> {
  const records = recordsFor(plan, payload);
  const applied: CustodyWriteAction[] = [];
  const warnings: string[] = [];
  let metaWritten = false;
  const audit = await beginCustodyAudit(ctx, clusterId, {
    action: 'custody-write',
    shareIndexes: writtenShares(plan).map((share) => share.index),
    wrappers: plan.actions.flatMap((a) => (a.kind === 'write-share' || a.kind === 'write-token' ? [a.wrapper] : [])),
    message: summaryOf(plan, plan.actions),
  });
  for (const action of plan.actions) {
    try {
      await held.check();
      await apply(ctx, clusterId, action, records, payload);
    } catch (error) {
      if (metaWritten) {
        // The custody is complete; a stale block or guard left here no longer stands for the new
        // generation, and the next unseal deletes those of older generations.
        warnings.push(`custody generation ${plan.generation} is stored, but "${describeAction(action)}" failed: ${describeError(error)}`);
        break;
      }
      const failed = failure(clusterId, plan.generation, applied.length, error);
      await audit.finish(applied.length === 0 ? 'not-written' : 'partial', `${summaryOf(plan, applied)} before it stopped: ${describeError(failed)}`);
      throw failed;
    }
    applied.push(action);
    if (action.kind === 'write-meta') metaWritten = true;
    ctx.options.logger?.debug('custody.action-applied', { cluster: clusterId, operation: held.owner, ...printable(action) });
  }
  const removed = applied.flatMap((a) => (a.kind === 'delete-share' ? [a.index] : []));
  await audit.finish(warnings.length === 0 ? 'written' : 'written-with-warnings', [summaryOf(plan, applied), ...warnings].join('; '));
  return { generation: plan.generation, replaced: plan.replaces !== null, removed, applied, warnings };
}

async function apply(
  ctx: CustodyContext,
  clusterId: string,
  action: CustodyWriteAction,
  records: ReadonlyMap<number, ShareRecord>,
  payload: CustodyPayload,
): Promise<void> {
  switch (action.kind) {
    case 'write-share':
      await ctx.repo.putShare(clusterId, records.get(action.index) as ShareRecord);
      return;
    case 'delete-share':
      await ctx.repo.deleteShare(clusterId, action.index);
      return;
    case 'write-token':
      await ctx.repo.putToken(clusterId, action.name, payload.rootToken as WrappedSecret);
      return;
    case 'write-meta': {
      const facts = payload.meta as NonNullable<CustodyPayload['meta']>;
      const meta: CustodyMeta = { ...facts, shares: payload.records.length, createdAt: ctx.nowIso(), generation: action.generation };
      await ctx.repo.putMeta(clusterId, meta, action.ifVersion === null ? { kind: 'absent' } : { kind: 'version', version: action.ifVersion });
      return;
    }
    case 'clear-block':
      await ctx.repo.clearBlock(clusterId);
      return;
    case 'delete-guard':
      await ctx.repo.deleteGuard(clusterId, action.node);
      return;
  }
}

/** Each `write-share` action's record; the payload must have been wrapped for exactly this plan. */
function recordsFor(plan: ApplicablePlan, payload: CustodyPayload): Map<number, ShareRecord> {
  const byIndex = new Map(payload.records.map((r) => [r.index, r]));
  const writes = plan.actions.filter((a) => a.kind === 'write-share');
  const mismatched = writes.filter((a) => byIndex.get(a.index)?.wrapper !== a.wrapper);
  const tokenMissing = plan.actions.some((a) => a.kind === 'write-token') && payload.rootToken === undefined;
  const metaMissing = plan.actions.some((a) => a.kind === 'write-meta') && payload.meta === undefined;
  if (mismatched.length > 0 || writes.length !== payload.records.length || tokenMissing || metaMissing) {
    // A programming error: the payload was not prepared from this plan. Nothing is written.
    throw new Error(`custody payload does not match its plan (shares ${mismatched.map((a) => a.index).join(', ') || 'count'}${tokenMissing ? ', token' : ''})`);
  }
  return byIndex;
}

function failure(clusterId: string, generation: number | null, appliedCount: number, error: unknown): unknown {
  if (appliedCount === 0) {
    if (!(error instanceof LeaseLostError)) return error;
    return new ConflictError(`custody of cluster ${clusterId} was not written (${describeError(error)}); nothing was changed`, {
      cause: error,
      reason: 'changed-concurrently',
    });
  }
  // Only a rerun of the write repairs it; entry points name their way of asking for one.
  return new ConflictError(
    `custody of cluster ${clusterId} is only partly written (${generation === null ? 'token' : `generation ${generation}`}, stopped after ${appliedCount} writes: ${describeError(error)})`,
    { cause: error, reason: 'custody-partial' },
  );
}

/** The action's identifiers for a log line (its reason is for people). */
function printable(action: CustodyWriteAction): Record<string, unknown> {
  const { reason: _reason, ...ids } = action;
  return { action: ids.kind, ...ids };
}

/** What a plan's actions (or those applied of it) write, for the audit trail: counts and ids only. */
function summaryOf(plan: ApplicablePlan, actions: readonly CustodyWriteAction[]): string {
  const count = (kind: CustodyWriteAction['kind']) => actions.filter((a) => a.kind === kind).length;
  const parts = [
    `${count('write-share')} share(s) written`,
    ...(count('delete-share') > 0 ? [`${count('delete-share')} removed`] : []),
    ...(count('write-token') > 0 ? ['root token kept'] : []),
    ...(count('write-meta') > 0 ? ['metadata written'] : []),
    ...(count('clear-block') > 0 ? ['unseal block cleared'] : []),
    ...(count('delete-guard') > 0 ? [`${count('delete-guard')} node guard(s) cleared`] : []),
  ];
  const generation = plan.generation === null ? 'token only' : `generation ${plan.generation}${plan.replaces === null ? '' : ` replacing ${plan.replaces}`}`;
  return `custody ${generation}: ${parts.join(', ')}`;
}

function describeAction(action: CustodyWriteAction): string {
  return action.kind === 'delete-guard' ? `delete guard of node ${action.node}` : action.kind;
}
