import type { CustodyKind } from '../core/custody-types.ts';
import { parseInitOutput, wipeInitOutput, type InitOutput } from '../core/init-output.ts';
import { planCustodyWrite, type CustodyWriteAction, type CustodyWritePlan } from '../core/plan-custody-write.ts';
import type { ConsistencyReport } from '../core/share-validation.ts';
import type { CustodyContext } from './custody-context.ts';
import { applyCustodyWrite } from './custody-executor.ts';
import { checkImport, type CheckedImport, type ImportRequest } from './custody-import-check.ts';
import type { NodeSeal } from './custody-nodes.ts';
import { readCustodyForWrite, refusalError, wrapShares, wrapToken, writtenShares } from './custody-write.ts';

export type { ImportRequest } from './custody-import-check.ts';

export interface StoredShare {
  index: number;
  wrapper: string;
  keyId: string;
}

/** What a `keys import` and its dry run both say: the custody, the checks and the writes. */
interface ImportFacts {
  cluster: string;
  kind: CustodyKind;
  format: 'cli' | 'http';
  threshold: number;
  thresholdSource: 'input' | 'flag' | 'node';
  shares: number;
  shareLength: number;
  generation: number;
  rootToken: 'stored' | 'ignored' | 'absent';
  consistency: Omit<ConsistencyReport, 'keyCheck'>;
  /** Seal status of each node as used for the cross-check. */
  nodes: NodeSeal[];
  warnings: string[];
  /** The custody writes, in order: planned by a dry run, applied by the import (the same list). */
  actions: CustodyWriteAction[];
}

export interface ImportResult extends ImportFacts {
  replaced: boolean;
  /** Share indexes of the replaced custody that no longer exist. */
  removed: number[];
  stored: StoredShare[];
}

/** What `keys import` would do: the same checks and the same plan, nothing wrapped or written. */
export interface ImportPlan extends ImportFacts {
  dryRun: true;
  /** The generation the import would replace, null for a first custody. */
  replaces: number | null;
}

/**
 * `keys import --dry-run`: the checks and the write plan of {@link importShares}, from the same
 * code, without wrapping or writing anything. Refuses where the real run would refuse.
 */
export async function planImport(ctx: CustodyContext, request: ImportRequest): Promise<ImportPlan> {
  return withCheckedInput(ctx, request, async (output, checked) => {
    const plan = await planFor(ctx, checked, request, output.kind);
    return {
      dryRun: true,
      ...factsOf(output, checked),
      generation: plan.generation,
      replaces: plan.replaces,
      warnings: [...checked.warnings, ...plan.warnings],
      actions: plan.actions,
    };
  });
}

/**
 * `keys import`: parse → check ({@link checkImport}) → under the cluster lease: read custody →
 * plan the writes → wrap every share the plan writes (nothing written if any wrap fails) →
 * apply the plan. Every plaintext share is zeroed before this returns, on every path.
 */
export async function importShares(ctx: CustodyContext, request: ImportRequest): Promise<ImportResult> {
  return withCheckedInput(ctx, request, async (output, checked) => {
    const { cluster } = checked;
    const { kind, shares, rootToken } = output;
    const result = await ctx.withClusterLease(cluster.id, async (held) => {
      // Planned under the lease and before any wrap call, so a refusal costs nothing.
      const plan = await planFor(ctx, checked, request, kind);
      const records = await wrapShares(ctx, cluster.id, kind, shares, writtenShares(plan));
      const token = checked.tokenWrapper && rootToken ? await wrapToken(ctx, cluster.id, checked.tokenWrapper, rootToken) : undefined;
      const written = await applyCustodyWrite(ctx, held, cluster.id, plan, {
        meta: { kind, threshold: checked.threshold, shareLength: checked.shareLength, keyCheck: checked.consistency.keyCheck },
        records,
        ...(token ? { rootToken: token } : {}),
      });
      return { records, written, generation: plan.generation, warnings: plan.warnings };
    });

    ctx.options.logger?.info('custody.imported', {
      cluster: cluster.id,
      kind,
      generation: result.generation,
      shares: shares.length,
      threshold: checked.threshold,
      wrappers: [...new Set(result.records.map((r) => r.wrapper))],
      rootToken: checked.tokenWrapper ? 'stored' : 'not-stored',
    });
    return {
      ...factsOf(output, checked),
      generation: result.generation,
      replaced: result.written.replaced,
      removed: result.written.removed,
      stored: result.records.map((r) => ({ index: r.index, wrapper: r.wrapper, keyId: r.keyId })),
      warnings: [...checked.warnings, ...result.warnings, ...result.written.warnings],
      actions: result.written.applied,
    };
  });
}

/**
 * Parses and checks the input, then runs `use` with both. Every plaintext share is zeroed when
 * it returns, on every path: the one place an import's shares are wiped.
 */
async function withCheckedInput<T>(ctx: CustodyContext, request: ImportRequest, use: (output: InitOutput, checked: CheckedImport) => Promise<T>): Promise<T> {
  ctx.cluster(request.clusterId);
  let output: InitOutput | undefined;
  try {
    output = parseInitOutput(request.input);
    return await use(output, await checkImport(ctx, request, output));
  } finally {
    wipeInitOutput(output);
  }
}

/** What the input and its checks say, as both the import and its dry run report it. */
function factsOf(output: InitOutput, checked: CheckedImport): Omit<ImportFacts, 'generation' | 'warnings' | 'actions'> {
  const { keyCheck: _omit, ...consistency } = checked.consistency;
  return {
    cluster: checked.cluster.id,
    kind: output.kind,
    format: output.format,
    threshold: checked.threshold,
    thresholdSource: checked.thresholdSource,
    shares: output.shares.length,
    shareLength: checked.shareLength,
    rootToken: rootTokenOutcome(output, checked),
    consistency,
    nodes: checked.nodes,
  };
}

/** Reads custody and plans the import's writes; a refusal is thrown in domain terms. */
async function planFor(
  ctx: CustodyContext,
  checked: CheckedImport,
  request: ImportRequest,
  kind: CustodyKind,
): Promise<Extract<CustodyWritePlan, { outcome: 'write' }>> {
  const read = await readCustodyForWrite(ctx, checked.cluster.id);
  const plan = planCustodyWrite(read, {
    kind,
    threshold: checked.threshold,
    assignment: checked.assignment.shares,
    keyCheck: checked.consistency.keyCheck,
    ...(checked.tokenWrapper ? { tokenWrapper: checked.tokenWrapper } : {}),
    replace: request.replace === true,
    rekeyed: request.rekeyed === true,
  });
  if (plan.outcome === 'refused') throw refusalError(checked.cluster.id, plan);
  return plan;
}

/** Whether the input's root token is kept (wrapped), left out, or was not in the input. */
function rootTokenOutcome(output: InitOutput, checked: CheckedImport): ImportResult['rootToken'] {
  return output.rootToken === undefined ? 'absent' : checked.tokenWrapper ? 'stored' : 'ignored';
}
