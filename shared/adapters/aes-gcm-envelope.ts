import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CiphertextInvalidError } from '../errors.ts';

/**
 * AES-256-GCM sealing and the envelope format shared by the `local` and `azure-keyvault` wrappers.
 *
 * Envelope (the `ciphertext` of a WrappedSecret): base64 of the UTF-8 JSON object
 *   `{ "v": 1, "alg": "A256GCM", "iv": b64(12 bytes), "tag": b64(16 bytes), "ct": b64,
 *      "wk"?: b64, "walg"?: "RSA-OAEP-256" }`
 * where `wk` is the data key wrapped by the provider (absent for `local`, whose key is used
 * directly) and `walg` names how it was wrapped. The AAD is the canonical context
 * (wrap-context.ts), so a changed context fails authentication. JSON rather than a packed binary
 * layout: a few dozen bytes more per share, but an operator can decode and inspect it, and a
 * future `v: 2` can add fields without a parser rewrite. Header fields are not authenticated;
 * they need not be: a changed `wk` yields a different data key and the GCM tag fails, and
 * unknown `v`/`alg`/`walg` values are refused.
 */
export interface EnvelopeParts {
  iv: Uint8Array;
  tag: Uint8Array;
  ct: Uint8Array;
  wk?: Uint8Array;
  walg?: string;
}

const ALG = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encrypts `plaintext` under a 32-byte key with a fresh random 96-bit IV. Keeps no copy. */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): EnvelopeParts {
  if (key.length !== KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

/**
 * Decrypts and authenticates. Returns a fresh Uint8Array the caller owns; intermediate buffers
 * (including unauthenticated output when the tag fails) are zeroed. `label` names the wrapper and
 * key for the error message.
 */
export function aesGcmOpen(key: Uint8Array, parts: EnvelopeParts, aad: Uint8Array, label: string): Uint8Array {
  const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(parts.tag);
  const out = decipher.update(parts.ct);
  try {
    decipher.final();
  } catch (error) {
    out.fill(0);
    throw new CiphertextInvalidError(`${label}: ciphertext failed authentication (tampered, wrong key or wrong context)`, { cause: error });
  }
  const result = new Uint8Array(out.length);
  result.set(out);
  out.fill(0);
  return result;
}

/** Serialises envelope parts to the base64 text stored in WrappedSecret.ciphertext. */
export function encodeEnvelope(parts: EnvelopeParts): string {
  const json: Record<string, string | number> = {
    v: 1,
    alg: ALG,
    iv: b64(parts.iv),
    tag: b64(parts.tag),
    ct: b64(parts.ct),
  };
  if (parts.wk !== undefined) json.wk = b64(parts.wk);
  if (parts.walg !== undefined) json.walg = parts.walg;
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64');
}

/**
 * Parses the stored text strictly; any malformation is a CiphertextInvalidError (a corrupted or
 * tampered record is indistinguishable from a forged one). `expectWrappedKey` says whether `wk`
 * must be present (azure) or absent (local).
 */
export function decodeEnvelope(text: string, expectWrappedKey: boolean, label: string): EnvelopeParts {
  const invalid = (why: string, cause?: unknown): CiphertextInvalidError =>
    new CiphertextInvalidError(`${label}: malformed envelope (${why})`, cause ? { cause } : undefined);
  if (typeof text !== 'string' || !BASE64.test(text) || text.length === 0) throw invalid('not base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch (error) {
    throw invalid('not JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('not an object');
  const o = parsed as Record<string, unknown>;
  if (o.v !== 1) throw invalid('unknown version');
  if (o.alg !== ALG) throw invalid('unknown algorithm');
  const iv = field(o.iv, 'iv', invalid);
  const tag = field(o.tag, 'tag', invalid);
  const ct = field(o.ct, 'ct', invalid);
  if (iv.length !== IV_BYTES) throw invalid('bad iv length');
  if (tag.length !== TAG_BYTES) throw invalid('bad tag length');
  const parts: EnvelopeParts = { iv, tag, ct };
  if (expectWrappedKey) {
    parts.wk = field(o.wk, 'wk', invalid);
    if (typeof o.walg !== 'string') throw invalid('missing walg');
    parts.walg = o.walg;
  } else if (o.wk !== undefined || o.walg !== undefined) {
    throw invalid('unexpected wrapped key');
  }
  return parts;
}

function field(value: unknown, name: string, invalid: (why: string) => CiphertextInvalidError): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw invalid(`bad ${name}`);
  return Buffer.from(value, 'base64');
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
