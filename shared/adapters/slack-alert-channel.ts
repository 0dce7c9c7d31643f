import type { Secret } from '../config/secret.ts';
import type { AlertChannel, Notification } from '../ports/alert-channel.ts';
import { channelHttpDefaults, deliver, resolveSecret, type ChannelHttpOptions } from './alert-http.ts';
import { evidenceEntries, headline, truncate } from './alert-text.ts';

export interface SlackAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  /** `https://hooks.slack.com/services/T…/B…/…`: the path is the credential. */
  webhookUrl: Secret;
}

/** Block Kit limits (docs.slack.dev block reference). */
export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  fields: 10,
  field: 2000,
  /** Slack cuts `text` at 40,000; a notification line never needs more than a section. */
  text: 3000,
} as const;

const EMOJI: Record<Notification['severity'], string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

/**
 * Slack through an incoming webhook. Every kind is a message (Slack has no dedupe or resolve for
 * webhooks): a resolve is a follow-up "Resolved: …" message naming the same dedup key. Slack
 * answers 200 `ok`, or a plain-text error code (`invalid_payload`, `no_service`…) which is
 * recorded and not retried; 429 (about one message per second) and 5xx are retried.
 */
export function createSlackAlertChannel(options: SlackAlertChannelOptions): AlertChannel {
  const { id, webhookUrl } = options;
  const http = channelHttpDefaults('slack', id, options);
  return {
    id,
    kind: 'slack',
    async send(notification, signal) {
      const url = await resolveSecret(webhookUrl, 'slack webhook URL');
      if (!url.ok) return url.failure;
      return deliver({ url: url.value, body: JSON.stringify(slackMessage(notification)) }, { ...http, signal, secrets: [url.value] });
    },
  };
}

/** The webhook body: fallback `text` plus Block Kit blocks within Slack's limits. */
export function slackMessage(notification: Notification): { text: string; blocks: unknown[] } {
  const emoji = notification.kind === 'resolve' ? ':white_check_mark:' : EMOJI[notification.severity];
  const title = headline(notification);
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.header), emoji: true } }];
  if (notification.message.trim()) blocks.push(section(escapeMrkdwn(notification.message)));
  const fields: [string, string][] = [
    ['Cluster', notification.cluster],
    ...(notification.node === undefined ? [] : ([['Node', notification.node]] as [string, string][])),
    ['Severity', notification.severity],
    ['Finding', notification.findingId],
    notification.kind === 'resolve' ? ['Resolved at', notification.occurredAt] : ['Since', notification.openedAt],
  ];
  blocks.push({
    type: 'section',
    fields: fields.slice(0, SLACK_LIMITS.fields).map(([name, value]) => ({
      type: 'mrkdwn',
      text: truncate(`*${name}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.field),
    })),
  });
  const evidence = evidenceEntries(notification.evidence);
  if (evidence.length > 0) {
    blocks.push(section(['*Evidence*', ...evidence.map(([k, v]) => `• ${escapeMrkdwn(k)}: ${escapeMrkdwn(v)}`)].join('\n')));
  }
  if (notification.links?.length) {
    blocks.push(section(notification.links.map((l) => `<${linkTarget(l.href)}|${escapeMrkdwn(l.text)}>`).join('  ·  ')));
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`sealwatch · ${notification.kind} · dedup: ${escapeMrkdwn(notification.dedupKey)}`, SLACK_LIMITS.field) }],
  });
  return { text: truncate(escapeMrkdwn(`${emoji} ${title}`), SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

function section(text: string): unknown {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.section) } };
}

/** Slack's mrkdwn reserves exactly these three characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<` `>` `|` would end Slack's `<url|text>` link syntax early. */
function linkTarget(href: string): string {
  return href.replace(/[<>|]/g, (c) => encodeURIComponent(c));
}
