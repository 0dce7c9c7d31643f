/**
 * What Vault's answer to a `sys/unseal` share means, decided from the phrases Vault's source
 * writes, never from the status code alone: the same refusal is a 500 on Vault ≤ 1.12 and a 400
 * with an `invalid key:` prefix since 1.13 (hashicorp/vault GH-17836), and 1.16 wraps the Shamir
 * failure in a multi-line seal-wrap text.
 *
 * Sources of the phrases (the call chain `http/sys_seal.go` handleSysUnseal → `vault/core.go`
 * unsealFragment/getUnsealKey → `vault/seal.go`):
 * - `failed to decrypt keys from storage` … `message authentication failed`: the combined Shamir
 *   key does not open `core/hsm/barrier-unseal-keys` (`vault/seal.go` GetStoredKeys @ v1.12.0 and
 *   @ v1.14.9; `vault/seal_util.go` + `vault/seal/seal.go` JoinSealWrapErrors @ v1.16.0, which
 *   puts `error decrypting seal wrapped value\nerror decrypting using seal shamir:` between them);
 * - `recovery key does not match submitted values`: an auto-unseal node's recovery key differs
 *   (`vault/seal_autoseal.go` VerifyRecoveryKey @ v1.12.0 unprefixed 500; @ v1.14.9 wrapped as
 *   `invalid key: failed to verify recovery key: …`, 400);
 * - `failed to compute combined key`: `shamir.Combine` refused the parts (`vault/core.go` @ v1.12.0
 *   500, @ v1.14.9 400 `invalid key: …`);
 * - `failed to setup unseal key`: the combined key is no AES key (`vault/core.go`, same versions);
 * - `failed to decrypt encrypted stored keys`: the node's own seal (KMS) could not decrypt what it
 *   stores (`vault/seal_autoseal.go` @ v1.14.9) — the node's problem, even when its cause reads
 *   `message authentication failed`;
 * - `node was removed from a HA cluster`: Vault ≥ 1.19 refuses every unseal on a removed raft node
 *   (`http/sys_seal.go` @ v1.19.0, hashicorp/vault PR #28909), 500.
 */

export type UnsealAnswerKind =
  /** The shares combine to a key that is not this node's: stop, never resend them. */
  | 'wrong-key'
  /** The node's own seal (auto-unseal KMS) failed to decrypt its stored keys: not our shares. */
  | 'seal-failure'
  /** The node was removed from its raft cluster (Vault ≥ 1.19): no unseal can help. */
  | 'removed'
  /** The shares cannot be this node's kind of key (length), or the node is not initialized. */
  | 'custody-mismatch'
  /** Overload, throttling or a Vault-side failure before the threshold: may work later. */
  | 'transient'
  /** Refused before the threshold for a reason no retry fixes (a malformed request). */
  | 'refused'
  /**
   * The full threshold was answered with something none of the phrases explain. Whether Vault
   * really discarded the attempt is settled by the seal status (`progress` 0); then it is a
   * rejection, retried at most once.
   */
  | 'unclassified';

const WRONG_KEY_PHRASES = ['recovery key does not match submitted values', 'failed to compute combined key', 'failed to setup unseal key'] as const;

/** `failed to decrypt keys from storage`, later followed by `message authentication failed`. */
function storedKeysUndecryptable(text: string): boolean {
  const at = text.indexOf('failed to decrypt keys from storage');
  return at >= 0 && text.indexOf('message authentication failed', at) > at;
}

/**
 * Classifies one answer to `sys/unseal`.
 * @param status HTTP status of the answer.
 * @param errors Vault's `errors` texts (joined with newlines: a phrase may sit on any line).
 * @param thresholdReached whether this share completed a threshold, so Vault combined the parts.
 *   Before that, no answer can mean a wrong key: Vault has not looked at the key yet.
 */
export function classifyUnsealAnswer(status: number, errors: readonly string[], thresholdReached: boolean): UnsealAnswerKind {
  const text = errors.join('\n');
  if (text.includes('node was removed from a HA cluster')) return 'removed';
  // Checked before the wrong-key phrases: its cause may well say `message authentication failed`.
  if (text.includes('failed to decrypt encrypted stored keys')) return 'seal-failure';
  if (/key is (shorter|longer) than m(in|ax)imum/.test(text) || text.includes('Vault is not initialized')) return 'custody-mismatch';
  if (thresholdReached) {
    if (storedKeysUndecryptable(text) || WRONG_KEY_PHRASES.some((p) => text.includes(p))) return 'wrong-key';
    return 'unclassified';
  }
  if (status === 429 || status >= 500) return 'transient';
  return 'refused';
}
