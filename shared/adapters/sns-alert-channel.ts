import { createHash } from 'node:crypto';
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { isRetryable, ValidationError } from '../errors.ts';
import type { AlertChannel, Notification } from '../ports/alert-channel.ts';
import { awsErrorShape, describeAwsError, translateAwsError, type AwsErrorOverrides } from './aws-errors.ts';
import { DEFAULT_ALERT_TIMEOUT_MS, type DeliveryFailure } from './alert-http.ts';
import { alertDocument, headline, toAscii, truncate } from './alert-text.ts';

export interface SnsAlertChannelOptions {
  id: string;
  topicArn: string;
  /** A configured client (region, credentials, endpoint); best with `maxAttempts: 1`, the outbox retries. */
  client: SNSClient;
  timeoutMs?: number;
}

/** SNS Publish limits: Subject under 100 characters, Message at most 256 KB. */
export const SNS_LIMITS = { subject: 99, messageBytes: 262_144 } as const;

/**
 * Amazon SNS: `Publish` of the notification as a JSON document (the signed webhook's body), with
 * an ASCII `Subject` for e-mail subscriptions and message attributes (`dedup_key`, `severity`,
 * `kind`, `cluster`, `finding`) for subscription filter policies. FIFO topics get the cluster as
 * message group and a digest of the notification id as deduplication id. SNS has no resolve: a
 * resolve is another message with `kind: resolve`. Throttling, 5xx and network errors are
 * retryable; access, missing-topic and parameter errors are not.
 */
export function createSnsAlertChannel(options: SnsAlertChannelOptions): AlertChannel {
  const { id, topicArn, client } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS;
  const problems: string[] = [];
  if (typeof id !== 'string' || id.length === 0) problems.push('id: must be a non-empty string');
  if (!/^arn:aws[\w-]*:sns:[^:]+:\d{12}:[\w-]{1,256}(\.fifo)?$/.test(topicArn ?? '')) problems.push('topicArn: must be an SNS topic ARN');
  if (typeof client?.send !== 'function') problems.push('client: must be an SNSClient');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) problems.push('timeoutMs: must be a positive integer');
  if (problems.length > 0) throw new ValidationError('invalid sns alert channel options', problems);
  const fifo = topicArn.endsWith('.fifo');
  return {
    id,
    kind: 'sns',
    async send(notification, signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const abortSignal = AbortSignal.any([signal, timeout]);
      try {
        const output = await client.send(new PublishCommand(snsPublishInput(notification, topicArn, fifo)), { abortSignal });
        return { ok: true, status: output.$metadata.httpStatusCode ?? 200 };
      } catch (error) {
        if (signal.aborted) return { ok: false, retryable: true, error: 'aborted before SNS answered' };
        if (timeout.aborted) return { ok: false, retryable: true, error: `timed out after ${timeoutMs} ms` };
        return translateSnsError(error);
      }
    },
  };
}

/** The PublishCommand input for one notification. */
export function snsPublishInput(notification: Notification, topicArn: string, fifo = topicArn.endsWith('.fifo')): PublishCommandInput {
  const severity = notification.kind === 'resolve' ? 'RESOLVED' : notification.severity.toUpperCase();
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    Subject: truncate(toAscii(`[${severity}] ${headline(notification)}`), SNS_LIMITS.subject, '...'),
    Message: snsMessage(notification),
    MessageAttributes: {
      dedup_key: { DataType: 'String', StringValue: notification.dedupKey },
      severity: { DataType: 'String', StringValue: notification.severity },
      kind: { DataType: 'String', StringValue: notification.kind },
      cluster: { DataType: 'String', StringValue: notification.cluster },
      finding: { DataType: 'String', StringValue: notification.findingId },
    },
  };
  if (fifo) {
    input.MessageGroupId = notification.cluster;
    input.MessageDeduplicationId = createHash('sha256').update(notification.id, 'utf8').digest('hex');
  }
  return input;
}

/** The JSON document; evidence is dropped (and said so) in the unlikely case it breaks 256 KB. */
function snsMessage(notification: Notification): string {
  const document = alertDocument(notification);
  const full = JSON.stringify(document);
  if (Buffer.byteLength(full, 'utf8') <= SNS_LIMITS.messageBytes) return full;
  return JSON.stringify({ ...document, data: { ...document.data, evidence: { omitted: 'size limit' } } });
}

/** SNS names the generic AWS rules would misjudge (its KMS and quota faults included). */
const SNS_OVERRIDES: AwsErrorOverrides = {
  KMSThrottlingException: 'throttled',
  KMSAccessDeniedException: 'access-denied',
  KMSDisabledException: 'access-denied',
  KMSNotFoundException: 'not-found',
  KMSInvalidStateException: 'access-denied',
  KMSOptInRequired: 'access-denied',
  InvalidSecurityException: 'credentials',
  EndpointDisabledException: 'rejected',
};

/**
 * A failed Publish as a delivery failure, retryable exactly when the one AWS classifier says a
 * later attempt may succeed. Names and status only: SDK messages may quote the request.
 */
export function translateSnsError(error: unknown): DeliveryFailure {
  const shape = awsErrorShape(error);
  const retryable = isRetryable(translateAwsError(error, { where: 'SNS Publish', overrides: SNS_OVERRIDES }));
  const status = shape.$metadata?.httpStatusCode;
  if (status === undefined) {
    const code = shape.code !== undefined && /^[A-Z0-9_]{2,40}$/.test(shape.code) ? shape.code : describeAwsError(shape, false);
    return { ok: false, retryable, error: `network error (${code})` };
  }
  return { ok: false, retryable, status, error: `SNS ${describeAwsError({ name: shape.name, message: '' }, false)} (HTTP ${status})` };
}
