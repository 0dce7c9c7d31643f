import type { Notification, NotificationKind } from '../core/incidents/notification.ts';

export type { Notification, NotificationKind };

export type DeliveryResult =
  | { ok: true; status: number }
  | {
      ok: false;
      retryable: boolean;
      /** HTTP status when there was one. */
      status?: number;
      /** From Retry-After (seconds or HTTP date), when the channel asked for a pause. */
      retryAfterMs?: number;
      /** The endpoint is gone (webhook 410): stop sending to it. */
      disable?: boolean;
      /** What went wrong, for the delivery record; never contains secrets or the webhook URL. */
      error: string;
    };

/**
 * An on-call channel (Slack, PagerDuty, Opsgenie/JSM, Teams, signed webhook, SNS).
 *
 * Guarantees: `send` never throws for delivery failures — it classifies them, so the outbox can
 * decide to retry (429 with Retry-After, 408, 5xx, network) or give up (other 4xx; Slack's
 * plain-text errors; 410 from a webhook disables the endpoint). Payloads respect the channel's
 * documented limits (truncating text) and never carry key material or tokens: only the
 * notification's own fields are sent.
 */
export interface AlertChannel {
  readonly id: string;
  readonly kind: 'slack' | 'pagerduty' | 'opsgenie' | 'jsm' | 'teams' | 'webhook' | 'sns';
  send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}
