import type { Secret } from '../config/secret.ts';
import type { AlertChannel, Notification } from '../ports/alert-channel.ts';
import { channelHttpDefaults, deliver, resolveSecret, type ChannelHttpOptions } from './alert-http.ts';
import { boundKey, headline, subject, truncate } from './alert-text.ts';

export const PAGERDUTY_EVENTS_URL = {
  us: 'https://events.pagerduty.com/v2/enqueue',
  eu: 'https://events.eu.pagerduty.com/v2/enqueue',
} as const;

/** Events API v2 limits. */
export const PAGERDUTY_LIMITS = { dedupKey: 255, summary: 1024, message: 8000 } as const;

export interface PagerDutyAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  /** The 32-character integration key of an "Events API v2" integration. */
  routingKey: Secret;
  region: 'us' | 'eu';
  /** Replaces the regional endpoint (tests). */
  url?: string;
}

/**
 * PagerDuty through Events API v2. trigger, update, reminder, info and test send
 * `event_action: trigger` with the notification's dedup key, so PagerDuty folds them into the one
 * open alert; resolve sends `resolve` with the same routing key and dedup key (PagerDuty drops a
 * resolve for a key with no open alert, still answering 202). 202 → delivered; 400 (invalid
 * event) → permanent; 429 and 5xx → retried.
 */
export function createPagerDutyAlertChannel(options: PagerDutyAlertChannelOptions): AlertChannel {
  const { id, routingKey } = options;
  const http = channelHttpDefaults('pagerduty', id, options);
  const url = options.url ?? PAGERDUTY_EVENTS_URL[options.region];
  return {
    id,
    kind: 'pagerduty',
    async send(notification, signal) {
      const key = await resolveSecret(routingKey, 'pagerduty routing key');
      if (!key.ok) return key.failure;
      return deliver({ url, body: JSON.stringify(pagerDutyEvent(notification, key.value)) }, { ...http, signal, secrets: [key.value] });
    },
  };
}

/** The Events API v2 body for one notification. */
export function pagerDutyEvent(notification: Notification, routingKey: string): Record<string, unknown> {
  const dedupKey = boundKey(notification.dedupKey, PAGERDUTY_LIMITS.dedupKey);
  if (notification.kind === 'resolve') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'sealwatch',
    payload: {
      summary: truncate(headline(notification), PAGERDUTY_LIMITS.summary),
      source: subject(notification),
      severity: notification.severity,
      timestamp: notification.occurredAt,
      component: notification.node ?? 'cluster',
      group: notification.cluster,
      class: notification.findingId,
      custom_details: {
        message: truncate(notification.message, PAGERDUTY_LIMITS.message),
        notification: notification.kind,
        opened_at: notification.openedAt,
        dedup_key: notification.dedupKey,
        evidence: notification.evidence,
      },
    },
  };
  if (notification.links?.length) event.links = notification.links.map((l) => ({ href: l.href, text: l.text }));
  return event;
}
