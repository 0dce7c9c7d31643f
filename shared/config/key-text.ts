const HEX_32 = /^[0-9a-fA-F]{64}$/;
const BASE64_32 = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}=?$/;

/**
 * Decodes a 256-bit key written as hex (64 digits) or base64 / base64url (43 characters plus
 * optional padding). Hex wins when both would parse, because 64 hex digits are also valid base64
 * of a different length. Returns undefined for anything else; the caller owns (and should zero)
 * the returned bytes.
 */
export function decodeKeyText(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (HEX_32.test(trimmed)) return checked(Buffer.from(trimmed, 'hex'));
  if (BASE64_32.test(trimmed)) return checked(Buffer.from(trimmed, 'base64'));
  if (BASE64URL_32.test(trimmed)) return checked(Buffer.from(trimmed, 'base64url'));
  return undefined;
}

// Copies out of the Buffer and wipes it: small Buffers live in Node's shared pool.
function checked(bytes: Buffer): Uint8Array | undefined {
  const key = bytes.length === 32 ? new Uint8Array(bytes) : undefined;
  bytes.fill(0);
  return key;
}
