/**
 * A key custodian that encrypts ("wraps") and decrypts small secrets such as one Shamir share.
 *
 * Guarantees:
 * - `wrap` binds the ciphertext to `context`: `unwrap` with any other context fails with
 *   CiphertextInvalidError. The context is not secret (it is logged by cloud providers).
 * - Plaintext passed in or returned is a Uint8Array the caller owns and must zero after use;
 *   implementations keep no copy.
 * - Errors are translated: KeyUnusableError (disabled, pending-deletion, pending-import,
 *   unavailable), NotFoundError (key missing), AccessDeniedError, ThrottledError,
 *   UnavailableError (network, 5xx), CiphertextInvalidError (tampered blob, wrong context or key).
 *   Error messages name the wrapper and key id, never plaintext.
 */
export interface WrapContext {
  /** e.g. { cluster: 'prod', share: '3', purpose: 'unseal-share' } */
  [key: string]: string;
}

export interface WrappedSecret {
  /** The wrapper id (config name) that produced it. */
  wrapper: string;
  /** Provider key id including its version where the provider has versions. */
  keyId: string;
  /** Base64 of the provider's ciphertext (or of our envelope). */
  ciphertext: string;
}

export type KeyHealthStatus = 'ok' | 'warning' | 'critical';

export interface KeyHealth {
  wrapper: string;
  keyId: string;
  status: KeyHealthStatus;
  /** Machine-readable problems, e.g. 'disabled', 'pending-deletion', 'expires-soon'. */
  problems: { code: string; message: string }[];
  /** Provider facts worth showing: state, deletion date, rotation... (no secrets). */
  details: Record<string, string | number | boolean | null>;
}

export interface KeyWrapper {
  /** Config name of this wrapper, e.g. `aws-primary`. */
  readonly id: string;
  readonly kind: 'aws-kms' | 'azure-keyvault' | 'local';
  wrap(plaintext: Uint8Array, context: WrapContext, signal?: AbortSignal): Promise<WrappedSecret>;
  unwrap(secret: WrappedSecret, context: WrapContext, signal?: AbortSignal): Promise<Uint8Array>;
  health(signal?: AbortSignal): Promise<KeyHealth>;
}
