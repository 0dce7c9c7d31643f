import { resolveCustodyPolicy, tokenWrapperOf } from '../core/custody-policy.ts';
import { isBlocked, standingBlocks, type CustodyKind } from '../core/custody-types.ts';
import { parseInitOutput, wipeInitOutput, type InitOutput } from '../core/init-output.ts';
import { checkShareConsistency, validateShares, type ConsistencyReport } from '../core/share-validation.ts';
import { UnavailableError, ValidationError } from '../errors.ts';
import type { CustodyContext } from './custody-context.ts';
import { initializedNodes, sealMismatches, surveyNodes, type NodeSeal } from './custody-nodes.ts';
import { existingCustodyError, keyChangedError, wrapShares, wrapToken, writeCustody } from './custody-write.ts';

export interface ImportRequest {
  clusterId: string;
  /** stdin: `vault operator init -format=json` or a `sys/init` answer. */
  input: string;
  /** Needed when the input has no threshold and no node answers. */
  threshold?: number;
  replace?: boolean;
  /**
   * With `replace`: the cluster was rekeyed (`vault operator rekey`), so the new shares may
   * rebuild a different key than the custody they replace. Without it such a replace is refused.
   */
  rekeyed?: boolean;
  storeRootToken?: boolean;
  /** Import even though no node answered (the seal-status cross-check is skipped). */
  force?: boolean;
}

export interface StoredShare {
  index: number;
  wrapper: string;
  keyId: string;
}

export interface ImportResult {
  cluster: string;
  kind: CustodyKind;
  format: 'cli' | 'http';
  threshold: number;
  thresholdSource: 'input' | 'flag' | 'node';
  shares: number;
  shareLength: number;
  generation: number;
  replaced: boolean;
  /** Share indexes of the replaced custody that no longer exist. */
  removed: number[];
  stored: StoredShare[];
  rootToken: 'stored' | 'ignored' | 'absent';
  consistency: Omit<ConsistencyReport, 'keyCheck'>;
  /** Seal status of each node as used for the cross-check. */
  nodes: NodeSeal[];
  warnings: string[];
}

/**
 * `keys import`: parse → validate (shape, threshold subsets) → cross-check with the nodes →
 * resolve the custody policy → wrap every share (nothing written if any wrap fails) → write.
 * Every plaintext share is zeroed before this returns, on every path.
 */
export async function importShares(ctx: CustodyContext, request: ImportRequest): Promise<ImportResult> {
  const cluster = ctx.cluster(request.clusterId);
  let output: InitOutput | undefined;
  try {
    output = parseInitOutput(request.input);
    const warnings: string[] = [];
    const shares = output.shares;

    if (request.threshold !== undefined && output.threshold !== undefined && request.threshold !== output.threshold) {
      throw new ValidationError(
        'the threshold given contradicts the input',
        [`threshold ${request.threshold} was given, but the input says threshold ${output.threshold}`],
        { field: 'threshold' },
      );
    }
    // Local checks first: a malformed input fails without touching the network.
    const known = output.threshold ?? request.threshold;
    if (known !== undefined) validateShares(shares, known);

    const nodes = await surveyNodes(ctx, cluster);
    const initialized = initializedNodes(nodes);
    const reachable = nodes.filter((n) => n.reachable);
    if (reachable.length === 0) {
      if (!request.force) {
        // `nodes_unreachable`: entry points say how to import without the check (`force`).
        throw new UnavailableError(
          `no node of cluster ${cluster.id} answered sys/seal-status, so the shares cannot be checked against the cluster (${nodes.map((n) => `${n.node}: ${n.error ?? 'no answer'}`).join('; ')})`,
          { code: 'nodes_unreachable' },
        );
      }
      warnings.push('no node answered: imported without checking threshold, share count and seal type against the cluster');
    } else if (initialized.length === 0) {
      throw new ValidationError(`cluster ${cluster.id} is not initialized, so these shares cannot belong to it`, [
        ...reachable.map((n) => `node ${n.node}: initialized false`),
      ]);
    }

    let threshold = known;
    let thresholdSource: ImportResult['thresholdSource'] = output.threshold !== undefined ? 'input' : 'flag';
    if (threshold === undefined) {
      const fromNodes = [...new Set(initialized.map((n) => n.t))];
      if (fromNodes.length > 1) {
        throw new ValidationError(
          'the nodes disagree on the threshold, so it must be given',
          initialized.map((n) => `node ${n.node}: t=${n.t}`),
          { field: 'threshold' },
        );
      }
      threshold = fromNodes[0];
      thresholdSource = 'node';
      if (threshold === undefined) {
        throw new ValidationError(
          'the threshold is unknown: sys/init output does not include it and no node answered, so it must be given',
          ['threshold: missing'],
          { field: 'threshold' },
        );
      }
      validateShares(shares, threshold);
    }
    const expected = { kind: output.kind, threshold, shares: shares.length };
    const mismatches = initialized.flatMap((n) => sealMismatches(n, expected));
    if (mismatches.length > 0) {
      throw new ValidationError(`the shares do not fit cluster ${cluster.id} as its nodes describe it; nothing was stored`, mismatches);
    }
    const uninitialized = reachable.filter((n) => n.initialized === false).map((n) => n.node);
    if (uninitialized.length > 0 && initialized.length > 0) {
      warnings.push(`node${uninitialized.length > 1 ? 's' : ''} ${uninitialized.join(', ')} not initialized (not yet joined?)`);
    }

    const shape = validateShares(shares, threshold);
    const consistency = await checkShareConsistency(shares, threshold);
    if (!consistency.crossChecked && shares.length > 1) {
      warnings.push(
        `threshold equals the share count (${threshold}): there is no spare share to cross-check, so a wrong share would only show when Vault rejects it`,
      );
    }
    if (!consistency.exhaustive) {
      warnings.push(
        `${consistency.subsetsChecked} threshold subsets combined (a complete cover: every share checked against one polynomial) instead of all of them`,
      );
    }

    const assignment = resolveCustodyPolicy({
      clusterId: cluster.id,
      policy: cluster.custody,
      wrapperIds: ctx.options.wrappers.ids(),
      shareCount: shares.length,
    });
    warnings.push(...assignment.warnings);
    if (request.storeRootToken && output.rootToken === undefined) {
      throw new ValidationError('storing the root token was asked for, but the input has no root_token', ['root_token: missing'], { field: 'storeRootToken' });
    }
    const tokenWrapper = request.storeRootToken ? tokenWrapperOf(cluster.custody, assignment) : undefined;

    const kind = output.kind;
    const rootToken = output.rootToken;
    const result = await ctx.withClusterLease(cluster.id, async () => {
      // Checked again under the lease, but also before any wrap call, so a refusal costs nothing.
      const existing = await ctx.repo.meta(cluster.id);
      if (existing && !request.replace) throw existingCustodyError(cluster.id, existing.data);
      // Shares of another key replacing working custody would strand the cluster: only a rekey, or
      // custody that Vault already rejected (a standing block), justifies it.
      const keyChanged = existing !== null && existing.data.keyCheck !== consistency.keyCheck;
      if (existing && keyChanged && !request.rekeyed) {
        const [block, guards] = await Promise.all([ctx.repo.block(cluster.id), ctx.repo.guards(cluster.id)]);
        const blocks = standingBlocks(
          existing.data.generation,
          block?.data ?? null,
          guards.map((g) => g.data),
        );
        if (!isBlocked(blocks)) throw keyChangedError(cluster.id, existing.data);
        warnings.push(
          `these shares rebuild a different key than the custody they replace, which Vault rejected (blocked for generation ${existing.data.generation}): replaced`,
        );
      }
      if (existing && !keyChanged && request.rekeyed) {
        warnings.push('a rekey was declared, but these shares rebuild the same key as the custody they replace');
      }
      const records = await wrapShares(ctx, cluster.id, kind, shares, assignment.shares);
      const token = tokenWrapper && rootToken ? await wrapToken(ctx, cluster.id, tokenWrapper, rootToken) : undefined;
      const written = await writeCustody(
        ctx,
        cluster.id,
        { kind, threshold, shareLength: shape.shareLength, keyCheck: consistency.keyCheck, records, ...(token ? { rootToken: token } : {}) },
        request.replace === true,
      );
      return { records, written };
    });

    ctx.options.logger?.info('custody.imported', {
      cluster: cluster.id,
      kind,
      generation: result.written.generation,
      shares: shares.length,
      threshold,
      wrappers: [...new Set(result.records.map((r) => r.wrapper))],
      rootToken: tokenWrapper ? 'stored' : 'not-stored',
    });
    const { keyCheck: _omit, ...checked } = consistency;
    return {
      cluster: cluster.id,
      kind,
      format: output.format,
      threshold,
      thresholdSource,
      shares: shares.length,
      shareLength: shape.shareLength,
      generation: result.written.generation,
      replaced: result.written.replaced,
      removed: result.written.removed,
      stored: result.records.map((r) => ({ index: r.index, wrapper: r.wrapper, keyId: r.keyId })),
      rootToken: rootToken === undefined ? 'absent' : tokenWrapper ? 'stored' : 'ignored',
      consistency: checked,
      nodes,
      warnings,
    };
  } finally {
    wipeInitOutput(output);
  }
}
