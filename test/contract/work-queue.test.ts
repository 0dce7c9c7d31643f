import { SQSClient } from '@aws-sdk/client-sqs';
import { createMemoryWorkQueue } from '../../shared/adapters/memory-work-queue.ts';
import { createSqsWorkQueue } from '../../shared/adapters/sqs-work-queue.ts';
import type { WorkMessage } from '../../shared/ports/work-queue.ts';
import { startSqsWire } from '../support/sqs-wire-server.ts';
import { describeWorkQueueContract } from './work-queue.contract.ts';

describeWorkQueueContract(
  'memory (in-process consumer)',
  async () => {
    const queue = createMemoryWorkQueue({ concurrency: 4 });
    const received: WorkMessage[] = [];
    queue.consume(async (message) => {
      received.push(message);
    });
    return {
      queue,
      accepted: async () => {
        await queue.drain();
        return [...received];
      },
      close: async () => {},
    };
  },
  { canRefuse: false },
);

describeWorkQueueContract(
  'sqs (real @aws-sdk/client-sqs against the SQS JSON-protocol wire fake)',
  async () => {
    const wire = await startSqsWire();
    // maxAttempts 1: refusal tests must not wait on SDK backoff.
    const client = new SQSClient({
      endpoint: wire.url.replace(/\/\d+\/.*$/, ''),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
    return {
      queue: createSqsWorkQueue({ client, queueUrl: wire.url, resendRounds: 0 }),
      accepted: async () => wire.bodies.map((body) => JSON.parse(body) as WorkMessage),
      refuse: (how) => {
        wire.refuse = how === 'denied' ? { type: 'AccessDenied', status: 403 } : { type: 'ServiceUnavailable', status: 503 };
      },
      close: async () => {
        client.destroy();
        await wire.close();
      },
    };
  },
  { canRefuse: true },
);
