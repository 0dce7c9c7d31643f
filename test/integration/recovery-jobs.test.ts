import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createMemoryWorkQueue } from '../../shared/adapters/memory-work-queue.ts';
import { createIdempotency } from '../../shared/app/idempotency.ts';
import { PUBLIC_FAILURE_MESSAGES } from '../../shared/app/public-failure.ts';
import { createRecoveryJobs } from '../../shared/app/recovery-jobs.ts';
import { createRecoveryRecords } from '../../shared/app/recovery-records.ts';
import type { RecoveryRequest, RecoveryResult, RecoveryService } from '../../shared/app/recovery.ts';
import { UnavailableError } from '../../shared/errors.ts';
import type { RecoveryWorkMessage, WorkMessage } from '../../shared/ports/work-queue.ts';
import { FakeClock } from '../support/fake-clock.ts';

/** A recovery that takes `delays[cluster]` ms (real time), honours the abort signal, and may fail. */
class TimedRecovery implements RecoveryService {
  delays: Record<string, number> = {};
  failures: Record<string, Error> = {};
  readonly started: string[] = [];
  readonly aborted: string[] = [];
  async run(request: RecoveryRequest): Promise<RecoveryResult> {
    this.started.push(request.clusterId);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.aborted.push(request.clusterId);
        reject(request.signal?.reason);
      };
      const timer = setTimeout(() => {
        request.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, this.delays[request.clusterId] ?? 0);
      request.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const failure = this.failures[request.clusterId];
    if (failure) throw failure;
    return { cluster: request.clusterId, action: request.action, dryRun: false };
  }
}

function setup() {
  const clock = new FakeClock({ start: Date.UTC(2026, 11, 7, 8) });
  const store = createMemoryStateStore({ clock });
  const recovery = new TimedRecovery();
  const sent: WorkMessage[] = [];
  const queue = createMemoryWorkQueue();
  queue.consume(async (m) => void sent.push(m));
  const jobs = createRecoveryJobs({ recovery, records: createRecoveryRecords({ store, clock }), queue, clock, logger: silentLogger, reserveMs: 50 });
  return { clock, store, recovery, sent, queue, jobs };
}

describe('recovery jobs', () => {
  it('answers within budget with every outcome; a cluster that throws is an outcome with its code and a fixed text', async () => {
    const { jobs, recovery, clock } = setup();
    recovery.failures.b = new UnavailableError('DynamoDB GetItem on table sealwatch-prod-state failed for CLUSTER#b');
    recovery.failures.c = new Error('socket hang up at /var/task/index.mjs:12');
    const requests = [
      { clusterId: 'a', action: 'recover' as const },
      { clusterId: 'b', action: 'sweep' as const },
      { clusterId: 'c', action: 'sweep' as const },
    ];
    const start = await jobs.start({ trigger: 'api', requests, budgetMs: 500, deadlineMs: clock.now() + 1000 });
    expect(start).toMatchObject({
      status: 'done',
      results: [
        { cluster: 'a' },
        { cluster: 'b', error: { code: 'unavailable', message: PUBLIC_FAILURE_MESSAGES.unavailable } },
        { cluster: 'c', error: { code: 'internal', message: PUBLIC_FAILURE_MESSAGES.internal } },
      ],
    });
    const record = await jobs.get(start.recoveryId);
    expect(record).toMatchObject({ status: 'done', attempts: 0 });
    // The record is what GET /v1/recoveries/:id and hook answers show: no table, key or path.
    for (const leak of ['sealwatch-prod-state', 'CLUSTER#', 'DynamoDB', '/var/task', 'socket hang up'])
      expect(JSON.stringify([start, record])).not.toContain(leak);
  });

  it('past the budget aborts the unfinished clusters, keeps the finished ones, and hands the rest to the queue', async () => {
    const { jobs, recovery, clock, sent, queue } = setup();
    recovery.delays = { fast: 0, slow: 5_000 };
    const started = Date.now();
    const start = await jobs.start({
      trigger: 'webhook',
      requests: [
        { clusterId: 'fast', action: 'recover' },
        { clusterId: 'slow', action: 'recover' },
      ],
      budgetMs: 100,
      deadlineMs: clock.now() + 1000,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(start).toEqual({ status: 'accepted', recoveryId: expect.any(String), results: [] });
    expect(recovery.aborted).toEqual(['slow']);
    await queue.drain();
    expect(sent).toEqual([{ kind: 'recovery', recoveryId: start.recoveryId, queuedAt: expect.any(String) }]);
    expect(await jobs.get(start.recoveryId)).toMatchObject({ status: 'queued', results: [{ cluster: 'fast' }, null] });

    // The worker runs only what is missing.
    recovery.delays.slow = 0;
    const done = await jobs.work(sent[0] as RecoveryWorkMessage, clock.now() + 60_000);
    expect(done).toMatchObject({ status: 'done', attempts: 1, results: [{ cluster: 'fast' }, { cluster: 'slow' }] });
    expect(recovery.started).toEqual(['fast', 'slow', 'slow']);
    // A duplicate delivery of a finished recovery does nothing.
    await jobs.work(sent[0] as RecoveryWorkMessage, clock.now() + 60_000);
    expect(recovery.started).toHaveLength(3);
  });

  it('a redelivery while another worker owns the recovery is skipped; after its deadline it is taken over', async () => {
    const { jobs, recovery, clock, store } = setup();
    recovery.delays = { x: 5_000 };
    const start = await jobs.start({ trigger: 'api', requests: [{ clusterId: 'x', action: 'unseal' }], budgetMs: 20, deadlineMs: clock.now() + 500 });
    const message: RecoveryWorkMessage = { kind: 'recovery', recoveryId: start.recoveryId, queuedAt: new Date(clock.now()).toISOString() };
    // Simulate a worker that claimed it and was frozen mid-run (status running until its deadline).
    const records = createRecoveryRecords({ store, clock });
    const item = await records.get(start.recoveryId);
    await records.update(
      { ...(item?.data as NonNullable<typeof item>['data']), status: 'running', attempts: 1, runningUntil: clock.now() + 60_000 },
      item?.version ?? 0,
    );
    recovery.delays.x = 0;
    expect(await jobs.work(message, clock.now() + 60_000)).toMatchObject({ status: 'running', attempts: 1 });
    expect(recovery.started).toEqual(['x']);
    clock.advance(61_000);
    expect(await jobs.work(message, clock.now() + 60_000)).toMatchObject({ status: 'done', attempts: 2 });
    expect(recovery.started).toEqual(['x', 'x']);
  });

  it('the worker throws on a retryable failure (so the queue retries) and records the attempt', async () => {
    const { jobs, recovery, clock } = setup();
    recovery.delays = { y: 5_000 };
    const start = await jobs.start({ trigger: 'api', requests: [{ clusterId: 'y', action: 'unseal' }], budgetMs: 20, deadlineMs: clock.now() + 500 });
    recovery.delays.y = 0;
    recovery.failures.y = new UnavailableError('KMS throttled on key arn:aws:kms:eu-west-1:111122223333:key/abc');
    const message: RecoveryWorkMessage = { kind: 'recovery', recoveryId: start.recoveryId, queuedAt: '' };
    // The thrown error (the worker's log, the queue's retry) keeps the details; the record does not.
    await expect(jobs.work(message, clock.now() + 60_000)).rejects.toThrow(/not finished \(KMS throttled on key arn:aws:kms/);
    expect(await jobs.get(start.recoveryId)).toMatchObject({
      status: 'queued',
      attempts: 1,
      results: [null],
      lastError: { code: 'retrying', message: PUBLIC_FAILURE_MESSAGES.unavailable },
    });
    expect(JSON.stringify(await jobs.get(start.recoveryId))).not.toContain('arn:aws');
    delete recovery.failures.y;
    expect(await jobs.work(message, clock.now() + 60_000)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('records a refused hand-off as failed and throws, so the caller answers 5xx', async () => {
    const clock = new FakeClock();
    const store = createMemoryStateStore({ clock });
    const recovery = new TimedRecovery();
    recovery.delays = { z: 5_000 };
    const jobs = createRecoveryJobs({
      recovery,
      records: createRecoveryRecords({ store, clock }),
      queue: {
        send: async () => {
          throw new UnavailableError('queue down');
        },
      },
      clock,
      logger: silentLogger,
      reserveMs: 10,
    });
    await expect(jobs.start({ trigger: 'api', requests: [{ clusterId: 'z', action: 'unseal' }], budgetMs: 20, deadlineMs: clock.now() + 500 })).rejects.toThrow(
      'queue down',
    );
    expect((await jobs.recent(5)).map((r) => [r.status, r.lastError?.code])).toEqual([['failed', 'handoff_failed']]);
  });
});

describe('idempotency (Powertools lifecycle)', () => {
  const input = (clock: FakeClock, payload = 'p') => ({ namespace: 'webhook', key: 'msg_1', payload, deadlineMs: clock.now() + 30_000 });

  it('runs once, replays the stored answer, refuses another payload under the same key', async () => {
    const clock = new FakeClock();
    const idem = createIdempotency({ store: createMemoryStateStore({ clock }), clock });
    let runs = 0;
    const handler = async () => ({ status: 202, body: { n: ++runs } });
    expect(await idem.run(input(clock), handler)).toEqual({ kind: 'ran', response: { status: 202, body: { n: 1 } } });
    expect(await idem.run(input(clock), handler)).toEqual({ kind: 'completed', response: { status: 202, body: { n: 1 } } });
    expect(await idem.run(input(clock, 'other'), handler)).toEqual({ kind: 'mismatch' });
    // The completed answer is kept 10 minutes, then the key may run again.
    clock.advance(601_000);
    expect(await idem.run(input(clock), handler)).toMatchObject({ kind: 'ran', response: { body: { n: 2 } } });
  });

  it('an in-progress claim blocks a concurrent delivery until the claiming invocation must have ended', async () => {
    const clock = new FakeClock();
    const idem = createIdempotency({ store: createMemoryStateStore({ clock }), clock });
    let release: () => void = () => {};
    const first = idem.run(input(clock), () => new Promise((resolve) => (release = () => resolve({ status: 200, body: {} }))));
    await new Promise((r) => setTimeout(r, 10));
    expect(await idem.run(input(clock), async () => ({ status: 200, body: {} }))).toEqual({ kind: 'in-progress', untilMs: clock.now() + 30_000 });
    // The claimer was frozen and never finished: past its deadline the retry runs.
    clock.advance(31_000);
    expect(await idem.run(input(clock), async () => ({ status: 200, body: { second: true } }))).toMatchObject({ kind: 'ran' });
    release();
    // The late finisher does not overwrite the newer record.
    await first;
    expect(await idem.peek('webhook', 'msg_1', 'p')).toEqual({ kind: 'completed', response: { status: 200, body: { second: true } } });
  });

  it("deletes the claim when the handler fails, so the sender's retry runs", async () => {
    const clock = new FakeClock();
    const idem = createIdempotency({ store: createMemoryStateStore({ clock }), clock });
    await expect(
      idem.run(input(clock), async () => {
        throw new UnavailableError('queue down');
      }),
    ).rejects.toThrow('queue down');
    expect(await idem.peek('webhook', 'msg_1', 'p')).toEqual({ kind: 'run' });
    expect(await idem.run(input(clock), async () => ({ status: 202, body: {} }))).toMatchObject({ kind: 'ran' });
  });
});
