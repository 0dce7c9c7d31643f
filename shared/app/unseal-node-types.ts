import type { CustodyMeta, NodeUnsealGuard, ShareRecord } from '../core/custody-types.ts';
import type { SealStatus } from '../core/vault-types.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import type { AuditLog } from './audit-log.ts';
import type { CustodyRepository } from './custody-repository.ts';
import type { SweepCluster } from './sweep-types.ts';

/** What unsealing one node needs (`unseal-node.ts`, and the steps it delegates to). */
export interface UnsealSettings {
  /** Deadline of each Vault call. */
  callTimeoutMs: number;
  /** Tries for transient failures (node or wrapper), within the caller's deadline. */
  attempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A foreign attempt is reset once unchanged since a sighting at least this old. */
  staleAttemptMs: number;
  completionWaitMs: number;
  /** After a rejection, the one more full threshold a node may get waits this long (a sweep interval). */
  retryAfterMs: number;
}

export interface NodeUnsealDeps {
  store: StateStore;
  custody: CustodyRepository;
  vault: VaultClientFactory;
  wrapper: (id: string) => KeyWrapper | undefined;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  failingWrappers: { current(): Set<string>; failed(id: string): void; succeeded(id: string): void };
  settings: UnsealSettings;
}

export interface NodeUnsealInput {
  cluster: SweepCluster;
  nodeId: string;
  trigger: string;
  signal: AbortSignal;
  meta: CustodyMeta;
  shares: readonly ShareRecord[];
  /** The node's guard for this custody generation (an earlier rejection), if any; never a blocking one. */
  guard: NodeUnsealGuard | null;
  /** The operation (cluster lease owner) doing this unseal: recorded with its attempt's nonce. */
  operation?: string;
  /** Fencing: throws when the operation lost its lease; called before state writes and the first share. */
  fence?: () => Promise<void>;
  /** Every known secret of the cluster (the control token), cut out of the node's answers with the shares. */
  redact?: readonly string[];
  /**
   * A seal-status read started while the lease and custody were being loaded (it only reads),
   * used by the first try instead of a new read. Must come from a client pinned like ours.
   */
  prefetched?: Promise<SealStatus>;
}
