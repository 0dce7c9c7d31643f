import { standingBlocks, type CustodyMeta, type NodeUnsealGuard, type ShareRecord, type UnsealBlock, type UnsealBlocks } from '../core/custody-types.ts';
import type { Finding } from '../core/finding.ts';
import { resolvePinnedTarget } from '../core/pinned-target.ts';
import { planNodeUnseal, retryAtOf as retryAt, type UnsealStep } from '../core/plan-unseal.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError, ValidationError, VaultUnreachableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { createCustodyRepository } from './custody-repository.ts';
import type { ActionExecutor, SweepCluster } from './sweep-types.ts';
import * as F from './unseal-findings.ts';
import { unsealNodeLocked } from './unseal-node.ts';
import type { NodeUnsealDeps, UnsealSettings } from './unseal-node-types.ts';
import { nodeResult } from './unseal-result.ts';
import { runUnderClusterLease } from './held-lease.ts';
import { SUCCESSFUL_OUTCOMES, type UnsealClusterResult, type UnsealNodeResult, type UnsealOutcome, type UnsealRequest } from './unseal-types.ts';

export interface UnsealServiceOptions {
  store: StateStore;
  leases: LeaseManager;
  vault: VaultClientFactory;
  /** The configured custody wrappers, by id. */
  wrappers: readonly KeyWrapper[];
  clock: Clock;
  logger: Logger;
  /** Default: an audit log in `store`. */
  audit?: AuditLog;
  /** Deadline of a whole request when the caller passes no signal (default 30 s). */
  deadlineMs?: number;
  /** Per Vault call (default 5 s). */
  callTimeoutMs?: number;
  /** Tries for transient failures (default 3), backoff from `retryBaseMs` (250) to `retryMaxMs` (2000). */
  attempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A foreign unseal attempt is reset once unchanged since a sighting this old (default 30 s). */
  staleAttemptMs?: number;
  /** Wait for an asynchronous unseal after the last share (default 3 s). */
  completionWaitMs?: number;
  /** How long a failing wrapper's shares are tried last (default 5 min). */
  failingWrapperTtlMs?: number;
  /**
   * After a node discarded a full threshold without a classified answer, its one more try waits
   * this long: the sweep interval (default 60 s), so a retry never comes from the same sweep.
   */
  retryAfterMs?: number;
  /**
   * Secrets of a cluster this process holds besides the shares (the control token, when cached),
   * cut out of every answer a node gives during an unseal. Key-like text is cut out regardless.
   */
  knownSecrets?: (clusterId: string) => readonly string[];
}

/** Who lifts a block and why, for the audit trail. */
export interface ClearBlockRequest {
  clusterId: string;
  /** Only this node's guard (and the cluster block if it named the node); default every block. */
  nodeId?: string;
  trigger: string;
}

export interface ClearBlockResult {
  cluster: string;
  /** Nodes whose guard was removed. */
  nodes: string[];
  clusterBlockCleared: boolean;
}

export interface UnsealService {
  /** Unseals the sealed nodes of a cluster (all, or `nodeIds`) under the cluster lease, one node after another. */
  unsealCluster(request: UnsealRequest & { nodeIds?: readonly string[]; dryRun?: boolean }): Promise<UnsealClusterResult>;
  unsealNode(request: UnsealRequest & { nodeId: string }): Promise<UnsealNodeResult>;
  /** Lifts wrong-key and rejection blocks (audited); the next unseal tries the nodes again. */
  clearBlocks(request: ClearBlockRequest): Promise<ClearBlockResult>;
  /** The blocks and rejections that stand for the current custody generation. */
  blocks(clusterId: string): Promise<UnsealBlocks>;
  /** The hook the sweep calls for each planned `unseal` action. */
  readonly executor: ActionExecutor;
}

/**
 * Creates the unseal service used by the sweep, the CLI and webhooks. Shares are sent only to
 * nodes reached over TLS verified against the cluster CA (or explicitly `insecureHttp`) whose
 * seal status fits the custody. A node that says the key is wrong, or discards a full threshold
 * twice, is blocked (`UNSEAL_GUARD#<node>`); once two distinct nodes blocked the same custody
 * generation, the whole cluster is (`UNSEAL_BLOCK`). Blocked nodes get no share, no new audit
 * event, and their standing finding again on every run so its incident stays open, until the
 * custody generation changes or an operator clears the block. One node's block never stops its
 * siblings: a node with the cluster's CA but another identity cannot lock the cluster out.
 *
 * @throws ValidationError for invalid numeric options or duplicate wrapper ids.
 */
export function createUnsealService(options: UnsealServiceOptions): UnsealService {
  const { store, leases, vault, clock, logger } = options;
  const settings: UnsealSettings = {
    callTimeoutMs: options.callTimeoutMs ?? 5_000,
    attempts: options.attempts ?? 3,
    retryBaseMs: options.retryBaseMs ?? 250,
    retryMaxMs: options.retryMaxMs ?? 2_000,
    staleAttemptMs: options.staleAttemptMs ?? 30_000,
    completionWaitMs: options.completionWaitMs ?? 3_000,
    retryAfterMs: options.retryAfterMs ?? 60_000,
  };
  const deadlineMs = options.deadlineMs ?? 30_000;
  const failingTtlMs = options.failingWrapperTtlMs ?? 300_000;
  const problems = Object.entries({ ...settings, deadlineMs, failingTtlMs })
    .filter(([name, value]) => !Number.isFinite(value) || value < (name === 'attempts' ? 1 : 0))
    .map(([name, value]) => `${name}: ${String(value)} is not a valid value`);
  const wrapperMap = new Map<string, KeyWrapper>();
  for (const w of options.wrappers) {
    if (wrapperMap.has(w.id)) problems.push(`wrappers: id "${w.id}" appears twice`);
    wrapperMap.set(w.id, w);
  }
  if (problems.length > 0) throw new ValidationError('invalid unseal service options', problems);

  const custody = createCustodyRepository(store);
  const audit = options.audit ?? createAuditLog({ store, clock });
  const failingUntil = new Map<string, number>();
  const deps: NodeUnsealDeps = {
    store,
    custody,
    vault,
    wrapper: (id) => wrapperMap.get(id),
    clock,
    logger,
    audit,
    settings,
    failingWrappers: {
      current: () => new Set([...failingUntil].filter(([, until]) => until > clock.now()).map(([id]) => id)),
      failed: (id) => failingUntil.set(id, clock.now() + failingTtlMs),
      succeeded: (id) => failingUntil.delete(id),
    },
  };

  const service: UnsealService = {
    async unsealCluster(request) {
      const { cluster } = request;
      const nodeIds = request.nodeIds ?? cluster.nodes.map((n) => n.id);
      const signal = request.signal ?? AbortSignal.timeout(deadlineMs);
      const nodes = request.dryRun ? await dryRun(cluster, nodeIds, signal) : await underLease(request, nodeIds, signal);
      const findings = nodes.flatMap((n) => n.findings);
      return { cluster: cluster.id, dryRun: request.dryRun === true, nodes, findings, ok: nodes.every((n) => SUCCESSFUL_OUTCOMES.has(n.outcome)) };
    },

    async unsealNode(request) {
      const result = await service.unsealCluster({ ...request, nodeIds: [request.nodeId] });
      return result.nodes[0] as UnsealNodeResult;
    },

    async clearBlocks(request) {
      const [block, guards] = await Promise.all([custody.block(request.clusterId), custody.guards(request.clusterId)]);
      const nodes = guards.map((g) => g.data.nodeId).filter((id) => request.nodeId === undefined || id === request.nodeId);
      for (const nodeId of nodes) await custody.deleteGuard(request.clusterId, nodeId);
      const named = block ? (block.data.nodes ?? [block.data.nodeId]) : [];
      const clusterBlockCleared = block !== null && (request.nodeId === undefined || named.includes(request.nodeId));
      if (clusterBlockCleared) await custody.clearBlock(request.clusterId);
      const result = { cluster: request.clusterId, nodes, clusterBlockCleared };
      if (nodes.length > 0 || clusterBlockCleared) {
        await audit.record(request.clusterId, {
          at: new Date(clock.now()).toISOString(),
          trigger: request.trigger,
          action: 'unseal-clear-block',
          node: request.nodeId ?? '*',
          shareIndexes: [],
          wrappers: [],
          outcome: 'cleared',
          timings: { unwrapMs: 0, submitMs: 0, totalMs: 0 },
          message: `cleared ${[...nodes.map((n) => `node ${n}`), ...(clusterBlockCleared ? ['the cluster block'] : [])].join(', ')}`,
        });
      }
      return result;
    },

    async blocks(clusterId) {
      const loaded = await loadCustody(clusterId, true);
      return loaded.blocks;
    },

    executor: async ({ cluster, action, trigger, signal, held }) => {
      const result = await service.unsealNode({ cluster, nodeId: action.nodeId, trigger, signal, ...(held ? { held } : {}) });
      return {
        report: result.report,
        findings: result.findings,
        ...(result.viewAfter ? { viewAfter: result.viewAfter } : {}),
      };
    },
  };
  return service;

  async function underLease(request: UnsealRequest, nodeIds: readonly string[], signal: AbortSignal): Promise<UnsealNodeResult[]> {
    const { cluster, trigger } = request;
    // Seal statuses are read while the lease and custody load: reading changes nothing on a node
    // and saves a round trip on the path from detection to unsealed.
    const reads = readStatuses(cluster, nodeIds, signal);
    const scope = `cluster/${cluster.id}`;
    const ran = await runUnderClusterLease({ leases, logger }, cluster.id, request.held, async (held) => {
      const loaded = await loadCustody(cluster.id);
      const steps = await planSteps(cluster, nodeIds, reads, loaded);
      if ('skip' in loaded && loaded.skip === 'no-custody') return steps.map((s) => resultOfSkip(cluster.id, s, loaded));
      const guards = new Map(loaded.blocks.nodes.map((g) => [g.nodeId, g]));
      let clusterBlock = loaded.blocks.cluster;
      const results: UnsealNodeResult[] = [];
      const redactions = options.knownSecrets?.(cluster.id) ?? [];
      const runSignal = AbortSignal.any([signal, held.signal]);
      let inconsistent: string | null = null;
      for (const step of steps) {
        const nodeId = step.nodeId;
        // Blocks and waits are the service's own decisions (no attempt, no audit); every other
        // step goes to the executor, which repeats the plan's checks in the same order — so a
        // mismatching or removed node is refused and audited there, as an attempt refused.
        if ((step.kind === 'skip' && SERVICE_SKIPS.has(step.outcome)) || 'skip' in loaded) {
          results.push(resultOfSkip(cluster.id, step, loaded));
          continue;
        }
        // A block that formed during this run (a second node rejected) stops the rest of the plan.
        if (clusterBlock !== null) {
          results.push(skipped(nodeId, 'blocked', clusterBlockMessage(clusterBlock), [F.clusterBlockedFinding(cluster.id, clusterBlock)]));
          continue;
        }
        if (inconsistent !== null) {
          results.push(skipped(nodeId, 'custody-inconsistent', inconsistent));
          continue;
        }
        const read = reads.get(nodeId);
        const result = await unsealNodeLocked(deps, {
          cluster,
          nodeId,
          trigger,
          signal: runSignal,
          meta: loaded.meta,
          shares: loaded.shares,
          guard: guards.get(nodeId) ?? null,
          operation: held.owner,
          fence: () => held.check(),
          ...(redactions.length > 0 ? { redact: redactions } : {}),
          // The executor re-checks the node from the very status the plan was made from.
          ...(read ? { prefetched: read } : {}),
        });
        results.push(result);
        if (result.outcome === 'custody-inconsistent') {
          // Same custody for every node: the verdict holds for the rest of the run.
          inconsistent = `skipped: the custody's shares do not rebuild the recorded key (found on node ${nodeId} in this run); no share sent`;
        }
        if (result.outcome !== 'wrong-key' && result.outcome !== 'rejected') continue;
        const now = (await custody.guards(cluster.id)).map((g) => g.data).filter((g) => g.generation === loaded.meta.generation);
        for (const g of now) guards.set(g.nodeId, g);
        await held.check();
        clusterBlock = await blockClusterIfShared(cluster.id, loaded.meta.generation, [...guards.values()]);
        if (clusterBlock) result.findings.push(F.clusterBlockedFinding(cluster.id, clusterBlock));
      }
      return results;
    });
    if ('heldBy' in ran) {
      const until = new Date(ran.heldBy.expiresAt).toISOString();
      logger.info('unseal.skipped', { cluster: cluster.id, reason: 'lease-held', owner: ran.heldBy.owner });
      return nodeIds.map((id) =>
        skipped(id, 'lease-held', `skipped: another sealwatch operation holds lease ${scope} (owner ${ran.heldBy.owner}, until ${until})`),
      );
    }
    return ran.done;
  }

  /** The pinned seal-status read of each node, started at once (never an unhandled rejection). */
  function readStatuses(cluster: SweepCluster, nodeIds: readonly string[], signal: AbortSignal): Map<string, Promise<SealStatus>> {
    const reads = new Map<string, Promise<SealStatus>>();
    for (const nodeId of nodeIds) {
      const pending = prefetchStatus(cluster, nodeId, signal);
      if (pending) reads.set(nodeId, pending);
    }
    return reads;
  }

  /**
   * The plan: one step per node from what was read. Nodes that cannot be reached safely (TLS,
   * plain HTTP) or at all are planned as `send` when their read failed for a transient reason, so
   * the executor's own checks and retries decide — exactly as it would without a plan.
   */
  async function planSteps(
    cluster: SweepCluster,
    nodeIds: readonly string[],
    reads: Map<string, Promise<SealStatus>>,
    loaded: Awaited<ReturnType<typeof loadCustody>>,
  ): Promise<PlannedStep[]> {
    const unavailable = new Set([
      ...deps.failingWrappers.current(),
      ...('skip' in loaded ? [] : loaded.shares.filter((s) => !wrapperMap.has(s.wrapper)).map((s) => s.wrapper)),
    ]);
    return Promise.all(
      nodeIds.map(async (nodeId): Promise<PlannedStep> => {
        const resolved = resolvePinnedTarget(cluster, nodeId);
        if ('refused' in resolved) return { kind: 'refused', nodeId, reason: resolved.detail, refusal: resolved.refused };
        const read = reads.get(nodeId);
        let status: SealStatus;
        try {
          if (!read) throw new Error('no client for this target');
          status = await read;
        } catch (error) {
          if (error instanceof VaultUnreachableError && error.reason === 'tls') return { kind: 'refused', nodeId, reason: error.message, refusal: 'tls' };
          return { kind: 'unknown', nodeId, reason: `seal-status failed: ${describeError(error)}` };
        }
        return planNodeUnseal({
          nodeId,
          status,
          custody: 'skip' in loaded ? null : { meta: loaded.meta, shares: loaded.shares },
          blocks: loaded.blocks,
          now: clock.now(),
          retryAfterMs: settings.retryAfterMs,
          unavailableWrappers: unavailable,
        });
      }),
    );
  }

  /** A planned skip as a node result, with the findings it stands for. */
  function resultOfSkip(clusterId: string, step: PlannedStep, loaded: Awaited<ReturnType<typeof loadCustody>>): UnsealNodeResult {
    switch (step.kind) {
      case 'refused': {
        const findings = step.refusal === 'unknown-node' ? [] : [F.refusedFinding(clusterId, step.nodeId, step.refusal, step.reason)];
        return skipped(step.nodeId, 'refused', `no share sent: ${step.reason}`, findings);
      }
      case 'unknown':
        return skipped(step.nodeId, 'transient', step.reason);
      case 'send':
        // Only reached when custody is missing: nothing to send.
        return skipped(step.nodeId, 'no-custody', 'skip' in loaded ? loaded.message : 'no custody');
      case 'skip': {
        const findings: Finding[] = [];
        if (step.outcome === 'blocked' && loaded.blocks.cluster) findings.push(F.clusterBlockedFinding(clusterId, loaded.blocks.cluster));
        if (step.guard) findings.push(F.guardFinding(clusterId, step.guard, retryAtOf(step.guard)));
        if (step.mismatches) findings.push(F.custodyMismatchFinding(clusterId, step.nodeId, step.mismatches));
        if (step.outcome === 'removed') findings.push(F.removedFinding(clusterId, step.nodeId, 'seal-status reports removed_from_cluster: true'));
        if (step.outcome === 'insufficient-shares' && !('skip' in loaded)) {
          findings.push(F.insufficientSharesFinding(clusterId, step.nodeId, loaded.shares.length, loaded.meta.threshold));
        }
        const message = step.outcome === 'no-custody' && 'skip' in loaded ? loaded.message : step.reason;
        return skipped(step.nodeId, step.outcome, message, findings);
      }
    }
  }

  /** After a rejection: two distinct blocked nodes of one generation block the cluster. */
  async function blockClusterIfShared(clusterId: string, generation: number, guards: readonly NodeUnsealGuard[]): Promise<UnsealBlock | null> {
    const blocked = guards.filter((g) => g.blocked && g.generation === generation).sort((a, b) => a.lastAt.localeCompare(b.lastAt));
    if (blocked.length < 2) return null;
    const first = blocked[0] as NodeUnsealGuard;
    const block: UnsealBlock = {
      generation,
      at: new Date(clock.now()).toISOString(),
      nodeId: first.nodeId,
      nodes: blocked.map((g) => g.nodeId),
      reason: blocked.every((g) => g.reason === 'rejected') ? 'rejected' : 'wrong-key',
      vaultError: first.vaultError,
    };
    await custody.putBlock(clusterId, block);
    logger.error('unseal.cluster_blocked', { cluster: clusterId, generation, nodes: block.nodes });
    return block;
  }

  function retryAtOf(guard: NodeUnsealGuard): string | null {
    const at = retryAt(guard, settings.retryAfterMs);
    return at === null ? null : new Date(at).toISOString();
  }

  /**
   * Custody and the blocks that stand for its generation. Blocks of an older generation no longer
   * apply (the custody was replaced) and are deleted, unless `readOnly`.
   */
  async function loadCustody(
    clusterId: string,
    readOnly = false,
  ): Promise<({ meta: CustodyMeta; shares: ShareRecord[] } | { skip: UnsealOutcome; message: string }) & { blocks: UnsealBlocks }> {
    const [meta, shares, block, guards] = await Promise.all([
      custody.meta(clusterId),
      custody.shares(clusterId),
      custody.block(clusterId),
      custody.guards(clusterId),
    ]);
    const generation = meta?.data.generation ?? null;
    const blocks = standingBlocks(
      generation,
      block?.data ?? null,
      guards.map((g) => g.data),
    );
    if (!readOnly) {
      if (block && block.data.generation !== generation) await custody.clearBlock(clusterId);
      for (const stale of guards.filter((g) => g.data.generation !== generation)) await custody.deleteGuard(clusterId, stale.data.nodeId);
    }
    if (!meta || shares.length === 0) return { skip: 'no-custody', message: `no shares of cluster ${clusterId} are in custody`, blocks };
    return { meta: meta.data, shares: shares.map((s) => s.data), blocks };
  }

  function prefetchStatus(cluster: SweepCluster, nodeId: string, signal: AbortSignal): Promise<SealStatus> | undefined {
    const resolved = resolvePinnedTarget(cluster, nodeId);
    if ('refused' in resolved) return undefined;
    let pending: Promise<SealStatus>;
    try {
      pending = vault.client(resolved.target).sealStatus({ signal: AbortSignal.any([signal, AbortSignal.timeout(settings.callTimeoutMs)]) });
    } catch {
      return undefined; // An unusable target: the node's own try reports it.
    }
    // Observed later, or never (lease held, no custody): never an unhandled rejection.
    pending.catch(() => {});
    return pending;
  }

  /**
   * What an unseal would do, without the lease, without unwrapping and without sending a share:
   * the same plan the real run executes, reported as `would-unseal` where it would send.
   */
  async function dryRun(cluster: SweepCluster, nodeIds: readonly string[], signal: AbortSignal): Promise<UnsealNodeResult[]> {
    const reads = readStatuses(cluster, nodeIds, signal);
    const loaded = await loadCustody(cluster.id, true);
    const steps = await planSteps(cluster, nodeIds, reads, loaded);
    return steps.map((step) => {
      if (step.kind !== 'send' || 'skip' in loaded) {
        const result = resultOfSkip(cluster.id, step, loaded);
        result.message = `would send nothing: ${result.message}`;
        result.report.message = result.message;
        return result;
      }
      const result = skipped(step.nodeId, 'would-unseal', `would ${step.reason.slice(step.reason.indexOf(': ') + 2)}`);
      result.shareIndexes = step.shareIndexes;
      result.wrappers = step.wrappers;
      result.report.shareIndexes = step.shareIndexes;
      result.report.wrappers = step.wrappers;
      return result;
    });
  }
}

/** Skips decided by the service itself; the executor never sees these nodes. */
const SERVICE_SKIPS: ReadonlySet<string> = new Set(['blocked', 'retry-later', 'no-custody']);

/** A plan step, or a node the plan could not read (the executor's checks decide then). */
type PlannedStep =
  | UnsealStep
  | { kind: 'refused'; nodeId: string; reason: string; refusal: 'tls' | 'unpinned' | 'insecure-http' | 'unknown-node' }
  | { kind: 'unknown'; nodeId: string; reason: string };

function clusterBlockMessage(block: UnsealBlock): string {
  const nodes = block.nodes ?? [block.nodeId];
  return (
    `unsealing of the cluster blocked since ${block.at}: nodes ${nodes.join(', ')} rejected custody generation ${block.generation} ` +
    `(${block.vaultError}); replace the custody or clear the block to resume`
  );
}

/** A result for a node that was not attempted (no audit event, findings only if given). */
function skipped(nodeId: string, outcome: UnsealOutcome, message: string, findings: Finding[] = []): UnsealNodeResult {
  return nodeResult(nodeId, outcome, message, { findings });
}
