/**
 * Custody of a cluster's Shamir shares: what is stored, never the shares themselves.
 * Unseal shares for Shamir-sealed clusters; recovery shares for auto-unseal clusters (which
 * accept them through `sys/unseal` after `sys/seal`, vault-api.md §3.3).
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

/** Set when Vault rejected combined shares as wrong: unsealing stops until custody changes. */
export interface UnsealBlock {
  generation: number;
  at: string;
  nodeId: string;
  /** Vault's error text (it never contains key material). */
  vaultError: string;
}

/** The context every share is wrapped under; cloud KMS logs it, so it holds no secret. */
export function shareContext(clusterId: string, kind: CustodyKind, index: number): Record<string, string> {
  return { cluster: clusterId, share: String(index), purpose: kind === 'unseal' ? 'unseal-share' : 'recovery-share' };
}

/** The context a Vault token kept in custody is wrapped under. */
export function tokenContext(clusterId: string, name: string): Record<string, string> {
  return { cluster: clusterId, token: name, purpose: 'vault-token' };
}
