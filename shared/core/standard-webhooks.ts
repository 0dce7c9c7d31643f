import { createHmac, timingSafeEqual } from 'node:crypto';

/** Reference libraries accept timestamps up to five minutes off, in either direction. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** The three Standard Webhooks headers (Svix's `svix-*` names carry the same values). */
export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type WebhookFailure = 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';

export type WebhookVerification = { ok: true; id: string; timestamp: number } | { ok: false; code: WebhookFailure; message: string };

const SECRET_PREFIX = 'whsec_';

/** Standard Webhooks keys are 24 to 64 random bytes; shorter ones could be guessed. */
export const MIN_WEBHOOK_KEY_BYTES = 24;

/**
 * The HMAC key of a `whsec_<base64>` secret (the prefix is optional). Null when the text is
 * not base64 or decodes to fewer than {@link MIN_WEBHOOK_KEY_BYTES} bytes, so a typo or a toy
 * secret cannot silently become a weak key.
 */
export function decodeWebhookSecret(secret: string): Uint8Array | null {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length >= MIN_WEBHOOK_KEY_BYTES ? new Uint8Array(bytes) : null;
}

/** `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, as senders compute it. */
export function signWebhook(key: Uint8Array, id: string, timestamp: number, body: Uint8Array | string): string {
  return `v1,${mac(key, id, String(timestamp), body).toString('base64')}`;
}

/**
 * Verifies a Standard Webhooks v1 (symmetric) signature over the exact body bytes. Pure: the
 * caller passes the time. Any of the space-separated `v1,` signatures may match (key rotation);
 * comparison is constant-time.
 */
export function verifyWebhook(input: {
  key: Uint8Array;
  headers: WebhookHeaders;
  body: Uint8Array | string;
  nowMs: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  const { id, timestamp, signature } = input.headers;
  if (!id || !timestamp || !signature) {
    return { ok: false, code: 'missing_headers', message: 'webhook-id, webhook-timestamp and webhook-signature headers are required' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, code: 'bad_timestamp', message: 'webhook-timestamp must be integer Unix seconds' };
  const seconds = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(Math.floor(input.nowMs / 1000) - seconds) > tolerance) {
    return { ok: false, code: 'stale_timestamp', message: `webhook-timestamp is more than ${tolerance} s away from the server time` };
  }
  const expected = mac(input.key, id, timestamp, input.body);
  for (const candidate of signature.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id, timestamp: seconds };
  }
  return { ok: false, code: 'bad_signature', message: 'no webhook-signature matches the body' };
}

function mac(key: Uint8Array, id: string, timestamp: string, body: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}
