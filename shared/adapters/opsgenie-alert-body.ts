import type { Notification } from '../ports/alert-channel.ts';
import { boundKey, evidenceEntries, headline, subject, truncate } from './alert-text.ts';

/**
 * Alert bodies in the Opsgenie Alert API v2 shape, shared by the Opsgenie and the Jira Service
 * Management Operations channels (JSM kept Opsgenie's alert model and field limits).
 */

export const OPSGENIE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  tags: 20,
  tag: 50,
  /** `details` keys and values together. */
  details: 8000,
  entity: 512,
  source: 100,
  note: 25_000,
} as const;

const PRIORITY: Record<Notification['severity'], 'P1' | 'P3' | 'P5'> = { critical: 'P1', warning: 'P3', info: 'P5' };

export type Responder = { type: 'team' | 'escalation' | 'schedule'; name: string } | { type: 'user'; username: string };

/**
 * Responders written as `team:NAME`, `user:EMAIL`, `escalation:NAME` or `schedule:NAME`; a bare
 * name is a team.
 */
export function parseResponder(text: string): Responder {
  const match = /^(team|user|escalation|schedule):(.+)$/.exec(text.trim());
  if (!match) return { type: 'team', name: text.trim() };
  const type = match[1] as Responder['type'];
  const value = match[2] ?? '';
  return type === 'user' ? { type, username: value } : { type, name: value };
}

/** Body of `POST /v2/alerts` (Opsgenie) or `POST /v1/alerts` (JSM Operations). */
export function opsgenieCreateBody(notification: Notification, responders: readonly string[] = []): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message: truncate(headline(notification), OPSGENIE_LIMITS.message),
    alias: opsgenieAlias(notification),
    description: truncate(description(notification), OPSGENIE_LIMITS.description),
    priority: PRIORITY[notification.severity],
    tags: tags(notification),
    details: details(notification),
    entity: truncate(subject(notification), OPSGENIE_LIMITS.entity),
    source: 'sealwatch',
  };
  if (responders.length > 0) body.responders = responders.map(parseResponder);
  return body;
}

/** Body of the close call: who closed it and why, as a note on the alert. */
export function opsgenieCloseBody(notification: Notification): Record<string, unknown> {
  const note = notification.message.trim() ? `${headline(notification)}\n${notification.message}` : headline(notification);
  return { source: 'sealwatch', note: truncate(note, OPSGENIE_LIMITS.note) };
}

/** The dedup key within the alias limit (alias is unique among open alerts). */
export function opsgenieAlias(notification: Notification): string {
  return boundKey(notification.dedupKey, OPSGENIE_LIMITS.alias);
}

function description(notification: Notification): string {
  const parts = [notification.message.trim()];
  const evidence = evidenceEntries(notification.evidence);
  if (evidence.length > 0) parts.push(['Evidence:', ...evidence.map(([k, v]) => `- ${k}: ${v}`)].join('\n'));
  if (notification.links?.length) parts.push(['Links:', ...notification.links.map((l) => `- ${l.text}: ${l.href}`)].join('\n'));
  return parts.filter(Boolean).join('\n\n');
}

function tags(notification: Notification): string[] {
  const all = ['sealwatch', `cluster:${notification.cluster}`, `severity:${notification.severity}`, `finding:${notification.findingId}`];
  if (notification.node !== undefined) all.push(`node:${notification.node}`);
  return all.slice(0, OPSGENIE_LIMITS.tags).map((t) => truncate(t, OPSGENIE_LIMITS.tag));
}

/** Fixed facts first, then evidence, each entry kept only while the total stays in the limit. */
function details(notification: Notification): Record<string, string> {
  const entries: [string, string][] = [
    ['cluster', notification.cluster],
    ...(notification.node === undefined ? [] : ([['node', notification.node]] as [string, string][])),
    ['finding', notification.findingId],
    ['severity', notification.severity],
    ['notification', notification.kind],
    ['openedAt', notification.openedAt],
    ['occurredAt', notification.occurredAt],
    ['dedupKey', notification.dedupKey],
    ...evidenceEntries(notification.evidence),
  ];
  // A Map, not an object literal: evidence keys such as `constructor` or `__proto__` stay plain keys.
  const out = new Map<string, string>();
  let used = 0;
  for (const [rawKey, rawValue] of entries) {
    const key = truncate(rawKey, 100);
    if (out.has(key)) continue;
    const value = truncate(rawValue, 1000);
    if (used + key.length + value.length > OPSGENIE_LIMITS.details) break;
    out.set(key, value);
    used += key.length + value.length;
  }
  return Object.fromEntries(out);
}
