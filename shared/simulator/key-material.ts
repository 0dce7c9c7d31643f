/**
 * Real key material for simulated clusters: Shamir shares byte-compatible with Vault (Vault `shamir/shamir.go` @ v1.14.9) and an
 * AES-GCM "barrier-unseal-keys" check value, so a well-formed share of another cluster fails
 * exactly where Vault fails it. Only init and unseal call into this file.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';

const CHECK_PLAINTEXT = Buffer.from('sealwatch-simulator barrier-unseal-keys v1');
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Vault's barrier key length bounds for unseal parts (AES 16..32 bytes + 1 Shamir byte; Vault `http/sys_seal.go` handleSysUnseal @ v1.14.9). */
export const MIN_KEY_BYTES = 16;
export const MAX_KEY_BYTES = 33;

/** The stored AES-GCM check, the stand-in for `core/hsm/barrier-unseal-keys`. */
export interface SealedCheck {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function generateKey(): Buffer {
  return randomBytes(32);
}

/**
 * Vault's `generateShares`: one share is the key itself (32 bytes); more are Shamir parts of
 * `key.length + 1` bytes.
 */
export async function splitKey(key: Uint8Array, shares: number, threshold: number): Promise<Buffer[]> {
  if (shares === 1) return [Buffer.from(key)];
  const parts = await split(Uint8Array.from(key), shares, threshold);
  return parts.map((part) => Buffer.from(part));
}

function aesGcmName(length: number): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | null {
  if (length === 16) return 'aes-128-gcm';
  if (length === 24) return 'aes-192-gcm';
  if (length === 32) return 'aes-256-gcm';
  return null;
}

export function sealCheck(key: Uint8Array): SealedCheck {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(CHECK_PLAINTEXT), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Go's `aes.NewCipher` accepts 16/24/32-byte keys only. */
export function aesKeySizeError(key: Uint8Array): string | null {
  return aesGcmName(key.length) === null ? `crypto/aes: invalid key size ${key.length}` : null;
}

/** True when `key` decrypts the check (a 16/24-byte key is valid AES but never the right one). */
export function openCheck(check: SealedCheck, key: Uint8Array): boolean {
  const name = aesGcmName(key.length);
  if (name === null) return false;
  try {
    const decipher = createDecipheriv(name, key, check.iv);
    decipher.setAuthTag(check.tag);
    const plain = Buffer.concat([decipher.update(check.ciphertext), decipher.final()]);
    return plain.equals(CHECK_PLAINTEXT);
  } catch {
    return false;
  }
}

/**
 * Vault's `shamir.Combine` with its exact error reasons (checked in Vault's order before the
 * library runs, whose own messages differ).
 */
export async function combineParts(parts: readonly Buffer[]): Promise<{ key: Buffer } | { error: string }> {
  if (parts.length < 2) return { error: 'less than two parts cannot be used to reconstruct the secret' };
  const first = parts[0];
  if (first === undefined || first.length < 2) return { error: 'parts must be at least two bytes' };
  if (parts.some((part) => part.length !== first.length)) return { error: 'all parts must be the same length' };
  const xs = new Set(parts.map((part) => part[part.length - 1]));
  if (xs.size !== parts.length) return { error: 'duplicate part detected' };
  const key = await combine(parts.map((part) => Uint8Array.from(part)));
  return { key: Buffer.from(key) };
}

/**
 * `sys/unseal` key decoding (Vault `http/sys_seal.go` handleSysUnseal @ v1.14.9): hex only when it decodes to 16..33 bytes, otherwise
 * padded standard base64; null when neither.
 */
export function decodeUnsealKey(input: string): Buffer | null {
  if (HEX.test(input)) {
    const bytes = input.length / 2;
    if (bytes >= MIN_KEY_BYTES && bytes <= MAX_KEY_BYTES) return Buffer.from(input, 'hex');
  }
  // Go's StdEncoding skips CR/LF anywhere in the input.
  const compact = input.replace(/[\r\n]/g, '');
  if (!STD_BASE64.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}

/** `<prefix>` + 24 base62 characters (Vault `vault/token_store.go` @ v1.14.9). */
export function generateRootToken(prefix: string): string {
  let body = '';
  for (let i = 0; i < 24; i += 1) body += BASE62[randomInt(BASE62.length)];
  return prefix + body;
}
