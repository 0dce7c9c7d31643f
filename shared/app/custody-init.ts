import type { CustodyAssignment } from '../core/custody-policy.ts';
import { resolveCustodyPolicy, tokenWrapperOf } from '../core/custody-policy.ts';
import type { CustodyKind } from '../core/custody-types.ts';
import { initOutputFromResponse, wipeInitOutput, type InitOutput } from '../core/init-output.ts';
import { pinnedTarget } from '../core/pinned-target.ts';
import { planCustodyWrite, planTokenOnlyWrite } from '../core/plan-custody-write.ts';
import { checkShareConsistency, validateShares } from '../core/share-validation.ts';
import type { InitRequest, InitResponse } from '../core/vault-types.ts';
import { ConflictError, describeError, SealwatchError } from '../errors.ts';
import { deadline, type CustodyCluster, type CustodyContext } from './custody-context.ts';
import { applyCustodyWrite, type ApplicablePlan } from './custody-executor.ts';
import { canary, checkCounts, pickNode } from './custody-init-check.ts';
import type { InitClusterRequest, InitClusterResult, InitCommon, InitPlan } from './custody-init-types.ts';
import { surveyNodes, type NodeSeal } from './custody-nodes.ts';
import { existingCustodyError, readCustodyForWrite, refusalError, wrapShares, wrapToken, writtenShares } from './custody-write.ts';
import type { HeldLease } from './held-lease.ts';

export type { InitClusterRequest, InitClusterResult, InitPlan } from './custody-init-types.ts';

const STORE_ATTEMPTS = 3;

/** Everything decided before Vault is called; the same for a dry run and a real one. */
interface CheckedInit {
  cluster: CustodyCluster;
  node: NodeSeal;
  kind: CustodyKind;
  pgp: boolean;
  assignment: CustodyAssignment | undefined;
  tokenWrapper: string | undefined;
  body: InitRequest;
}

/**
 * Every check `init` makes before calling Vault: counts; every node pinned; existing custody
 * refused without `replace`; every node answers and none is initialised; the policy places every
 * share; every wrapper involved wraps and unwraps a canary under the very context it will use.
 * Reads nodes and custody and calls wrappers; writes nothing.
 */
async function checkInit(ctx: CustodyContext, request: InitClusterRequest): Promise<CheckedInit> {
  const cluster = ctx.cluster(request.clusterId);
  const { shares: n, threshold: t } = request;
  checkCounts(n, t, request.pgpKeys);
  // Any configured node may be the one initialised, and its answer carries the shares and the
  // root token: every node must be pinned before anything else is done.
  for (const node of cluster.nodes) pinnedTarget(cluster, node.id);
  const pgp = request.pgpKeys !== undefined && request.pgpKeys.length > 0;

  const existing = await ctx.repo.meta(cluster.id);
  if (existing && !request.replace && !pgp) throw existingCustodyError(cluster.id, existing.data);

  const node = pickNode(cluster, await surveyNodes(ctx, cluster));
  const kind: CustodyKind = node.recoverySeal ? 'recovery' : 'unseal';
  const needsWrappers = !pgp || request.storeRootToken === true;
  const assignment = needsWrappers
    ? resolveCustodyPolicy({ clusterId: cluster.id, policy: cluster.custody, wrapperIds: ctx.options.wrappers.ids(), shareCount: n })
    : undefined;
  const tokenWrapper = request.storeRootToken && assignment ? tokenWrapperOf(cluster.custody, assignment) : undefined;
  await canary(ctx, cluster.id, kind, pgp ? [] : (assignment?.shares ?? []), tokenWrapper);

  const body: InitRequest =
    kind === 'recovery'
      ? { recoveryShares: n, recoveryThreshold: t, ...(pgp ? { recoveryPgpKeys: request.pgpKeys } : {}) }
      : { secretShares: n, secretThreshold: t, ...(pgp ? { pgpKeys: request.pgpKeys } : {}) };
  return { cluster, node, kind, pgp, assignment, tokenWrapper, body };
}

/**
 * The writes after Vault answers, planned from custody as read now. The new key is unknown
 * before Vault answers, so it is not compared with the custody replaced (that is another
 * cluster's custody by definition: `replace` is asked for explicitly).
 */
async function planInitWrites(ctx: CustodyContext, checked: CheckedInit, request: InitClusterRequest, replace: boolean): Promise<ApplicablePlan> {
  if (checked.pgp || !checked.assignment) {
    return { generation: null, replaces: null, actions: checked.tokenWrapper ? planTokenOnlyWrite(checked.tokenWrapper) : [] };
  }
  const plan = planCustodyWrite(await readCustodyForWrite(ctx, checked.cluster.id), {
    kind: checked.kind,
    threshold: request.threshold,
    assignment: checked.assignment.shares,
    keyCheck: null,
    ...(checked.tokenWrapper ? { tokenWrapper: checked.tokenWrapper } : {}),
    replace,
    rekeyed: false,
  });
  if (plan.outcome === 'refused') throw refusalError(checked.cluster.id, plan);
  return plan;
}

/**
 * `init --dry-run`: the checks of {@link initializeCluster} (nodes, policy, wrapper canaries)
 * and the custody writes it would make once Vault answers, from the same code. Vault is not
 * called: the shares, the root token and the key check do not exist yet, so the plan names
 * indexes, wrappers and generations only.
 */
export async function planInit(ctx: CustodyContext, request: InitClusterRequest): Promise<InitPlan> {
  const checked = await checkInit(ctx, request);
  const plan = await planInitWrites(ctx, checked, request, request.replace === true);
  return {
    dryRun: true,
    cluster: checked.cluster.id,
    node: checked.node.node,
    kind: checked.kind,
    sealType: checked.node.type ?? 'unknown',
    threshold: request.threshold,
    shares: request.shares,
    pgp: checked.pgp,
    generation: plan.generation,
    replaces: plan.replaces,
    actions: plan.actions,
    rootToken: checked.tokenWrapper ? 'stored' : 'shown-once',
    warnings: checked.assignment?.warnings ?? [],
  };
}

/**
 * `init`: initialises an uninitialised cluster through `sys/init` on its first configured node
 * and puts the shares straight into custody.
 *
 * Everything that can be checked is checked before Vault is called ({@link checkInit}), because
 * Vault hands the shares out exactly once; the custody writes are planned under the lease before
 * the call too, so a refusal costs nothing. If custody still cannot be written afterwards (after
 * retries), the shares are returned as `custody-failed` so the caller can show them once rather
 * than lose the cluster.
 */
export async function initializeCluster(ctx: CustodyContext, request: InitClusterRequest): Promise<InitClusterResult> {
  const checked = await checkInit(ctx, request);
  const { cluster, node, kind, pgp } = checked;
  return ctx.withClusterLease(cluster.id, async (held) => {
    const plan = await planInitWrites(ctx, checked, request, request.replace === true);
    const client = ctx.options.vault.client(pinnedTarget(cluster, node.node));
    const response = await client.init(checked.body, { signal: deadline(ctx.initTimeoutMs) });
    ctx.options.logger?.info('custody.cluster-initialized', {
      cluster: cluster.id,
      node: node.node,
      kind,
      shares: request.shares,
      threshold: request.threshold,
      pgp,
    });
    const common: InitCommon = {
      cluster: cluster.id,
      node: node.node,
      kind,
      sealType: node.type ?? 'unknown',
      threshold: request.threshold,
      shares: request.shares,
      rootToken: null,
      warnings: [],
    };
    if (pgp || !checked.assignment) return finishPgp(ctx, held, common, response, checked.tokenWrapper, plan);
    return finishCustody(ctx, held, { common, response, checked, request }, plan);
  });
}

async function finishPgp(
  ctx: CustodyContext,
  held: HeldLease,
  common: InitCommon,
  response: InitResponse,
  tokenWrapper: string | undefined,
  plan: ApplicablePlan,
): Promise<InitClusterResult> {
  const encryptedShares = common.kind === 'recovery' ? (response.recoveryKeysBase64 ?? []) : response.keysBase64;
  const result: InitClusterResult = { ...common, outcome: 'pgp-encrypted', encryptedShares, actions: [] };
  if (!tokenWrapper) return { ...result, rootToken: response.rootToken };
  try {
    const token = await wrapToken(ctx, common.cluster, tokenWrapper, response.rootToken);
    const written = await applyCustodyWrite(ctx, held, common.cluster, plan, { records: [], rootToken: token });
    return { ...result, actions: written.applied };
  } catch (error) {
    return { ...result, rootToken: response.rootToken, warnings: [`the root token could not be stored (${describeError(error)}): it is shown instead`] };
  }
}

interface Answered {
  common: InitCommon;
  response: InitResponse;
  checked: CheckedInit;
  request: InitClusterRequest;
}

async function finishCustody(ctx: CustodyContext, held: HeldLease, answered: Answered, firstPlan: ApplicablePlan): Promise<InitClusterResult> {
  const { common, response, checked, request } = answered;
  const replace = request.replace === true;
  let output: InitOutput | undefined;
  let lastError: unknown;
  try {
    output = initOutputFromResponse(response);
    if (output.kind !== common.kind || output.shares.length !== common.shares) {
      throw new SealwatchError(
        'init_unexpected',
        `Vault answered with ${output.shares.length} ${output.kind} shares, ${common.shares} ${common.kind} shares were asked for`,
      );
    }
    const shape = validateShares(output.shares, common.threshold);
    const consistency = await checkShareConsistency(output.shares, common.threshold);
    for (let attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
      try {
        // A retry plans again from what the failed attempt left, replacing it.
        const plan = attempt === 1 ? firstPlan : await planInitWrites(ctx, checked, request, true);
        const records = await wrapShares(ctx, common.cluster, common.kind, output.shares, writtenShares(plan));
        const token = checked.tokenWrapper ? await wrapToken(ctx, common.cluster, checked.tokenWrapper, response.rootToken) : undefined;
        const written = await applyCustodyWrite(ctx, held, common.cluster, plan, {
          meta: { kind: common.kind, threshold: common.threshold, shareLength: shape.shareLength, keyCheck: consistency.keyCheck },
          records,
          ...(token ? { rootToken: token } : {}),
        });
        const { keyCheck: _omit, ...checkedShares } = consistency;
        return {
          ...common,
          outcome: 'custody-created',
          rootToken: checked.tokenWrapper ? null : response.rootToken,
          warnings: [...(checked.assignment?.warnings ?? []), ...written.warnings],
          generation: written.generation as number,
          replaced: written.replaced,
          stored: records.map((r) => ({ index: r.index, wrapper: r.wrapper, keyId: r.keyId })),
          consistency: checkedShares,
          actions: written.applied,
        };
      } catch (error) {
        lastError = error;
        if (error instanceof ConflictError && attempt === 1 && !replace) break;
        ctx.options.logger?.warn('custody.init-store-retry', { cluster: common.cluster, attempt, error: describeError(error) });
        if (attempt < STORE_ATTEMPTS) await ctx.options.clock.sleep(1_000 * attempt);
      }
    }
  } catch (error) {
    lastError = error;
  } finally {
    wipeInitOutput(output);
  }
  ctx.options.logger?.error('custody.init-store-failed', { cluster: common.cluster, error: describeError(lastError) });
  const sharesBase64 = common.kind === 'recovery' ? (response.recoveryKeysBase64 ?? []) : response.keysBase64;
  return {
    ...common,
    outcome: 'custody-failed',
    error: describeError(lastError),
    sharesBase64,
    rootToken: response.rootToken,
  };
}
