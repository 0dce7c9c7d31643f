import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsWorkQueue } from '../../../shared/adapters/sqs-work-queue.ts';
import { AccessDeniedError, NotFoundError, UnavailableError, ValidationError } from '../../../shared/errors.ts';
import type { SweepWorkMessage } from '../../../shared/ports/work-queue.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/sealwatch-dev-work';
const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const sqs = mockClient(client);
afterEach(() => sqs.reset());

const messages = (n: number): SweepWorkMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'sweep-cluster',
    dispatchId: 'd',
    clusterId: `c-${i}`,
    trigger: 'schedule',
    dispatchedAt: '2026-11-22T12:00:00.000Z',
  }));
const sentBodies = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => (c.args[0].input as SendMessageBatchCommandInput).Entries ?? [])
    .map((e) => JSON.parse(e.MessageBody ?? '') as SweepWorkMessage);

describe('sqs work queue', () => {
  it('sends 25 messages as batches of at most ten, each body the message as JSON', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await createSqsWorkQueue({ client, queueUrl: QUEUE }).send(messages(25));
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length).sort()).toEqual([10, 10, 5]);
    for (const c of calls) expect(c.args[0].input.QueueUrl).toBe(QUEUE);
    expect(
      sentBodies()
        .map((m) => m.clusterId)
        .sort(),
    ).toEqual(
      messages(25)
        .map((m) => m.clusterId)
        .sort(),
    );
  });

  it('re-sends entries SQS failed on its side and succeeds when they go through', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Successful: [], Failed: [] });
    await createSqsWorkQueue({ client, queueUrl: QUEUE }).send(messages(3));
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => JSON.parse(e.MessageBody ?? '').clusterId)).toEqual(['c-1']);
  });

  it('gives up with UnavailableError naming counts, not bodies, when entries keep failing or are refused', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [
        { Id: '0', Code: 'InvalidMessageContents', SenderFault: true },
        { Id: '2', Code: 'InternalError', SenderFault: false },
      ],
    });
    const error = await createSqsWorkQueue({ client, queueUrl: QUEUE, resendRounds: 1 })
      .send(messages(3))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/accepted 1 of 3/);
    expect((error as Error).message).toMatch(/InvalidMessageContents/);
    expect((error as Error).message).not.toContain('c-0');
  });

  it('translates SDK errors: access denied, missing queue, anything else unavailable', async () => {
    const queue = createSqsWorkQueue({ client, queueUrl: QUEUE });
    const named = (name: string) => Object.assign(new Error('sdk says no'), { name });
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(named('AccessDenied'))
      .rejectsOnce(named('AWS.SimpleQueueService.NonExistentQueue'))
      .rejectsOnce(named('TimeoutError'));
    await expect(queue.send(messages(1))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(queue.send(messages(1))).rejects.toBeInstanceOf(NotFoundError);
    await expect(queue.send(messages(1))).rejects.toBeInstanceOf(UnavailableError);
  });

  it('validates its options once', () => {
    expect(() => createSqsWorkQueue({ client, queueUrl: 'sealwatch-dev-work' })).toThrow(ValidationError);
  });
});
