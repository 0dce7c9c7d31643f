import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError, UnavailableError } from '../../shared/errors.ts';
import type { WorkMessage, WorkQueue } from '../../shared/ports/work-queue.ts';

/** One queue under test, with a way to see what it accepted. */
export interface WorkQueueUnderTest {
  queue: WorkQueue;
  /** Every message the queue has accepted so far, as its consumer would receive it. */
  accepted(): Promise<WorkMessage[]>;
  /**
   * Makes the queue's backend refuse every further send, as the real service would say it:
   * `denied` (the caller may not send) or `unavailable` (the service cannot take it now).
   * Absent for queues that cannot refuse (the in-process queue).
   */
  refuse?(how: 'denied' | 'unavailable'): void;
  close(): Promise<void>;
}

export type WorkQueueFactory = () => Promise<WorkQueueUnderTest>;

export interface WorkQueueContractOptions {
  /** The backend can be told to refuse (every WorkQueueUnderTest it builds has `refuse`). */
  canRefuse: boolean;
}

function sweepMessage(i: number): WorkMessage {
  return {
    kind: 'sweep-cluster',
    dispatchId: 'dsp-contract',
    clusterId: `cluster-${String(i).padStart(3, '0')}`,
    trigger: 'schedule',
    dispatchedAt: '2026-11-22T10:05:00.000Z',
  };
}

const recovery: WorkMessage = { kind: 'recovery', recoveryId: 'rcv_01JD8ZQ3V5T2', queuedAt: '2026-11-22T10:05:01.000Z' };

/**
 * The guarantees of the WorkQueue port (shared/ports/work-queue.ts), run against every
 * implementation: what `send` resolved for is accepted, intact and complete; refusals surface as
 * the port's errors.
 */
export function describeWorkQueueContract(name: string, factory: WorkQueueFactory, options: WorkQueueContractOptions): void {
  describe(`WorkQueue contract: ${name}`, () => {
    let subject: WorkQueueUnderTest;
    beforeEach(async () => {
      subject = await factory();
    });
    afterEach(async () => {
      await subject.close();
    });

    it('accepts both message kinds and delivers them field for field', async () => {
      await subject.queue.send([sweepMessage(1), recovery]);
      const got = await subject.accepted();
      expect(got).toHaveLength(2);
      expect(got).toEqual(expect.arrayContaining([sweepMessage(1), recovery]));
    });

    it('accepts more messages than one SQS batch holds (25), each exactly once', async () => {
      const messages = Array.from({ length: 25 }, (_, i) => sweepMessage(i));
      await subject.queue.send(messages);
      const got = await subject.accepted();
      expect(got.map((m) => (m.kind === 'sweep-cluster' ? m.clusterId : m.recoveryId)).sort()).toEqual(
        messages.map((m) => (m.kind === 'sweep-cluster' ? m.clusterId : '')).sort(),
      );
    });

    it('resolves at once for an empty list and accepts nothing', async () => {
      await subject.queue.send([]);
      expect(await subject.accepted()).toEqual([]);
    });

    it('does not share objects with the caller', async () => {
      const message = sweepMessage(7);
      await subject.queue.send([message]);
      (message as { clusterId: string }).clusterId = 'changed-after-send';
      expect(await subject.accepted()).toEqual([sweepMessage(7)]);
    });

    if (!options.canRefuse) return;
    const refuse = (how: 'denied' | 'unavailable'): void => {
      if (!subject.refuse) throw new Error(`${name} was declared able to refuse but has no refuse()`);
      subject.refuse(how);
    };

    it('a queue that refuses the caller throws AccessDeniedError', async () => {
      refuse('denied');
      await expect(subject.queue.send([sweepMessage(1)])).rejects.toBeInstanceOf(AccessDeniedError);
    });

    it('a queue that cannot take the messages throws UnavailableError, retryable', async () => {
      refuse('unavailable');
      const error = await subject.queue.send([sweepMessage(1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).retryable).toBe(true);
    });
  });
}
