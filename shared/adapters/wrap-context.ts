import { ValidationError } from '../errors.ts';
import type { WrapContext } from '../ports/key-wrapper.ts';

/**
 * Every wrapper binds this pair into the context, so a ciphertext made by sealwatch can never be
 * replayed into another application sharing the same key (and so a KMS key policy can condition
 * `kms:Decrypt` on `kms:EncryptionContext:service`).
 */
export const SERVICE_CONTEXT_KEY = 'service';
export const SERVICE_CONTEXT_VALUE = 'sealwatch';

const CANONICAL_PREFIX = 'sealwatch-wrap-context/v1\n';

/**
 * Validates a caller's context and returns a copy with `service: 'sealwatch'` added.
 * Throws ValidationError for empty keys, non-string values or a foreign `service` value. Only
 * context keys are named in the message: contexts are not secret, but they are the caller's data.
 */
export function bindContext(context: WrapContext): Record<string, string> {
  const problems: string[] = [];
  const bound: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.length === 0) problems.push('context keys must not be empty');
    else if (typeof value !== 'string') problems.push(`context value of "${key}" must be a string`);
    else bound[key] = value;
  }
  const service = bound[SERVICE_CONTEXT_KEY];
  if (service !== undefined && service !== SERVICE_CONTEXT_VALUE) {
    problems.push(`context key "${SERVICE_CONTEXT_KEY}" is reserved for "${SERVICE_CONTEXT_VALUE}"`);
  }
  if (problems.length > 0) throw new ValidationError('invalid wrap context', problems);
  bound[SERVICE_CONTEXT_KEY] = SERVICE_CONTEXT_VALUE;
  return bound;
}

/**
 * The canonical byte encoding of a context, used as AES-GCM additional authenticated data.
 *
 * A JSON array of `[key, value]` pairs sorted by key (UTF-16 code unit order) behind a versioned
 * prefix. Pairs rather than an object because JavaScript orders integer-like object keys first,
 * which would make `JSON.stringify` of a "sorted" object depend on the key names. The result is
 * independent of insertion order, and distinct contexts always give distinct bytes.
 */
export function canonicalContext(context: WrapContext): Uint8Array {
  const bound = bindContext(context);
  const pairs = Object.keys(bound)
    .sort()
    .map((key) => [key, bound[key]]);
  return new TextEncoder().encode(CANONICAL_PREFIX + JSON.stringify(pairs));
}

/** Largest secret any wrapper accepts: KMS `Encrypt` takes at most 4096 bytes. */
export const MAX_PLAINTEXT_BYTES = 4096;

/**
 * Refuses what no provider can wrap (non-bytes, empty, over 4096 bytes) the same way for every
 * wrapper, so switching providers never changes which secrets are accepted.
 */
export function assertWrappable(plaintext: Uint8Array, label: string): void {
  if (!(plaintext instanceof Uint8Array)) {
    throw new ValidationError(`${label}: plaintext must be a Uint8Array`);
  }
  if (plaintext.length === 0 || plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw new ValidationError(`${label}: plaintext must be 1 to ${MAX_PLAINTEXT_BYTES} bytes (got ${plaintext.length})`);
  }
}
