import { randomBytes } from 'node:crypto';
import { describeError } from '../errors.ts';
import type { AlertChannel, DeliveryResult } from '../ports/alert-channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem } from '../ports/state-store.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

/** What happened to one entry in a run. */
export interface DrainOutcome {
  id: string;
  channel: string;
  state: OutboxEntry['state'];
  status?: number;
  error?: string;
}

export interface DrainResult {
  attempted: number;
  delivered: number;
  /** Failed for good this run: permanent error or gave up. */
  failed: number;
  /** Failed and rescheduled. */
  retrying: number;
  /** Not sent: channel disabled or no longer configured. */
  skipped: number;
  /** Earliest due time of a pending entry (epoch ms), or null when nothing is pending. */
  nextDueAt: number | null;
  /** One line per attempt, for `alerts test` and logs. */
  outcomes: DrainOutcome[];
}

export interface OutboxDrain {
  /**
   * Delivers every due entry once (no waiting for later ones); safe to run concurrently.
   * `budgetMs` stops starting new sends after that long (the sweep drains within its lease).
   */
  run(options?: { only?: (entry: OutboxEntry) => boolean; budgetMs?: number }): Promise<DrainResult>;
}

export interface OutboxDrainOptions {
  outbox: Outbox;
  /** The configured channels, by id. */
  channels: () => readonly AlertChannel[];
  clock: Clock;
  logger: Logger;
  giveUpAfterMs: number;
  /** Uniform [0, 1): the jitter source. Default Math.random. */
  random?: () => number;
  /** Identifies this drain in claims. Default a random id. */
  owner?: string;
  /** Deadline of one send. Default 15 s. */
  deliveryTimeoutMs?: number;
  /** First retry delay; doubles per attempt up to `maxDelayMs`. Defaults 5 s and 1 h. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Entries sent per channel per run, so one busy channel cannot make a run endless. Default 25. */
  perChannelLimit?: number;
  /** Told every delivery outcome of a run (metrics). */
  onOutcome?: (outcome: DrainOutcome) => void;
}

/**
 * Delivers outbox entries. Each entry is claimed with a conditional write before it is sent, so
 * concurrent drains (a sweep's and the serve timer's, two Lambdas) send it at most once per
 * claim; a drain that dies after claiming leaves a claim that expires, and the next drain sends.
 * Channels run in parallel, each channel's entries one after another: a slow or failing channel
 * never delays another. Retries: 429 waits for Retry-After, other retryable failures (408, 5xx,
 * network, deadline) back off exponentially with jitter; other 4xx are final; 410 from a webhook
 * disables the channel. A retryable failure past `giveUpAfterMs` since enqueueing gives up.
 */
export function createOutboxDrain(options: OutboxDrainOptions): OutboxDrain {
  const { outbox, clock, logger } = options;
  if (!outbox || !clock || !logger) throw new TypeError('createOutboxDrain needs an outbox, a clock and a logger');
  const random = options.random ?? Math.random;
  const owner = options.owner ?? `drain-${randomBytes(6).toString('hex')}`;
  const timeoutMs = options.deliveryTimeoutMs ?? 15_000;
  const baseDelayMs = options.baseDelayMs ?? 5_000;
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  const perChannelLimit = options.perChannelLimit ?? 25;

  return {
    async run(runOptions = {}) {
      const result: DrainResult = { attempted: 0, delivered: 0, failed: 0, retrying: 0, skipped: 0, nextDueAt: null, outcomes: [] };
      const now = clock.now();
      const pending = (await outbox.list()).filter((i) => i.data.state === 'pending' && (runOptions.only?.(i.data) ?? true));
      const due = new Map<string, StateItem<OutboxEntry>[]>();
      for (const item of pending) {
        if (Date.parse(item.data.dueAt) > now) {
          noteDue(result, Date.parse(item.data.dueAt));
          continue;
        }
        const list = due.get(item.data.channel) ?? [];
        list.push(item);
        due.set(item.data.channel, list);
      }
      const channels = new Map(options.channels().map((c) => [c.id, c]));
      const stopAt = runOptions.budgetMs === undefined ? Infinity : now + runOptions.budgetMs;
      await Promise.all(
        [...due].map(([channelId, items]) =>
          drainChannel(
            channelId,
            channels.get(channelId),
            items.sort((a, b) => a.data.dueAt.localeCompare(b.data.dueAt)),
            result,
            stopAt,
          ).catch((error: unknown) => logger.error('outbox.channel_failed', { channel: channelId, error: describeError(error) })),
        ),
      );
      for (const outcome of result.outcomes) options.onOutcome?.(outcome);
      return result;
    },
  };

  async function drainChannel(channelId: string, channel: AlertChannel | undefined, items: StateItem<OutboxEntry>[], result: DrainResult, stopAt: number) {
    const status = await outbox.channelStatus(channelId);
    let sent = 0;
    for (const item of items) {
      if (sent >= perChannelLimit || clock.now() >= stopAt) {
        noteDue(result, clock.now());
        return;
      }
      const claimed = await outbox.claim(item, owner, clock.now() + timeoutMs * 2);
      if (!claimed) continue;
      const at = new Date(clock.now()).toISOString();
      const { notification } = claimed.data;
      // Test notifications are always tried: they are how an operator checks a disabled channel.
      const blocked = !channel ? 'channel not configured' : status?.disabled && notification.kind !== 'test' ? `channel disabled: ${status.reason}` : null;
      if (blocked) {
        await outbox.settle(claimed, { state: 'skipped', lastAttemptAt: at, lastError: blocked });
        result.skipped += 1;
        result.outcomes.push({ id: notification.id, channel: channelId, state: 'skipped', error: blocked });
        continue;
      }
      sent += 1;
      result.attempted += 1;
      const delivery = await send(channel as AlertChannel, claimed.data);
      const attempts = claimed.data.attempts + 1;
      const base = { attempts, lastAttemptAt: at, ...(delivery.status === undefined ? {} : { lastStatus: delivery.status }) };
      if (delivery.ok) {
        await outbox.settle(claimed, { ...base, state: 'delivered', deliveredAt: new Date(clock.now()).toISOString() });
        if (status?.disabled && notification.kind === 'test') await outbox.enableChannel(channelId);
        result.delivered += 1;
        result.outcomes.push({ id: notification.id, channel: channelId, state: 'delivered', status: delivery.status });
        continue;
      }
      const error = delivery.error.slice(0, 500);
      if (delivery.disable) {
        await outbox.disableChannel(channelId, `${delivery.status ?? 'gone'}: ${error}`.slice(0, 200));
        logger.error('outbox.channel_disabled', { channel: channelId, status: delivery.status ?? null });
      }
      const retryAt = clock.now() + delayFor(attempts, delivery.retryAfterMs);
      const expired = retryAt - Date.parse(claimed.data.createdAt) > options.giveUpAfterMs;
      if (!delivery.retryable || delivery.disable || expired) {
        const state = delivery.retryable && !delivery.disable ? 'gave-up' : 'failed';
        await outbox.settle(claimed, { ...base, state, lastError: error });
        result.failed += 1;
        result.outcomes.push({ id: notification.id, channel: channelId, state, error, ...(delivery.status === undefined ? {} : { status: delivery.status }) });
        logger.warn('outbox.delivery_failed', { channel: channelId, notification: notification.id, state, status: delivery.status ?? null, error });
        continue;
      }
      await outbox.settle(claimed, { ...base, state: 'pending', dueAt: new Date(retryAt).toISOString(), lastError: error });
      result.retrying += 1;
      noteDue(result, retryAt);
      result.outcomes.push({
        id: notification.id,
        channel: channelId,
        state: 'pending',
        error,
        ...(delivery.status === undefined ? {} : { status: delivery.status }),
      });
      // The channel asked for a pause (429): its other entries wait too.
      if (delivery.retryAfterMs !== undefined) {
        for (const rest of items.slice(items.indexOf(item) + 1)) noteDue(result, Math.max(retryAt, Date.parse(rest.data.dueAt)));
        return;
      }
    }
  }

  async function send(channel: AlertChannel, entry: OutboxEntry): Promise<DeliveryResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DeliveryResult>((resolve) => {
      timer = setTimeout(() => {
        // Resolved before aborting, so the deadline (not the adapter's abort error) is recorded.
        resolve({ ok: false, retryable: true, error: `no answer within ${timeoutMs} ms` });
        controller.abort(new Error('delivery deadline'));
      }, timeoutMs);
    });
    try {
      return await Promise.race([channel.send(entry.notification, controller.signal), deadline]);
    } catch (error) {
      // The port promises not to throw; if an adapter does anyway, treat it as transient.
      return { ok: false, retryable: true, error: `channel error: ${describeError(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Retry-After when the channel gave one (never less than it asks); else backoff with jitter in [½, 1]. */
  function delayFor(attempts: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), maxDelayMs);
    const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(backoff * (0.5 + random() * 0.5));
  }
}

function noteDue(result: DrainResult, at: number): void {
  if (result.nextDueAt === null || at < result.nextDueAt) result.nextDueAt = at;
}
