/**
 * Redaction of whatever a Vault node says before sealwatch logs, stores, audits or alerts it.
 *
 * Real Vault never echoes a key or a token. A node that only has a certificate from the cluster's
 * CA might, in any encoding, and not only the share it was just sent: so every text of an answer
 * goes through two filters.
 * - Known secrets (the shares in memory, the control token) are cut out in every encoding they
 *   could be written in — as sent, hex in both cases, base64 padded or not, base64url, raw — and
 *   so is any run that shares 12 characters with one of those forms (a truncated copy).
 * - Key-like runs are cut out whatever they are, because a node can echo a share sealwatch never
 *   unwrapped: hex of 16 digits or more, base64/base64url of 20 characters or more that mixes
 *   upper case, lower case and digits, Vault token shapes (`hvs.…`, `s.…`), and any text holding
 *   control or replacement characters (raw bytes). Vault's own texts (UUID nonces and cluster ids,
 *   versions, RFC 3339 times, host:port addresses, paths, Go error chains) pass unchanged.
 */

export const REDACTED = '[redacted]';
export const REDACTED_BINARY = '[redacted: binary]';

/** A secret as bytes (a share) or as text (a token). */
export type KnownSecret = Uint8Array | string;

const HEX_PAIRS = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64ISH = /^[A-Za-z0-9+/_-]+={0,2}$/;
const FRAGMENT = 12;

/** Every text form of a secret: as given, hex (both cases), base64 (padded, unpadded), base64url, raw. */
export function secretForms(secret: KnownSecret): string[] {
  const forms = new Set<string>();
  const bytesOf: Buffer[] = [];
  if (typeof secret === 'string') {
    if (secret.length === 0) return [];
    forms.add(secret);
    bytesOf.push(Buffer.from(secret, 'utf8'));
    // A share handed over as hex or base64 text: its bytes have the other forms too.
    if (HEX_PAIRS.test(secret)) bytesOf.push(Buffer.from(secret, 'hex'));
    else if (BASE64ISH.test(secret) && secret.length >= 16) bytesOf.push(Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } else {
    if (secret.length === 0) return [];
    bytesOf.push(Buffer.from(secret.buffer, secret.byteOffset, secret.length));
  }
  for (const bytes of bytesOf) {
    if (bytes.length < 8) continue;
    const hex = bytes.toString('hex');
    const b64 = bytes.toString('base64');
    for (const form of [hex, hex.toUpperCase(), b64, b64.replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('latin1')]) forms.add(form);
  }
  return [...forms].filter((f) => f.length > 0);
}

/** Characters Vault never sends in a text: C0 controls but tab/CR/LF, DEL, C1 controls, U+FFFD. */
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/;
/**
 * Runs of the hex/base64/base64url alphabet (a token's `hvs.` prefix is matched separately) long
 * enough to matter: 16 for key-like text, 12 for a fragment of a known secret.
 */
const LONG_RUN = /[A-Za-z0-9+/_=-]{16,}/g;
const FRAGMENT_RUN = /[A-Za-z0-9+/_=-]{12,}/g;
const TOKEN = /\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_-]{20,}/g;
/**
 * Cheap first looks: most of what Vault sends (versions, times, states, names) has none of
 * these, and skips the run-by-run pass. The second also catches fragments of known secrets.
 */
// eslint-disable-next-line no-control-regex
const SUSPICIOUS = /[0-9a-fA-F]{16}|[A-Za-z0-9+/_=-]{20}|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|\.[A-Za-z0-9_-]{20}/;
// eslint-disable-next-line no-control-regex
const SUSPICIOUS_WITH_SECRETS = /[0-9a-fA-F]{16}|[A-Za-z0-9+/_=-]{12}|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|\.[A-Za-z0-9_-]{20}/;

function keyLike(run: string): boolean {
  const core = run.replace(/=+$/, '');
  if (/[0-9a-fA-F]{16,}/.test(core)) return true;
  return core.length >= 20 && /[A-Z]/.test(core) && /[a-z]/.test(core) && /[0-9]/.test(core);
}

/** A filter over texts: cuts out `secrets` in every form, and key-like runs. */
export function createRedactor(secrets: readonly KnownSecret[] = []): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const windows = new Set<string>();
  for (const form of forms) for (let i = 0; i + FRAGMENT <= form.length; i += 1) windows.add(form.slice(i, i + FRAGMENT));
  const suspicious = windows.size > 0 ? SUSPICIOUS_WITH_SECRETS : SUSPICIOUS;
  const sharesWindow = (run: string) => {
    for (let i = 0; i + FRAGMENT <= run.length; i += 1) if (windows.has(run.slice(i, i + FRAGMENT))) return true;
    return false;
  };
  return (text: string) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    if (!suspicious.test(out)) return out;
    if (BINARY.test(out)) return REDACTED_BINARY;
    out = out.replace(TOKEN, REDACTED);
    return out.replace(windows.size > 0 ? FRAGMENT_RUN : LONG_RUN, (run) => (keyLike(run) || (windows.size > 0 && sharesWindow(run)) ? REDACTED : run));
  };
}

/**
 * Applies `redact` to every string of a freshly parsed JSON value (keys included), in place —
 * the value is the caller's own parse, so no copy is made — and returns it.
 */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = redactDeep(value[i], redact);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const cleanKey = redact(key);
      const cleanValue = redactDeep(record[key], redact);
      if (cleanKey !== key) {
        delete record[key];
        record[cleanKey] = cleanValue;
      } else if (cleanValue !== record[key]) {
        record[key] = cleanValue;
      }
    }
    return record;
  }
  return value;
}

/**
 * `redact` with a bounded memory of its answers. A filter's answer depends on the text alone, and
 * what nodes send repeats (field names, versions, cluster ids), so a sweep of a thousand nodes
 * pays the regular expressions once per distinct text instead of once per answer. Only short
 * texts are remembered, and the memory is emptied when full; it lives as long as the filter, so
 * only give it a filter without known secrets (their forms would stay reachable through it).
 */
export function memoizeRedactor(redact: (text: string) => string, maxEntries = 2048, maxLength = 256): (text: string) => string {
  const memory = new Map<string, string>();
  return (text: string) => {
    if (text.length > maxLength) return redact(text);
    let out = memory.get(text);
    if (out === undefined) {
      if (memory.size >= maxEntries) memory.clear();
      out = redact(text);
      memory.set(text, out);
    }
    return out;
  };
}
