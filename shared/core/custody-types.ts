/**
 * Custody of a cluster's Shamir shares: what is stored, never the shares themselves.
 * Unseal shares for Shamir-sealed clusters; recovery shares for auto-unseal clusters (which
 * accept them through `sys/unseal` after `sys/seal`: `vault/core.go` getUnsealKey uses the recovery
 * config and `VerifyRecoveryKey` on auto-unseal seals, @ v1.14.9).
 */
export type CustodyKind = 'unseal' | 'recovery';

export interface CustodyMeta {
  kind: CustodyKind;
  threshold: number;
  shares: number;
  /** Bytes per share: 33 (Shamir share: 32-byte key + x byte) or 32 (1-of-1: the key itself). */
  shareLength: number;
  /**
   * A check value derived one-way from the combined key (see custody key-check), so sealwatch
   * can tell whether a set of shares reconstructs the same key without storing the key.
   */
  keyCheck: string;
  createdAt: string;
  /** Increments on every replace; a wrong-key stop lasts until the generation changes. */
  generation: number;
}

export interface ShareRecord {
  /** 1-based share index as in `vault operator init` output order. */
  index: number;
  wrapper: string;
  keyId: string;
  /** Base64 ciphertext from the wrapper; opaque. */
  ciphertext: string;
  wrappedAt: string;
}

/**
 * Why sealwatch stopped sending shares: Vault said the combined key is wrong (`wrong-key`), or
 * discarded a full threshold twice without an answer sealwatch can classify (`rejected`).
 */
export type BlockReason = 'wrong-key' | 'rejected';

/**
 * `UNSEAL_BLOCK`: two distinct nodes blocked the same custody generation, so the custody itself
 * is wrong for this cluster (e.g. after `vault operator rekey`). Every node is left alone until
 * the custody generation changes or an operator clears the block. Records written before node
 * guards existed have neither `nodes` nor `reason` (read them as one `wrong-key` node).
 */
export interface UnsealBlock {
  generation: number;
  at: string;
  /** The first node that rejected the custody. */
  nodeId: string;
  /** Every node whose block led to this one. */
  nodes?: string[];
  reason?: BlockReason;
  /** Vault's error text, redacted. */
  vaultError: string;
}

/**
 * `UNSEAL_GUARD#<node>`: what one node did with one custody generation's shares. A rejection
 * without a classified answer allows one more full threshold, not before the retry time; a
 * second one, or a wrong-key answer, blocks the node. Blocks are state, not memory: they hold
 * across processes and restarts until the generation changes or an operator clears them.
 */
export interface NodeUnsealGuard {
  generation: number;
  nodeId: string;
  /** Full thresholds this node discarded without a classified answer. */
  rejections: number;
  /** No share goes to this node any more. */
  blocked: boolean;
  reason: BlockReason;
  /** Vault's HTTP status (null: the node did not answer the last share) and text, redacted. */
  status: number | null;
  vaultError: string;
  shareIndexes: number[];
  wrappers: string[];
  firstAt: string;
  lastAt: string;
}

/** The blocks that stand for a cluster's current custody generation. */
export interface UnsealBlocks {
  /** Null when the cluster has no custody. */
  generation: number | null;
  /** Two nodes rejected this generation: the whole cluster is blocked. */
  cluster: UnsealBlock | null;
  /** Per node, by node id: blocked, or rejected once and waiting for its one more try. */
  nodes: NodeUnsealGuard[];
}

/** Keeps the blocks of `generation` (older ones were lifted by replacing the custody). */
export function standingBlocks(generation: number | null, cluster: UnsealBlock | null, guards: readonly NodeUnsealGuard[]): UnsealBlocks {
  return {
    generation,
    cluster: cluster !== null && cluster.generation === generation ? cluster : null,
    nodes: guards.filter((g) => g.generation === generation).sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
  };
}

/** Whether anything stops sealwatch from sending shares to some node of the cluster. */
export function isBlocked(blocks: UnsealBlocks): boolean {
  return blocks.cluster !== null || blocks.nodes.some((g) => g.blocked);
}

/** The context every share is wrapped under; cloud KMS logs it, so it holds no secret. */
export function shareContext(clusterId: string, kind: CustodyKind, index: number): Record<string, string> {
  return { cluster: clusterId, share: String(index), purpose: kind === 'unseal' ? 'unseal-share' : 'recovery-share' };
}

/** The context a Vault token kept in custody is wrapped under. */
export function tokenContext(clusterId: string, name: string): Record<string, string> {
  return { cluster: clusterId, token: name, purpose: 'vault-token' };
}
