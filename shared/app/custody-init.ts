import { randomBytes } from 'node:crypto';
import { resolveCustodyPolicy, tokenWrapperOf, type CustodyAssignment } from '../core/custody-policy.ts';
import { shareContext, tokenContext, type CustodyKind } from '../core/custody-types.ts';
import { initOutputFromResponse, wipeInitOutput, type InitOutput } from '../core/init-output.ts';
import { pinnedTarget } from '../core/pinned-target.ts';
import { checkShareConsistency, equalBytes, validateShares, type ConsistencyReport } from '../core/share-validation.ts';
import type { InitRequest, InitResponse } from '../core/vault-types.ts';
import { ConflictError, describeError, SealwatchError, UnavailableError, ValidationError } from '../errors.ts';
import { deadline, type CustodyContext, type CustodyCluster } from './custody-context.ts';
import { surveyNodes, type NodeSeal } from './custody-nodes.ts';
import type { StoredShare } from './custody-import.ts';
import { existingCustodyError, wrapShares, wrapToken, writeCustody } from './custody-write.ts';

export interface InitClusterRequest {
  clusterId: string;
  /** Unseal shares (Shamir seal) or recovery shares (auto-unseal seal). */
  shares: number;
  threshold: number;
  /** Base64 PGP public keys of human custodians, one per share: then nothing is stored. */
  pgpKeys?: string[];
  storeRootToken?: boolean;
  /** Overwrite custody left from an earlier cluster of the same id. */
  replace?: boolean;
}

interface InitCommon {
  cluster: string;
  node: string;
  kind: CustodyKind;
  sealType: string;
  threshold: number;
  shares: number;
  /**
   * The root token when it was not stored: shown once by the caller, then gone. Null when it
   * went into custody.
   */
  rootToken: string | null;
  warnings: string[];
}

/** How `init` ended. Only `custody-failed` carries shares, because otherwise they would be lost. */
export type InitClusterResult =
  | (InitCommon & {
      outcome: 'custody-created';
      generation: number;
      replaced: boolean;
      stored: StoredShare[];
      consistency: Omit<ConsistencyReport, 'keyCheck'>;
    })
  | (InitCommon & {
      outcome: 'pgp-encrypted';
      /** Vault's PGP-encrypted shares (base64), in custodian order; sealwatch cannot read them. */
      encryptedShares: string[];
    })
  | (InitCommon & {
      outcome: 'custody-failed';
      /** Why the shares could not be put into custody after Vault handed them out. */
      error: string;
      /** The shares in base64, to be shown once: Vault will never hand them out again. */
      sharesBase64: string[];
    });

const STORE_ATTEMPTS = 3;

/**
 * `init`: initialises an uninitialised cluster through `sys/init` on its first configured node
 * and puts the shares straight into custody.
 *
 * Everything that can be checked is checked before Vault is called, because Vault hands the
 * shares out exactly once: every configured node must answer and none may be initialised; the
 * policy must place every share; every wrapper involved must wrap and unwrap a canary under the
 * very context it will use. If custody still cannot be written afterwards (after retries), the
 * shares are returned as `custody-failed` so the caller can show them once rather than lose the
 * cluster.
 */
export async function initializeCluster(ctx: CustodyContext, request: InitClusterRequest): Promise<InitClusterResult> {
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

  return ctx.withClusterLease(cluster.id, async () => {
    const client = ctx.options.vault.client(pinnedTarget(cluster, node.node));
    const response = await client.init(body, { signal: deadline(ctx.initTimeoutMs) });
    ctx.options.logger?.info('custody.cluster-initialized', { cluster: cluster.id, node: node.node, kind, shares: n, threshold: t, pgp });
    const common: InitCommon = {
      cluster: cluster.id,
      node: node.node,
      kind,
      sealType: node.type ?? 'unknown',
      threshold: t,
      shares: n,
      rootToken: null,
      warnings: [],
    };
    if (pgp || !assignment) return finishPgp(ctx, common, response, tokenWrapper);
    return finishCustody(ctx, common, response, assignment, tokenWrapper, request.replace === true);
  });
}

function checkCounts(n: number, t: number, pgpKeys: readonly string[] | undefined): void {
  const problems: string[] = [];
  if (!Number.isInteger(n) || n < 1 || n > 255) problems.push('shares: must be a whole number from 1 to 255');
  if (!Number.isInteger(t) || t < 1 || t > 255) problems.push('threshold: must be a whole number from 1 to 255');
  else if (t > n) problems.push(`threshold ${t} cannot be larger than shares ${n}`);
  else if (t === 1 && n > 1) problems.push('threshold must be greater than one for multiple shares (Vault refuses 1-of-N)');
  if (pgpKeys && pgpKeys.length > 0 && pgpKeys.length !== n) problems.push(`${pgpKeys.length} PGP keys for ${n} shares: give exactly one per share`);
  if (problems.length > 0) throw new ValidationError('invalid init parameters', problems);
}

/** The first configured node, once every node has answered and none is initialised. */
function pickNode(cluster: CustodyCluster, nodes: readonly NodeSeal[]): NodeSeal {
  const silent = nodes.filter((n) => !n.reachable);
  if (silent.length > 0) {
    throw new UnavailableError(
      `every node of cluster ${cluster.id} must answer before init, so that an initialised node is never missed: ${silent.map((n) => `${n.node}: ${n.error ?? 'no answer'}`).join('; ')}`,
    );
  }
  const initialized = nodes.filter((n) => n.initialized);
  if (initialized.length > 0) {
    throw new ConflictError(`cluster ${cluster.id} is already initialised (${initialized.map((n) => n.node).join(', ')})`, {
      reason: 'already-initialized',
    });
  }
  const seals = new Set(nodes.map((n) => `${n.type}/${String(n.recoverySeal)}`));
  if (seals.size > 1) {
    throw new ValidationError(
      `the nodes of cluster ${cluster.id} report different seal types`,
      nodes.map((n) => `node ${n.node}: ${n.type} (recovery_seal ${String(n.recoverySeal)})`),
    );
  }
  const first = nodes[0];
  if (!first) throw new ValidationError(`cluster ${cluster.id} has no nodes`);
  return first;
}

/** Wraps and unwraps random bytes under each wrapper involved, with the exact contexts it will use. */
async function canary(
  ctx: CustodyContext,
  clusterId: string,
  kind: CustodyKind,
  shares: CustodyAssignment['shares'],
  tokenWrapper: string | undefined,
): Promise<void> {
  const firstIndex = new Map<string, number>();
  for (const s of shares) if (!firstIndex.has(s.wrapper)) firstIndex.set(s.wrapper, s.index);
  const checks = [...firstIndex].map(([wrapper, index]) => ({ wrapper, context: shareContext(clusterId, kind, index) }));
  if (tokenWrapper) checks.push({ wrapper: tokenWrapper, context: tokenContext(clusterId, 'root') });
  const failures: string[] = [];
  await Promise.all(
    checks.map(async ({ wrapper, context }) => {
      const probe = randomBytes(33);
      try {
        const w = ctx.wrapper(wrapper);
        const wrapped = await w.wrap(probe, context, deadline(ctx.wrapperTimeoutMs));
        const back = await w.unwrap(wrapped, context, deadline(ctx.wrapperTimeoutMs));
        const same = equalBytes(back, probe);
        back.fill(0);
        if (!same) failures.push(`${wrapper}: unwrapped bytes differ from what was wrapped`);
      } catch (error) {
        failures.push(`${wrapper}: ${describeError(error)}`);
      } finally {
        probe.fill(0);
      }
    }),
  );
  if (failures.length > 0) {
    throw new UnavailableError(`custody wrapper check failed, so Vault was not initialised: ${failures.join('; ')}`, {
      code: 'wrapper_unavailable',
    });
  }
}

async function finishPgp(ctx: CustodyContext, common: InitCommon, response: InitResponse, tokenWrapper: string | undefined): Promise<InitClusterResult> {
  const encryptedShares = common.kind === 'recovery' ? (response.recoveryKeysBase64 ?? []) : response.keysBase64;
  const result: InitClusterResult = { ...common, outcome: 'pgp-encrypted', encryptedShares };
  if (!tokenWrapper) return { ...result, rootToken: response.rootToken };
  try {
    const token = await wrapToken(ctx, common.cluster, tokenWrapper, response.rootToken);
    await ctx.repo.putToken(common.cluster, 'root', token);
    return result;
  } catch (error) {
    return { ...result, rootToken: response.rootToken, warnings: [`the root token could not be stored (${describeError(error)}): it is shown instead`] };
  }
}

async function finishCustody(
  ctx: CustodyContext,
  common: InitCommon,
  response: InitResponse,
  assignment: CustodyAssignment,
  tokenWrapper: string | undefined,
  replace: boolean,
): Promise<InitClusterResult> {
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
        const records = await wrapShares(ctx, common.cluster, common.kind, output.shares, assignment.shares);
        const token = tokenWrapper ? await wrapToken(ctx, common.cluster, tokenWrapper, response.rootToken) : undefined;
        const written = await writeCustody(
          ctx,
          common.cluster,
          {
            kind: common.kind,
            threshold: common.threshold,
            shareLength: shape.shareLength,
            keyCheck: consistency.keyCheck,
            records,
            ...(token ? { rootToken: token } : {}),
          },
          replace || attempt > 1,
        );
        const { keyCheck: _omit, ...checked } = consistency;
        return {
          ...common,
          outcome: 'custody-created',
          rootToken: tokenWrapper ? null : response.rootToken,
          warnings: assignment.warnings,
          generation: written.generation,
          replaced: written.replaced,
          stored: records.map((r) => ({ index: r.index, wrapper: r.wrapper, keyId: r.keyId })),
          consistency: checked,
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
