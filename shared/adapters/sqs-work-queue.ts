import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { type SealwatchError, UnavailableError, ValidationError } from '../errors.ts';
import type { WorkQueue } from '../ports/work-queue.ts';
import { translateAwsError, type AwsErrorOverrides } from './aws-errors.ts';

export interface SqsWorkQueueOptions {
  /** A configured client (region, credentials, retries); the adapter never creates one. */
  client: SQSClient;
  /** `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
  queueUrl: string;
  /** Rounds of re-sending entries SQS refused with a retryable failure. Default 2. */
  resendRounds?: number;
}

/** SQS takes at most 10 entries per SendMessageBatch. */
const BATCH = 10;

/**
 * WorkQueue over an SQS standard queue: messages go out in SendMessageBatch calls of ten, sent
 * in parallel; entries SQS refuses as its own fault are re-sent, sender faults are not.
 *
 * @throws ValidationError when `queueUrl` is not an https URL.
 */
export function createSqsWorkQueue(options: SqsWorkQueueOptions): WorkQueue {
  const { client, queueUrl } = options;
  if (typeof client?.send !== 'function') throw new ValidationError('invalid sqs work queue options', ['client: must be an SQSClient']);
  if (!/^https?:\/\/[^/]+\/.+/.test(queueUrl)) {
    throw new ValidationError('invalid sqs work queue options', ['queueUrl: must be the queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)']);
  }
  const resendRounds = options.resendRounds ?? 2;

  async function sendBatch(
    entries: SendMessageBatchRequestEntry[],
    signal?: AbortSignal,
  ): Promise<{ retry: SendMessageBatchRequestEntry[]; refused: string[] }> {
    try {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }), signal ? { abortSignal: signal } : {});
      const byId = new Map(entries.map((e) => [e.Id, e]));
      const retry: SendMessageBatchRequestEntry[] = [];
      const refused: string[] = [];
      for (const failed of out.Failed ?? []) {
        const entry = byId.get(failed.Id);
        if (!entry) continue;
        if (failed.SenderFault) refused.push(`${failed.Code ?? 'error'}`);
        else retry.push(entry);
      }
      return { retry, refused };
    } catch (error) {
      throw translateSqsError(error, queueUrl);
    }
  }

  return {
    async send(messages, signal) {
      let pending: SendMessageBatchRequestEntry[] = messages.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) }));
      const refused: string[] = [];
      for (let round = 0; round <= resendRounds && pending.length > 0; round += 1) {
        const chunks: SendMessageBatchRequestEntry[][] = [];
        for (let i = 0; i < pending.length; i += BATCH) chunks.push(pending.slice(i, i + BATCH));
        const results = await Promise.all(chunks.map((chunk) => sendBatch(chunk, signal)));
        pending = results.flatMap((r) => r.retry);
        refused.push(...results.flatMap((r) => r.refused));
      }
      if (pending.length > 0 || refused.length > 0) {
        const codes = [...new Set(refused)].join(', ');
        throw new UnavailableError(
          `SQS accepted ${messages.length - pending.length - refused.length} of ${messages.length} work messages` + (codes ? ` (refused: ${codes})` : ''),
        );
      }
    },
  };
}

/** SQS names the generic AWS rules would misjudge (query-protocol codes included). */
const SQS_OVERRIDES: AwsErrorOverrides = {
  QueueDoesNotExist: 'not-found',
  'AWS.SimpleQueueService.NonExistentQueue': 'not-found',
  KmsAccessDenied: 'access-denied',
  KmsDisabled: 'access-denied',
  KmsNotFound: 'not-found',
  // In-flight or batch limits reached: SQS frees them as messages are consumed.
  OverLimit: 'throttled',
  KmsThrottled: 'throttled',
};

/** SQS errors through the one AWS classifier; names only (SQS messages may quote the request). */
export function translateSqsError(error: unknown, queueUrl: string): SealwatchError {
  return translateAwsError(error, { where: `SQS queue ${queueUrl}`, overrides: SQS_OVERRIDES, rejectedCode: 'sqs_error' });
}
