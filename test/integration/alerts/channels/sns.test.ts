import { createHash } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSnsAlertChannel, SNS_LIMITS } from '../../../../shared/adapters/sns-alert-channel.ts';
import { ValidationError } from '../../../../shared/errors.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkAnswer, type SinkServer } from '../../../support/sink-server.ts';
import { closedOrigin, notification, startSilentServer } from './channel-fixtures.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:vault-alerts';
const CREDENTIALS = { accessKeyId: 'AKIASEALWATCHTEST01', secretAccessKey: 'sns-test-secret-access-key-0123456789' };
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const published: SinkAnswer = {
  status: 200,
  headers: { 'content-type': 'text/xml' },
  body: `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1</RequestId></ResponseMetadata></PublishResponse>`,
};

function snsError(status: number, code: string, type = 'Sender'): SinkAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>Topic ${TOPIC} says no</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}

/** The Query-protocol form as a plain map, MessageAttributes folded into name → value. */
function parsePublish(body: string): { params: Record<string, string>; attributes: Record<string, { type: string; value: string }> } {
  const params = Object.fromEntries(new URLSearchParams(body));
  const attributes: Record<string, { type: string; value: string }> = {};
  for (let i = 1; params[`MessageAttributes.entry.${i}.Name`]; i++) {
    attributes[params[`MessageAttributes.entry.${i}.Name`] as string] = {
      type: params[`MessageAttributes.entry.${i}.Value.DataType`] ?? '',
      value: params[`MessageAttributes.entry.${i}.Value.StringValue`] ?? '',
    };
  }
  return { params, attributes };
}

describe('sns alert channel (Query protocol against a local endpoint)', () => {
  let sink: SinkServer;
  const clients: SNSClient[] = [];
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: published });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sink.close();
  });
  beforeEach(() => {
    sink.requests.length = 0;
    sink.setScript([]);
  });

  function client(endpoint: string): SNSClient {
    const c = new SNSClient({ region: 'eu-west-1', endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    clients.push(c);
    return c;
  }
  const channel = (topicArn = TOPIC, endpoint = sink.url, timeoutMs?: number) =>
    createSnsAlertChannel({ id: 'sns', topicArn, client: client(endpoint), ...(timeoutMs ? { timeoutMs } : {}) });
  async function sent(n: Notification, topicArn = TOPIC) {
    expect(await channel(topicArn).send(n, new AbortController().signal)).toEqual({ ok: true, status: 200 });
    return parsePublish(sink.requests.at(-1)?.body ?? '');
  }

  it('publishes the notification document with subject and filterable attributes', async () => {
    const { params, attributes } = await sent(notification());
    expect(params.Action).toBe('Publish');
    expect(params.TopicArn).toBe(TOPIC);
    expect(params.Subject).toBe('[CRITICAL] prod-eu/vault-2 is sealed');
    expect(JSON.parse(params.Message ?? '')).toMatchObject({
      type: 'sealwatch.alert.trigger',
      timestamp: '2026-11-22T10:05:00.000Z',
      data: { dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed', severity: 'critical', cluster: 'prod-eu', node: 'vault-2', message: notification().message },
    });
    expect(attributes).toEqual({
      dedup_key: { type: 'String', value: 'sealwatch:prod-eu:vault-2:node.sealed' },
      severity: { type: 'String', value: 'critical' },
      kind: { type: 'String', value: 'trigger' },
      cluster: { type: 'String', value: 'prod-eu' },
      finding: { type: 'String', value: 'node.sealed' },
    });
    expect(params).not.toHaveProperty('MessageGroupId');
  });

  it('sends reminder and resolve with their kind and the same dedup key', async () => {
    const reminder = await sent(notification({ kind: 'reminder' }));
    expect(reminder.params.Subject).toBe('[CRITICAL] Reminder: prod-eu/vault-2 is sealed');
    expect(reminder.attributes.kind?.value).toBe('reminder');
    const resolve = await sent(notification({ kind: 'resolve' }));
    expect(resolve.params.Subject).toBe('[RESOLVED] Resolved: prod-eu/vault-2 is sealed');
    expect(resolve.attributes).toMatchObject({ kind: { value: 'resolve' }, dedup_key: { value: 'sealwatch:prod-eu:vault-2:node.sealed' } });
  });

  it('keeps the subject ASCII, one line and under 100 characters', async () => {
    const { params } = await sent(notification({ title: `Nœud «vault-2»\nest scellé ${'é'.repeat(200)}` }));
    const subject = params.Subject ?? '';
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith('[CRITICAL] N?ud ?vault-2? est scelle ')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject.length).toBe(SNS_LIMITS.subject);
  });

  it('adds message group and deduplication ids on FIFO topics', async () => {
    const fifo = 'arn:aws:sns:eu-west-1:111122223333:vault-alerts.fifo';
    const { params } = await sent(notification(), fifo);
    expect(params.MessageGroupId).toBe('prod-eu');
    expect(params.MessageDeduplicationId).toBe(createHash('sha256').update('ntf_01JD8ZQ3V5T2').digest('hex'));
  });

  it.each([
    [400, 'Throttling', true],
    [500, 'InternalError', true],
    [404, 'NotFound', false],
    [403, 'AuthorizationError', false],
    [400, 'InvalidParameter', false],
    [400, 'KMSDisabled', false],
  ] as const)('translates HTTP %i %s (retryable: %s)', async (status, code, retryable) => {
    sink.setScript([snsError(status, code, status >= 500 ? 'Receiver' : 'Sender')]);
    const result = await channel().send(notification(), new AbortController().signal);
    expect(result).toMatchObject({ ok: false, retryable, status });
    if (!result.ok) {
      expect(result.error).toContain(code);
      expect(result.error).not.toContain(TOPIC); // SDK messages are not copied
      expect(result.error).not.toContain(CREDENTIALS.secretAccessKey);
    }
    expect(sink.requests).toHaveLength(1); // one attempt: the outbox owns retries
  });

  it('treats a refused connection as retryable', async () => {
    const result = await channel(TOPIC, await closedOrigin()).send(notification(), new AbortController().signal);
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (!result.ok) expect(result.error).toMatch(/^network error/);
  });

  it('times out on a silent endpoint, retryable', async () => {
    const silent = await startSilentServer();
    try {
      const result = await channel(TOPIC, silent.url, 300).send(notification(), new AbortController().signal);
      expect(result).toEqual({ ok: false, retryable: true, error: 'timed out after 300 ms' });
    } finally {
      await silent.close();
    }
  });

  it('treats an aborted send as retryable', async () => {
    const silent = await startSilentServer();
    try {
      const controller = new AbortController();
      const pending = channel(TOPIC, silent.url, 20_000).send(notification(), controller.signal);
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toEqual({ ok: false, retryable: true, error: 'aborted before SNS answered' });
    } finally {
      await silent.close();
    }
  });

  it('refuses a topic ARN that is not one', () => {
    let problems: readonly string[] = [];
    try {
      channel('arn:aws:sqs:eu-west-1:111122223333:q');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      problems = (error as ValidationError).problems;
    }
    expect(problems).toEqual(['topicArn: must be an SNS topic ARN']);
  });
});
