import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createSlackAlertChannel } from '../../../shared/adapters/slack-alert-channel.ts';
import { createWebhookAlertChannel } from '../../../shared/adapters/webhook-alert-channel.ts';
import { createOutbox, deliveryFindings, type Outbox } from '../../../shared/app/outbox.ts';
import { createOutboxDrain, type OutboxDrainOptions } from '../../../shared/app/outbox-drain.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { notificationOf } from '../../../shared/core/incidents/evaluate.ts';
import type { AlertChannel, Notification } from '../../../shared/ports/alert-channel.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startSinkServer, type SinkServer } from '../../support/sink-server.ts';

// The drain against real channel adapters and a scripted sink, with a fake clock so retries due
// in seconds or hours run at once.

const HOUR = 3_600_000;
const whsec = `whsec_${randomBytes(32).toString('base64')}`;
let sink: SinkServer;
let clock: FakeClock;
let store: StateStore;
let outbox: Outbox;

beforeAll(async () => {
  sink = await startSinkServer();
});
afterAll(async () => {
  await sink?.close();
});
afterEach(async () => {
  await store?.close();
});

function setup(script: Parameters<SinkServer['setScript']>[0]) {
  sink.requests.length = 0;
  sink.setScript(script, { status: 500 });
  clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  store = createMemoryStateStore({ clock });
  outbox = createOutbox({ store, clock, giveUpAfterMs: 24 * HOUR });
}

const webhook = (id = 'hook', path = '/hook') =>
  createWebhookAlertChannel({ id, url: `${sink.url}${path}`, secret: new Secret(whsec), now: () => clock.now() });
const slack = (id = 'slack') => createSlackAlertChannel({ id, webhookUrl: new Secret(`${sink.url}/services/T1/B1/secretpathsegment`), now: () => clock.now() });

function drainOf(channels: AlertChannel[], over: Partial<OutboxDrainOptions> = {}) {
  return createOutboxDrain({ outbox, channels: () => channels, clock, logger: silentLogger, giveUpAfterMs: 24 * HOUR, random: () => 0.5, ...over });
}

let seq = 0;
function notification(over: Partial<Notification> = {}): Notification {
  seq += 1;
  const n = notificationOf(
    'trigger',
    {
      dedupKey: `sealwatch:prod:vault-${seq}:node.sealed`,
      cluster: 'prod',
      node: `vault-${seq}`,
      findingId: 'node.sealed',
      severity: 'critical',
      message: 'sealed',
      evidence: {},
      openedAt: new Date(clock.now()).toISOString(),
    },
    new Date(clock.now()).toISOString(),
  );
  return { ...n, ...over };
}

/** Runs the drain, jumping the clock to each next due time, until nothing is pending. */
async function drainUntilIdle(drain: ReturnType<typeof drainOf>, maxRuns = 20) {
  const dueTimes: number[] = [];
  for (let i = 0; i < maxRuns; i++) {
    const result = await drain.run();
    if (result.nextDueAt === null) return dueTimes;
    dueTimes.push(result.nextDueAt - clock.now());
    clock.set(result.nextDueAt);
  }
  throw new Error('drain did not settle');
}

describe('outbox drain', () => {
  it('429 with Retry-After: 2, then 500 twice, then 202: delivered exactly once after four requests', async () => {
    setup([{ status: 429, headers: { 'retry-after': '2' } }, { status: 500 }, { status: 500 }, { status: 202 }]);
    const n = notification();
    await outbox.enqueue(n, ['hook']);
    const delays = await drainUntilIdle(drainOf([webhook()]));

    expect(sink.requests).toHaveLength(4);
    expect(new Set(sink.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Retry-After honoured exactly; then backoff 5 s × 2^(attempts-1) with jitter factor ¾ (random 0.5).
    expect(delays).toEqual([2_000, 7_500, 15_000]);
    const [entry] = await outbox.list();
    expect(entry?.data).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 202 });
    expect(entry?.data.claim).toBeUndefined();
    // Settled: later drains send nothing more.
    clock.advance(HOUR);
    await drainOf([webhook()]).run();
    expect(sink.requests).toHaveLength(4);
  });

  it('a 400 from Slack is recorded, not retried, and raises alerts.delivery-failed', async () => {
    setup([{ status: 400, body: 'invalid_payload' }]);
    await outbox.enqueue(notification(), ['slack']);
    const result = await drainOf([slack()]).run();
    expect(result).toMatchObject({ attempted: 1, failed: 1, retrying: 0, nextDueAt: null });
    clock.advance(HOUR);
    await drainOf([slack()]).run();
    expect(sink.requests).toHaveLength(1);
    const items = await outbox.list();
    expect(items[0]?.data).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 400 });
    expect(items[0]?.data.lastError).toContain('invalid_payload');
    expect(items[0]?.data.lastError).not.toContain('secretpathsegment');
    expect(deliveryFindings(items)).toMatchObject([{ id: 'alerts.delivery-failed', severity: 'warning', cluster: 'prod', evidence: { channels: ['slack'] } }]);
  });

  it('a delivery to the failing channel succeeding again clears the finding', async () => {
    setup([
      { status: 404, body: 'no_service' },
      { status: 200, body: 'ok' },
    ]);
    await outbox.enqueue(notification(), ['slack']);
    await drainOf([slack()]).run();
    expect(deliveryFindings(await outbox.list())).toHaveLength(1);
    clock.advance(1000);
    await outbox.enqueue(notification(), ['slack']);
    await drainOf([slack()]).run();
    expect(deliveryFindings(await outbox.list())).toEqual([]);
  });

  it('gives up on a retryable failure after giveUpAfter', async () => {
    setup([]);
    await outbox.enqueue(notification(), ['hook']);
    await drainUntilIdle(drainOf([webhook()], { giveUpAfterMs: 60_000, baseDelayMs: 5_000 }));
    const [entry] = await outbox.list();
    expect(entry?.data.state).toBe('gave-up');
    // 5 s, 10 s, 20 s (jitter ¾): attempts at 0, 3.75, 11.25, 26.25, 56.25 s; the next would pass 60 s.
    expect(sink.requests).toHaveLength(5);
    expect(deliveryFindings(await outbox.list())[0]?.evidence).toMatchObject({ states: ['gave-up'] });
  });

  it('410 from a webhook disables the channel: later notifications are skipped; a passing test re-enables it', async () => {
    setup([{ status: 410 }, { status: 204 }, { status: 204 }]);
    await outbox.enqueue(notification(), ['hook']);
    await drainOf([webhook()]).run();
    expect(await outbox.channelStatus('hook')).toMatchObject({ disabled: true });
    await outbox.enqueue(notification(), ['hook']);
    const skipped = await drainOf([webhook()]).run();
    expect(skipped).toMatchObject({ attempted: 0, skipped: 1 });
    expect(sink.requests).toHaveLength(1);

    await outbox.enqueue(notification({ kind: 'test', id: 'test-1' }), ['hook']);
    await drainOf([webhook()]).run();
    expect(sink.requests).toHaveLength(2);
    expect(await outbox.channelStatus('hook')).toBeNull();
  });

  it('one hanging channel does not delay another', async () => {
    setup([{ status: 200, body: 'ok' }]);
    const hanging: AlertChannel = {
      id: 'stuck',
      kind: 'webhook',
      send: (_n, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    await outbox.enqueue(notification(), ['stuck', 'slack']);
    let finished = false;
    const started = Date.now();
    const running = drainOf([hanging, slack()], { deliveryTimeoutMs: 1_500 })
      .run()
      .finally(() => (finished = true));
    while (sink.requests.length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 10));
    expect(sink.requests).toHaveLength(1);
    expect(finished).toBe(false);
    const result = await running;
    expect(result).toMatchObject({ delivered: 1, retrying: 1 });
    const stuck = (await outbox.list()).find((i) => i.data.channel === 'stuck');
    expect(stuck?.data).toMatchObject({ state: 'pending', attempts: 1 });
    expect(stuck?.data.lastError).toMatch(/no answer within 1500 ms/);
  });

  it('concurrent drains deliver each (notification, channel) exactly once', async () => {
    setup([]);
    sink.setScript([], { status: 200, body: 'ok' });
    for (let i = 0; i < 8; i++) await outbox.enqueue(notification(), ['slack', 'hook']);
    const drains = [1, 2, 3].map((i) => drainOf([slack(), webhook()], { owner: `drain-${i}` }));
    const results = await Promise.all(drains.map((d) => d.run()));
    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(16);
    expect(sink.requests).toHaveLength(16);
    expect((await outbox.list()).every((i) => i.data.state === 'delivered')).toBe(true);
  });

  it('enqueueing the same notification twice writes it once', async () => {
    setup([]);
    const n = notification();
    expect(await outbox.enqueue(n, ['slack', 'hook'])).toBe(2);
    expect(await outbox.enqueue(n, ['slack', 'hook'])).toBe(0);
    expect(await outbox.list()).toHaveLength(2);
  });
});
