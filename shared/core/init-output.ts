import { ValidationError } from './errors.ts';
import type { CustodyKind } from './custody-types.ts';
import { equalBytes } from './share-validation.ts';
import type { InitResponse } from './vault-types.ts';

/**
 * What `vault operator init -format=json` (CLI) or `PUT sys/init` (HTTP) handed out, decoded.
 * Holds secrets: the caller owns `shares` and must zero them; `rootToken` must never be printed.
 */
export interface InitOutput {
  format: 'cli' | 'http';
  kind: CustodyKind;
  /** Decoded shares in output order: share index = position + 1. */
  shares: Uint8Array[];
  /** From the CLI's `unseal_threshold` / `recovery_keys_threshold`; the HTTP answer has none. */
  threshold?: number;
  /** From the CLI's `unseal_shares` / `recovery_keys_shares`. */
  declaredShares?: number;
  rootToken?: string;
}

type Raw = Record<string, unknown>;

/** JSON key names of one format, for one kind of key. */
interface KeyFields {
  hex: string;
  base64: string;
  threshold?: string;
  shares?: string;
}

const CLI_FIELDS: Record<CustodyKind, KeyFields> = {
  unseal: { hex: 'unseal_keys_hex', base64: 'unseal_keys_b64', threshold: 'unseal_threshold', shares: 'unseal_shares' },
  recovery: {
    hex: 'recovery_keys_hex',
    base64: 'recovery_keys_b64',
    threshold: 'recovery_keys_threshold',
    shares: 'recovery_keys_shares',
  },
};
const HTTP_FIELDS: Record<CustodyKind, KeyFields> = {
  unseal: { hex: 'keys', base64: 'keys_base64' },
  recovery: { hex: 'recovery_keys', base64: 'recovery_keys_base64' },
};

/**
 * Parses init output from stdin. Accepts both the CLI shape (`unseal_keys_b64`, `unseal_keys_hex`,
 * `unseal_shares`, `unseal_threshold`, `recovery_keys_*`, `root_token`) and the HTTP `sys/init`
 * shape (`keys`, `keys_base64`, `recovery_keys`, `recovery_keys_base64`, `root_token`). When a
 * share is given both as hex and as base64, both must decode to the same bytes.
 *
 * Only decoding happens here; lengths, x-coordinates and thresholds are checked by
 * `validateShares`. Problems name fields and positions, never values.
 *
 * @throws ValidationError listing every problem found.
 */
export function parseInitOutput(text: string): InitOutput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which here is key material.
    throw new ValidationError('the input is not JSON: expected the output of `vault operator init -format=json` or of sys/init', ['input: not valid JSON']);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('the input is not a JSON object from `vault operator init -format=json` or sys/init', ['input: expected a JSON object']);
  }
  return fromRaw(raw as Raw);
}

/** The same decoding for an answer of our own `sys/init` call. */
export function initOutputFromResponse(response: InitResponse): InitOutput {
  return fromRaw({
    keys: response.keys,
    keys_base64: response.keysBase64,
    ...(response.recoveryKeys ? { recovery_keys: response.recoveryKeys } : {}),
    ...(response.recoveryKeysBase64 ? { recovery_keys_base64: response.recoveryKeysBase64 } : {}),
    root_token: response.rootToken,
  });
}

/** Zeroes every share of a parsed output (call in `finally`). */
export function wipeInitOutput(output: InitOutput | undefined): void {
  for (const share of output?.shares ?? []) share.fill(0);
}

function fromRaw(raw: Raw): InitOutput {
  const isCli = Object.values(CLI_FIELDS).some((f) => f.hex in raw || f.base64 in raw);
  const isHttp = Object.values(HTTP_FIELDS).some((f) => f.hex in raw || f.base64 in raw);
  if (isCli && isHttp) {
    throw new ValidationError('the input mixes the CLI and the HTTP init formats', [
      'input: has both unseal_keys_*/recovery_keys_b64|hex and keys/keys_base64 fields',
    ]);
  }
  if (!isCli && !isHttp) {
    throw new ValidationError('no key shares in the input: expected the output of `vault operator init -format=json` or of sys/init', [
      'input: none of unseal_keys_b64, unseal_keys_hex, recovery_keys_b64, recovery_keys_hex, keys, keys_base64, recovery_keys, recovery_keys_base64',
    ]);
  }
  const format = isCli ? 'cli' : 'http';
  const fields = isCli ? CLI_FIELDS : HTTP_FIELDS;
  const problems: string[] = [];

  const present = (f: KeyFields) => nonEmptyArray(raw[f.hex]) || nonEmptyArray(raw[f.base64]);
  const hasUnseal = present(fields.unseal);
  const hasRecovery = present(fields.recovery);
  if (hasUnseal && hasRecovery) {
    throw new ValidationError('the input has both unseal and recovery keys; expected one kind', [
      `${fields.unseal.base64}/${fields.recovery.base64}: both non-empty`,
    ]);
  }
  if (!hasUnseal && !hasRecovery) {
    throw new ValidationError('the input lists no key shares (PGP-encrypted or stored shares cannot be imported)', ['keys: every key list is empty']);
  }
  const kind: CustodyKind = hasRecovery ? 'recovery' : 'unseal';
  const f = fields[kind];

  const shares = decodeShares(raw, f, problems);
  const threshold = f.threshold === undefined ? undefined : readCount(raw, f.threshold, problems);
  const declaredShares = f.shares === undefined ? undefined : readCount(raw, f.shares, problems);
  if (declaredShares !== undefined && shares !== undefined && declaredShares !== shares.length) {
    problems.push(`${f.shares}: says ${declaredShares} but ${shares.length} keys are listed`);
  }
  const rootToken = raw['root_token'];
  if (rootToken !== undefined && typeof rootToken !== 'string') problems.push('root_token: must be a string');

  if (problems.length > 0 || shares === undefined) {
    for (const share of shares ?? []) share.fill(0);
    throw new ValidationError(`the ${format === 'cli' ? 'CLI' : 'sys/init'} init output is not usable`, problems);
  }
  return {
    format,
    kind,
    shares,
    ...(threshold === undefined ? {} : { threshold }),
    ...(declaredShares === undefined ? {} : { declaredShares }),
    ...(typeof rootToken === 'string' && rootToken !== '' ? { rootToken } : {}),
  };
}

/** Decodes both forms of the key list and insists they agree share by share. */
function decodeShares(raw: Raw, f: KeyFields, problems: string[]): Uint8Array[] | undefined {
  const hex = readStrings(raw, f.hex, problems);
  const b64 = readStrings(raw, f.base64, problems);
  if (hex === undefined || b64 === undefined) return undefined;
  if (hex.length > 0 && b64.length > 0 && hex.length !== b64.length) {
    problems.push(`${f.hex} has ${hex.length} keys but ${f.base64} has ${b64.length}`);
    return undefined;
  }
  const count = Math.max(hex.length, b64.length);
  const shares: Uint8Array[] = [];
  let failed = false;
  for (let i = 0; i < count; i++) {
    const fromHex = hex[i] === undefined ? undefined : decodeHex(hex[i] as string);
    const fromB64 = b64[i] === undefined ? undefined : decodeBase64(b64[i] as string);
    if (hex[i] !== undefined && fromHex === undefined) problems.push(`${f.hex}[${i}] (share ${i + 1}): not hex`);
    if (b64[i] !== undefined && fromB64 === undefined) problems.push(`${f.base64}[${i}] (share ${i + 1}): not standard base64`);
    if (fromHex && fromB64 && !equalBytes(fromHex, fromB64)) {
      problems.push(`share ${i + 1}: ${f.hex}[${i}] and ${f.base64}[${i}] are different keys`);
    }
    const chosen = fromHex ?? fromB64;
    if (fromHex && fromB64) fromB64.fill(0);
    if (chosen === undefined) failed = true;
    else shares.push(chosen);
  }
  if (failed) {
    for (const share of shares) share.fill(0);
    return undefined;
  }
  return shares;
}

function readStrings(raw: Raw, key: string, problems: string[]): string[] | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.push(`${key}: must be a list of strings`);
    return undefined;
  }
  return value as string[];
}

function readCount(raw: Raw, key: string, problems: string[]): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 255) {
    problems.push(`${key}: must be a whole number from 1 to 255`);
    return undefined;
  }
  return value;
}

function nonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Hex as Vault prints it (either case). Undefined when not hex. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (!HEX.test(text)) return undefined;
  return owned(Buffer.from(text, 'hex'));
}

/**
 * Standard padded base64, as Vault prints it and as `sys/unseal` accepts it (Vault `http/sys_seal.go` handleSysUnseal @ v1.14.9); url-safe or
 * unpadded text is refused here as it would be there. Undefined when not base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || !BASE64.test(text)) return undefined;
  const buffer = Buffer.from(text, 'base64');
  // Non-zero padding bits decode leniently; such text is not what Vault emits.
  if (buffer.toString('base64') !== text) {
    buffer.fill(0);
    return undefined;
  }
  return owned(buffer);
}

// Copies out of the Buffer and wipes it: small Buffers live in Node's shared pool.
function owned(buffer: Buffer): Uint8Array {
  const bytes = new Uint8Array(buffer);
  buffer.fill(0);
  return bytes;
}
