import type { Secret } from '../config/secret.ts';
import type { AlertChannel, Notification } from '../ports/alert-channel.ts';
import { channelHttpDefaults, deliver, resolveSecret, type ChannelHttpOptions } from './alert-http.ts';
import { evidenceEntries, headline, truncate } from './alert-text.ts';

export interface TeamsAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  /** The Workflows "When a Teams webhook request is received" URL; its `sig=` is a credential. */
  webhookUrl: Secret;
}

/** Teams rejects messages past ~28 KB (413); the whole JSON body stays below this. */
export const TEAMS_MAX_BYTES = 28_000;
const TITLE_MAX = 500;
const MESSAGE_MAX = 10_000;
const FACT_VALUE_MAX = 500;

const COLOR: Record<Notification['severity'], string> = { critical: 'Attention', warning: 'Warning', info: 'Default' };

/**
 * Microsoft Teams through a Workflows (Power Automate) webhook with an Adaptive Card 1.4 (the
 * retired Office 365 connectors and MessageCard are not supported). Teams has no dedupe or
 * resolve: every kind is a card, a resolve is a green "Resolved: …" card. Workflows answer 202
 * with an empty body, so any 2xx counts as delivered.
 */
export function createTeamsAlertChannel(options: TeamsAlertChannelOptions): AlertChannel {
  const { id, webhookUrl } = options;
  const http = channelHttpDefaults('teams', id, options);
  return {
    id,
    kind: 'teams',
    async send(notification, signal) {
      const url = await resolveSecret(webhookUrl, 'teams webhook URL');
      if (!url.ok) return url.failure;
      return deliver({ url: url.value, body: teamsMessage(notification) }, { ...http, signal, secrets: [url.value] });
    },
  };
}

/**
 * The JSON body (a string, so its size is what was measured). Past the size limit the card is
 * shrunk in order: fewer evidence facts, then a shorter message, then no links.
 */
export function teamsMessage(notification: Notification, maxBytes = TEAMS_MAX_BYTES): string {
  const evidence = evidenceEntries(notification.evidence);
  let evidenceCount = evidence.length;
  let messageMax = MESSAGE_MAX;
  let withLinks = true;
  for (;;) {
    const body = JSON.stringify(envelope(card(notification, evidence.slice(0, evidenceCount), evidence.length - evidenceCount, messageMax, withLinks)));
    if (Buffer.byteLength(body, 'utf8') <= maxBytes) return body;
    if (evidenceCount > 0) evidenceCount = Math.floor(evidenceCount / 2);
    else if (messageMax > 0) messageMax = messageMax > 100 ? Math.floor(messageMax / 2) : 0;
    else if (withLinks) withLinks = false;
    else return body; // title, fixed facts and no links: bounded far below any real limit
  }
}

function envelope(content: unknown): unknown {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

function card(notification: Notification, evidence: [string, string][], omitted: number, messageMax: number, withLinks: boolean): unknown {
  const resolved = notification.kind === 'resolve';
  const facts: { title: string; value: string }[] = [
    { title: 'Cluster', value: notification.cluster },
    ...(notification.node === undefined ? [] : [{ title: 'Node', value: notification.node }]),
    { title: 'Severity', value: notification.severity },
    { title: 'Finding', value: notification.findingId },
    resolved ? { title: 'Resolved at', value: notification.occurredAt } : { title: 'Since', value: notification.openedAt },
    { title: 'Dedup key', value: truncate(notification.dedupKey, FACT_VALUE_MAX) },
    ...evidence.map(([title, value]) => ({ title: truncate(title, 100), value: truncate(value, FACT_VALUE_MAX) })),
    ...(omitted > 0 ? [{ title: '…', value: `${omitted} more evidence entries omitted (size limit)` }] : []),
  ];
  const body: unknown[] = [
    {
      type: 'TextBlock',
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
      color: resolved ? 'Good' : COLOR[notification.severity],
      text: truncate(headline(notification), TITLE_MAX),
    },
  ];
  const message = truncate(notification.message.trim(), messageMax);
  if (message) body.push({ type: 'TextBlock', wrap: true, text: message });
  body.push({ type: 'FactSet', facts });
  const links = withLinks ? (notification.links ?? []) : [];
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(links.length > 0 ? { actions: links.map((l) => ({ type: 'Action.OpenUrl', title: truncate(l.text, 100), url: l.href })) } : {}),
  };
}
