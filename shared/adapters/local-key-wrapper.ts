import { createHash } from 'node:crypto';
import { CiphertextInvalidError, UnavailableError, ValidationError } from '../errors.ts';
import type { KeyHealth, KeyWrapper, WrapContext, WrappedSecret } from '../ports/key-wrapper.ts';
import { aesGcmOpen, aesGcmSeal, decodeEnvelope, encodeEnvelope } from './aes-gcm-envelope.ts';
import { assertWrappable, canonicalContext } from './wrap-context.ts';

export interface LocalKeyWrapperOptions {
  /** Config name of this wrapper, e.g. `dev-local`. */
  id: string;
  /** The AES-256 key: exactly 32 bytes. Copied; the caller may zero its own copy afterwards. */
  key: Uint8Array;
}

const KEY_BYTES = 32;
const FINGERPRINT_DOMAIN = 'sealwatch-local-key-fingerprint/v1\0';

/**
 * A KeyWrapper over a local AES-256-GCM key, for development and on-prem setups without a cloud
 * KMS. Each wrap uses a fresh random 96-bit IV and the canonical context as AAD. The `keyId` is a
 * short fingerprint of the key (not the key), so operators can tell keys apart.
 *
 * @throws ValidationError when `key` is not exactly 32 bytes (the key itself is never printed).
 */
export function createLocalKeyWrapper(options: LocalKeyWrapperOptions): KeyWrapper {
  const { id } = options;
  if (typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('local key wrapper needs a non-empty id');
  }
  if (!(options.key instanceof Uint8Array) || options.key.length !== KEY_BYTES) {
    const got = options.key instanceof Uint8Array ? `${options.key.length} bytes` : 'not bytes';
    throw new ValidationError(`local key for wrapper "${id}" must be exactly 32 bytes (got ${got})`, ['key: must be 32 bytes (AES-256)']);
  }
  const key = Uint8Array.from(options.key);
  const keyId = localKeyFingerprint(key);
  const label = `local wrapper "${id}" (key ${keyId})`;

  const checkSignal = (signal: AbortSignal | undefined): void => {
    if (signal?.aborted) throw new UnavailableError(`${label}: aborted`, { cause: signal.reason });
  };

  return {
    id,
    kind: 'local',
    async wrap(plaintext: Uint8Array, context: WrapContext, signal?: AbortSignal): Promise<WrappedSecret> {
      checkSignal(signal);
      assertWrappable(plaintext, label);
      const parts = aesGcmSeal(key, plaintext, canonicalContext(context));
      return { wrapper: id, keyId, ciphertext: encodeEnvelope(parts) };
    },
    async unwrap(secret: WrappedSecret, context: WrapContext, signal?: AbortSignal): Promise<Uint8Array> {
      checkSignal(signal);
      const aad = canonicalContext(context);
      if (secret.keyId !== keyId) {
        // A record from another local key can only fail; say which key it needs.
        throw new CiphertextInvalidError(`${label}: secret was wrapped under local key ${String(secret.keyId)}, not ${keyId}`);
      }
      const parts = decodeEnvelope(secret.ciphertext, false, label);
      return aesGcmOpen(key, parts, aad, label);
    },
    async health(): Promise<KeyHealth> {
      return {
        wrapper: id,
        keyId,
        status: 'ok',
        problems: [],
        details: { algorithm: 'AES-256-GCM', fingerprint: keyId },
      };
    },
  };
}

/**
 * `local-` + the first 8 hex characters of SHA-256 over a domain-separated prefix and the key.
 * 32 bits tell keys apart in a config; they reveal nothing usable about a 256-bit key.
 */
export function localKeyFingerprint(key: Uint8Array): string {
  const digest = createHash('sha256').update(FINGERPRINT_DOMAIN).update(key).digest('hex');
  return `local-${digest.slice(0, 8)}`;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * Parses a 32-byte key given as hex (64 characters) or base64 / base64url (43 characters, or 44
 * with its `=`). Surrounding whitespace is ignored.
 *
 * @throws ValidationError otherwise; the message never echoes the input.
 */
export function parseLocalKey(text: string): Uint8Array {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  let bytes: Buffer | undefined;
  if (HEX_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (BASE64_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  else if (BASE64URL_KEY.test(trimmed)) bytes = Buffer.from(trimmed, 'base64url');
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    bytes?.fill(0);
    throw new ValidationError('local key must be 32 bytes written as hex or base64', ['key: expected 64 hex characters or 44 base64 characters']);
  }
  const key = Uint8Array.from(bytes);
  bytes.fill(0);
  return key;
}
