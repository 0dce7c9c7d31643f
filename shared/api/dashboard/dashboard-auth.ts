/**
 * The API key a dashboard request presents. Browsers use HTTP Basic auth (any user name, the
 * key as password): the browser asks once, resends it on every refresh, and the key never
 * appears in a URL, a query string or an access log. Scripts may send `Bearer <key>` instead.
 * Returns null when the header is absent or malformed.
 */
export function presentedKey(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^(Basic|Bearer)\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return null;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const password = decoded.slice(colon + 1);
  return password.length > 0 ? password : null;
}

/** Sent with every 401: browsers show their login prompt for this realm. */
export const BASIC_CHALLENGE = 'Basic realm="sealwatch dashboard", charset="UTF-8"';
