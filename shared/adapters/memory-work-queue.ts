import type { WorkMessage, WorkQueue } from '../ports/work-queue.ts';

export interface MemoryWorkQueueOptions {
  /** Messages handled at once, like an SQS event source's maximum concurrency. Default 16. */
  concurrency?: number;
  /** Deliveries of a failing message before it is dead-lettered, like `maxReceiveCount`. Default 3. */
  maxReceives?: number;
}

export interface MemoryWorkQueue extends WorkQueue {
  /** Starts delivering to `handler`; a rejected promise counts as a failed receive. One consumer. */
  consume(handler: (message: WorkMessage) => Promise<void>): void;
  /** Resolves when every message sent so far has been handled or dead-lettered (needs a consumer). */
  drain(): Promise<void>;
  /** Messages that failed `maxReceives` times, with the last error. */
  deadLetters(): { message: WorkMessage; error: unknown }[];
}

interface Entry {
  message: WorkMessage;
  receives: number;
}

/**
 * The in-process WorkQueue: the same dispatch → worker path as SQS, run locally and in tests.
 * Messages are copied through JSON on send, as a real queue would serialise them.
 */
export function createMemoryWorkQueue(options: MemoryWorkQueueOptions = {}): MemoryWorkQueue {
  const concurrency = options.concurrency ?? 16;
  const maxReceives = options.maxReceives ?? 3;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  if (!Number.isInteger(maxReceives) || maxReceives < 1) throw new RangeError('maxReceives must be a positive integer');
  const waiting: Entry[] = [];
  const dead: { message: WorkMessage; error: unknown }[] = [];
  let handler: ((message: WorkMessage) => Promise<void>) | undefined;
  let inFlight = 0;
  let idle: (() => void)[] = [];

  const pump = (): void => {
    while (handler && inFlight < concurrency && waiting.length > 0) {
      const entry = waiting.shift() as Entry;
      entry.receives += 1;
      inFlight += 1;
      const deliver = handler;
      void (async () => {
        try {
          await deliver(JSON.parse(JSON.stringify(entry.message)) as WorkMessage);
        } catch (error) {
          if (entry.receives >= maxReceives) dead.push({ message: entry.message, error });
          else waiting.push(entry);
        } finally {
          inFlight -= 1;
          pump();
          settle();
        }
      })();
    }
  };
  const settle = (): void => {
    if (inFlight > 0 || waiting.length > 0) return;
    const resolvers = idle;
    idle = [];
    for (const resolve of resolvers) resolve();
  };

  return {
    async send(messages) {
      for (const message of messages) waiting.push({ message: JSON.parse(JSON.stringify(message)) as WorkMessage, receives: 0 });
      pump();
    },
    consume(next) {
      if (handler) throw new Error('memory work queue already has a consumer');
      handler = next;
      pump();
    },
    drain() {
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      });
    },
    deadLetters: () => [...dead],
  };
}
