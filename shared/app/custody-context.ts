import type { WrapperFacts } from '../core/custody-analysis.ts';
import type { CustodyPolicy } from '../core/custody-policy.ts';
import { observationTarget } from '../core/pinned-target.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory, VaultTarget } from '../ports/vault-client.ts';
import type { AuditLog } from './audit-log.ts';
import { createCustodyRepository, type CustodyRepository } from './custody-repository.ts';
import { runUnderClusterLease, type HeldLease } from './held-lease.ts';

/** A cluster as custody needs it (a `ClusterConfig` fits). */
export interface CustodyCluster {
  id: string;
  nodes: readonly { id: string; url: string; insecureHttp?: boolean }[];
  tls?: { caPem?: string; serverName?: string };
  custody?: CustodyPolicy;
}

/** The configured wrappers (the runtime's KeyWrapperRegistry fits). */
export interface CustodyWrappers {
  get(id: string): KeyWrapper | undefined;
  ids(): string[];
  facts(): WrapperFacts[];
}

export interface CustodyServiceOptions {
  clusters: readonly CustodyCluster[];
  wrappers: CustodyWrappers;
  store: StateStore;
  vault: VaultClientFactory;
  clock: Clock;
  /**
   * Custody writes (import, init, rewrap) hold the `cluster/<id>` lease, the one unseals hold, so
   * no unseal reads custody while it is written; every write checks it first (fencing).
   */
  leases: LeaseManager;
  /** Every custody write is audited in the cluster's trail (`custody-write`, `custody-rewrap`). */
  audit: AuditLog;
  /** Who asks, for the audit trail (default `cli`). */
  trigger?: string;
  logger?: Logger;
  /** Deadline for one node's seal-status (default 5000 ms). */
  nodeTimeoutMs?: number;
  /** Deadline for one wrapper call (default 20000 ms). */
  wrapperTimeoutMs?: number;
  /** Deadline for `sys/init` (default 60000 ms: raft bootstrap and auto-unseal take a while). */
  initTimeoutMs?: number;
}

/** Everything the custody operations share, resolved once. */
export interface CustodyContext {
  options: CustodyServiceOptions;
  repo: CustodyRepository;
  nodeTimeoutMs: number;
  wrapperTimeoutMs: number;
  initTimeoutMs: number;
  cluster(id: string): CustodyCluster;
  wrapper(id: string): KeyWrapper;
  nowIso(): string;
  /**
   * Runs `fn` as one operation under the cluster lease (renewed while it runs).
   *
   * @throws ConflictError `lease-held` when another operation holds it.
   */
  withClusterLease<T>(clusterId: string, fn: (held: HeldLease) => Promise<T>): Promise<T>;
}

export function createCustodyContext(options: CustodyServiceOptions): CustodyContext {
  const clusters = new Map(options.clusters.map((c) => [c.id, c]));
  return {
    options,
    repo: createCustodyRepository(options.store),
    nodeTimeoutMs: options.nodeTimeoutMs ?? 5_000,
    wrapperTimeoutMs: options.wrapperTimeoutMs ?? 20_000,
    initTimeoutMs: options.initTimeoutMs ?? 60_000,
    cluster(id) {
      const cluster = clusters.get(id);
      if (!cluster) {
        throw new NotFoundError(`cluster ${id} is not in the configuration (known: ${[...clusters.keys()].join(', ') || 'none'})`);
      }
      return cluster;
    },
    wrapper(id) {
      const wrapper = options.wrappers.get(id);
      if (!wrapper) throw wrapperNotConfigured({ options }, id);
      return wrapper;
    },
    nowIso: () => new Date(options.clock.now()).toISOString(),
    async withClusterLease(clusterId, fn) {
      const ran = await runUnderClusterLease({ leases: options.leases, ...(options.logger ? { logger: options.logger } : {}) }, clusterId, undefined, fn);
      if ('heldBy' in ran) {
        throw new ConflictError(
          `cluster ${clusterId} is busy: lease ${ran.heldBy.scope} is held by ${ran.heldBy.owner} until ${new Date(ran.heldBy.expiresAt).toISOString()}; try again shortly`,
          { reason: 'lease-held' },
        );
      }
      return ran.done;
    },
  };
}

/** The error for a wrapper id the configuration does not have. */
export function wrapperNotConfigured(ctx: Pick<CustodyContext, 'options'>, id: string): NotFoundError {
  return new NotFoundError(`wrapper ${id} is not configured (known: ${ctx.options.wrappers.ids().join(', ') || 'none'})`);
}

/**
 * How to reach one node for seal-status: pinned to the cluster CA when there is one, the default
 * CAs otherwise (nothing secret is sent). `sys/init` goes through `pinnedTarget`.
 */
export function nodeTarget(cluster: CustodyCluster, node: CustodyCluster['nodes'][number]): VaultTarget {
  return observationTarget(cluster, node);
}

/** An AbortSignal that fires after `ms`. */
export function deadline(ms: number): AbortSignal {
  return AbortSignal.timeout(ms);
}
