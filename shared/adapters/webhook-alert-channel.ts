import { createHash } from 'node:crypto';
import type { Secret } from '../config/secret.ts';
import { decodeWebhookSecret, signWebhook } from '../core/standard-webhooks.ts';
import { ValidationError } from '../errors.ts';
import type { AlertChannel } from '../ports/alert-channel.ts';
import { channelHttpDefaults, deliver, resolveSecret, type ChannelHttpOptions } from './alert-http.ts';
import { alertDocument } from './alert-text.ts';

export interface WebhookAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  url: string;
  /** Standard Webhooks secret: `whsec_` + base64 of the HMAC key. */
  secret: Secret;
}

/**
 * A generic JSON POST signed per Standard Webhooks v1: `webhook-id` (the notification id, the
 * same on every retry, for the receiver's dedupe), `webhook-timestamp` (Unix seconds of this
 * attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. Any 2xx is
 * delivered; 410 Gone disables the endpoint; 429, 408 and 5xx are retried (Retry-After honoured);
 * redirects are not followed.
 */
export function createWebhookAlertChannel(options: WebhookAlertChannelOptions): AlertChannel {
  const { id, url, secret } = options;
  const http = channelHttpDefaults('webhook', id, options);
  if (!/^https?:\/\/[^/]+/.test(url ?? '')) throw new ValidationError('invalid webhook alert channel options', ['url: must be an http(s) URL']);
  return {
    id,
    kind: 'webhook',
    async send(notification, signal) {
      const resolved = await resolveSecret(secret, 'webhook secret');
      if (!resolved.ok) return resolved.failure;
      const key = decodeWebhookSecret(resolved.value);
      if (!key) return { ok: false, retryable: false, error: 'webhook secret is not a whsec_ base64 key' };
      const body = JSON.stringify(alertDocument(notification));
      const messageId = webhookMessageId(notification.id);
      const timestamp = Math.floor(http.now() / 1000);
      const headers = {
        'webhook-id': messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(key, messageId, timestamp, body),
      };
      const result = await deliver({ url, headers, body }, { ...http, signal, secrets: [resolved.value, resolved.value.replace(/^whsec_/, '')] });
      if (!result.ok && result.status === 410) return { ...result, retryable: false, disable: true };
      return result;
    },
  };
}

/** Header-safe id: the notification id when it is printable ASCII, else a digest of it. */
function webhookMessageId(id: string): string {
  return /^[\x21-\x7e]{1,200}$/.test(id) ? id : `msg_${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`;
}
