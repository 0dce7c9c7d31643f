/**
 * Finds known secrets (shares, keys, tokens) in anything sealwatch produced: log lines, state
 * items, API bodies, error messages, alert payloads. Each secret is searched in every encoding it
 * could be written in (hex both cases, base64, base64url, padded or not, raw bytes), and by
 * fragments of 24 characters, so a truncated or re-wrapped copy is found too.
 */
export interface KnownSecret {
  /** Names the secret in reports, e.g. `share 3`; never the value. */
  label: string;
  value: Uint8Array | string;
}

export interface Haystack {
  /** Where the text came from, e.g. `log`, `store CLUSTER#c/AUDIT#...`, `GET /v1/clusters`. */
  source: string;
  text: string | Uint8Array;
}

export interface Leak {
  source: string;
  secret: string;
  encoding: string;
}

interface Needle {
  secret: string;
  encoding: string;
  text: string;
}

const FRAGMENT = 24;
const STEP = 8;

function encodings(value: Uint8Array | string): { encoding: string; text: string }[] {
  if (typeof value === 'string') return [{ encoding: 'text', text: value }];
  const buffer = Buffer.from(value);
  const base64 = buffer.toString('base64');
  const base64url = buffer.toString('base64url');
  return [
    { encoding: 'hex', text: buffer.toString('hex') },
    { encoding: 'HEX', text: buffer.toString('hex').toUpperCase() },
    { encoding: 'base64', text: base64 },
    { encoding: 'base64-unpadded', text: base64.replace(/=+$/, '') },
    { encoding: 'base64url', text: base64url },
  ];
}

function needlesOf(secrets: readonly KnownSecret[]): Needle[] {
  const needles: Needle[] = [];
  for (const secret of secrets) {
    for (const { encoding, text } of encodings(secret.value)) {
      if (text.length < 8) throw new Error(`secret ${secret.label} is too short to scan for reliably`);
      needles.push({ secret: secret.label, encoding, text });
      for (let at = 0; at + FRAGMENT <= text.length; at += STEP) {
        needles.push({ secret: secret.label, encoding: `${encoding} fragment@${at}`, text: text.slice(at, at + FRAGMENT) });
      }
    }
  }
  return needles;
}

/** Every place a secret shows up; empty when nothing leaked. One entry per (source, secret). */
export function scanForLeaks(secrets: readonly KnownSecret[], haystacks: readonly Haystack[]): Leak[] {
  const needles = needlesOf(secrets);
  const raw = secrets.filter((s): s is KnownSecret & { value: Uint8Array } => typeof s.value !== 'string');
  const leaks: Leak[] = [];
  for (const haystack of haystacks) {
    const seen = new Set<string>();
    const report = (secret: string, encoding: string) => {
      if (seen.has(secret)) return;
      seen.add(secret);
      leaks.push({ source: haystack.source, secret, encoding });
    };
    const bytes = typeof haystack.text === 'string' ? Buffer.from(haystack.text, 'utf8') : Buffer.from(haystack.text);
    const text = typeof haystack.text === 'string' ? haystack.text : bytes.toString('latin1');
    for (const needle of needles) if (text.includes(needle.text)) report(needle.secret, needle.encoding);
    for (const secret of raw) if (bytes.indexOf(Buffer.from(secret.value)) >= 0) report(secret.label, 'raw bytes');
  }
  return leaks;
}

/** Human-readable list for assertion messages (labels and sources only). */
export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((l) => `${l.secret} in ${l.source} (${l.encoding})`).join('\n');
}
