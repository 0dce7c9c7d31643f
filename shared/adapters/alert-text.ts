import { createHash } from 'node:crypto';
import type { Notification, NotificationKind } from '../ports/alert-channel.ts';

/**
 * Text shaping shared by every alert channel: length limits, one-line fields, bounded keys and
 * the wording of each notification kind. Channels differ in format, never in these rules.
 */

export const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` UTF-16 code units, ending with `ellipsis` when cut. Cuts fall on
 * code-point boundaries (a surrogate pair is never split), and counting UTF-16 units keeps the
 * result within the limit whether a provider counts code units or code points.
 */
export function truncate(text: string, max: number, ellipsis = ELLIPSIS): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max <= ellipsis.length) return ellipsis.slice(0, max);
  let end = max - ellipsis.length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end) + ellipsis;
}

/** `text` cut to at most `maxBytes` of UTF-8 (with an ellipsis when cut), on a code-point boundary. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  if (budget < 0) return '';
  let used = 0;
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > budget) break;
    used += size;
    out += char;
  }
  return out + ELLIPSIS;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Line breaks, tabs and other control characters become single spaces (headers, subjects). */
export function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Printable ASCII only: accents are dropped to their base letter, anything else becomes `?`. */
export function toAscii(text: string): string {
  return oneLine(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * A dedup key that fits `max`: unchanged when short enough, otherwise a prefix plus a hash of the
 * whole key, so two long keys that share a prefix still stay distinct (and stable across sends).
 */
export function boundKey(key: string, max: number): string {
  if (key.length <= max) return key;
  const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  let end = max - digest.length - 1;
  if (isHighSurrogate(key.charCodeAt(end - 1))) end -= 1;
  return `${key.slice(0, end)}#${digest}`;
}

const KIND_PREFIX: Record<NotificationKind, string> = {
  trigger: '',
  update: 'Update: ',
  reminder: 'Reminder: ',
  resolve: 'Resolved: ',
  info: '',
  test: 'Test: ',
};

/** The title as a channel shows it: `Resolved: prod-eu/vault-2 is sealed`. */
export function headline(notification: Notification): string {
  return oneLine(KIND_PREFIX[notification.kind] + notification.title);
}

/** Evidence values as display strings (arrays joined, null shown as `-`), in insertion order. */
export function evidenceEntries(evidence: Notification['evidence']): [string, string][] {
  return Object.entries(evidence).map(([key, value]) => [key, displayValue(value)]);
}

function displayValue(value: Notification['evidence'][string]): string {
  if (value === null) return '-';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** `cluster/node`, or just the cluster for cluster-wide conditions. */
export function subject(notification: Notification): string {
  return notification.node === undefined ? notification.cluster : `${notification.cluster}/${notification.node}`;
}

const DOCUMENT_TITLE_MAX = 1000;
const DOCUMENT_MESSAGE_MAX = 8000;

/**
 * The notification as a JSON document for machine receivers (signed webhook, SNS): Standard
 * Webhooks' recommended `{type, timestamp, data}` shape, with the two free-text fields bounded.
 */
export function alertDocument(notification: Notification): { type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    type: `sealwatch.alert.${notification.kind}`,
    timestamp: notification.occurredAt,
    data: {
      id: notification.id,
      kind: notification.kind,
      dedupKey: notification.dedupKey,
      severity: notification.severity,
      title: truncate(notification.title, DOCUMENT_TITLE_MAX),
      message: truncate(notification.message, DOCUMENT_MESSAGE_MAX),
      cluster: notification.cluster,
      node: notification.node ?? null,
      findingId: notification.findingId,
      evidence: notification.evidence,
      openedAt: notification.openedAt,
      occurredAt: notification.occurredAt,
      links: notification.links ?? [],
    },
  };
}
