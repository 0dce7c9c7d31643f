import type { Finding } from '../core/finding.ts';
import { ConflictError } from '../errors.ts';
import type { Notification } from '../ports/alert-channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import { conditionalWrite } from './conditional-write.ts';

const PK = 'OUTBOX';
const CHANNELS_PK = 'ALERTS';
const DAY = 86_400_000;

/** Where one (notification, channel) delivery stands. Only `pending` is ever sent. */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'gave-up' | 'skipped';

export interface OutboxEntry {
  notification: Notification;
  channel: string;
  state: DeliveryState;
  attempts: number;
  /** ISO times. */
  createdAt: string;
  dueAt: string;
  lastAttemptAt?: string;
  deliveredAt?: string;
  lastStatus?: number;
  /** The channel's classified error text (never a secret or a webhook URL). */
  lastError?: string;
  /** A drain holds this entry until `until` (a crashed drain's claim simply expires). */
  claim?: { owner: string; until: string };
}

/** A channel switched off because its endpoint answered 410 Gone. */
export interface ChannelStatus {
  channel: string;
  disabled: boolean;
  reason: string;
  at: string;
}

export interface Outbox {
  /** Writes one entry per channel before anything is sent; an entry already there is kept. */
  enqueue(notification: Notification, channels: readonly string[]): Promise<number>;
  /** Removes an entry nobody has tried or claimed yet (a losing concurrent evaluation takes its notifications back). */
  withdraw(notificationId: string, channel: string): Promise<boolean>;
  /** Every unexpired entry, optionally only those whose notification id starts with `prefix`. */
  list(prefix?: string): Promise<StateItem<OutboxEntry>[]>;
  /** Takes an entry for one delivery attempt; null when another drain has it or it changed. */
  claim(item: StateItem<OutboxEntry>, owner: string, untilMs: number): Promise<StateItem<OutboxEntry> | null>;
  /** Records the attempt's outcome on a claimed entry and drops the claim. False when the claim was lost. */
  settle(claimed: StateItem<OutboxEntry>, patch: Partial<OutboxEntry>): Promise<boolean>;
  channelStatus(channel: string): Promise<ChannelStatus | null>;
  disableChannel(channel: string, reason: string): Promise<void>;
  enableChannel(channel: string): Promise<void>;
}

export interface OutboxOptions {
  store: StateStore;
  clock: Clock;
  /** Pending entries are abandoned after this (the drain gives up first). */
  giveUpAfterMs: number;
  /** How long settled entries stay readable (`sealwatch incidents`). Default 7 days. */
  retentionMs?: number;
}

/**
 * The outbox in the state store: `pk OUTBOX`, `sk <notification id>#<channel>`. Notification
 * ids start with the dedup key, so one condition's deliveries are one prefix query away.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { store, clock } = options;
  if (!store || !clock) throw new TypeError('createOutbox needs a store and a clock');
  const retentionMs = options.retentionMs ?? 7 * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  const seconds = (ms: number) => Math.ceil(ms / 1000);

  return {
    async enqueue(notification, channels) {
      const now = clock.now();
      let written = 0;
      for (const channel of channels) {
        const entry: OutboxEntry = { notification, channel, state: 'pending', attempts: 0, createdAt: iso(now), dueAt: iso(now) };
        try {
          await store.put({
            pk: PK,
            sk: skOf(notification.id, channel),
            data: entry,
            expiresAt: seconds(now + options.giveUpAfterMs + retentionMs),
            condition: { kind: 'absent' },
          });
          written += 1;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
      return written;
    },
    async withdraw(notificationId, channel) {
      const sk = skOf(notificationId, channel);
      const item = await store.get<OutboxEntry>(PK, sk);
      if (!item || item.data.state !== 'pending' || item.data.attempts > 0 || item.data.claim) return false;
      return conditionalWrite(store.delete(PK, sk, { kind: 'version', version: item.version }));
    },
    async list(prefix) {
      const items: StateItem<OutboxEntry>[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<OutboxEntry>({ pk: PK, ...(prefix ? { skPrefix: prefix } : {}), ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return items;
    },
    async claim(item, owner, untilMs) {
      const now = clock.now();
      if (item.data.state !== 'pending') return null;
      if (item.data.claim && Date.parse(item.data.claim.until) > now) return null;
      try {
        return await store.put<OutboxEntry>({
          pk: item.pk,
          sk: item.sk,
          data: { ...item.data, claim: { owner, until: iso(untilMs) } },
          ...(item.expiresAt === undefined ? {} : { expiresAt: item.expiresAt }),
          condition: { kind: 'version', version: item.version },
        });
      } catch (error) {
        if (error instanceof ConflictError) return null;
        throw error;
      }
    },
    async settle(claimed, patch) {
      const { claim: _dropped, ...rest } = claimed.data;
      const data: OutboxEntry = { ...rest, ...patch };
      delete data.claim;
      const settledForGood = data.state !== 'pending';
      return conditionalWrite(
        store.put<OutboxEntry>({
          pk: claimed.pk,
          sk: claimed.sk,
          data,
          ...(settledForGood ? { expiresAt: seconds(clock.now() + retentionMs) } : claimed.expiresAt === undefined ? {} : { expiresAt: claimed.expiresAt }),
          condition: { kind: 'version', version: claimed.version },
        }),
      );
    },
    async channelStatus(channel) {
      return (await store.get<ChannelStatus>(CHANNELS_PK, `CHANNEL#${channel}`))?.data ?? null;
    },
    async disableChannel(channel, reason) {
      const status: ChannelStatus = { channel, disabled: true, reason, at: iso(clock.now()) };
      await store.put({ pk: CHANNELS_PK, sk: `CHANNEL#${channel}`, data: status, condition: { kind: 'any' } });
    },
    async enableChannel(channel) {
      await store.delete(CHANNELS_PK, `CHANNEL#${channel}`);
    },
  };
}

export function skOf(notificationId: string, channel: string): string {
  return `${notificationId}#${channel}`;
}

/**
 * `alerts.delivery-failed` findings: per cluster, the channels whose latest settled delivery
 * for that cluster failed for good (permanent error, gave up, or channel disabled). A later
 * successful delivery to the channel clears it, which resolves the incident.
 */
export function deliveryFindings(items: readonly StateItem<OutboxEntry>[]): Finding[] {
  const latest = new Map<string, OutboxEntry>();
  for (const { data } of items) {
    if (data.state === 'pending' || data.notification.kind === 'test') continue;
    const key = `${data.notification.cluster}\u0000${data.channel}`;
    const settledAt = data.deliveredAt ?? data.lastAttemptAt ?? data.createdAt;
    const other = latest.get(key);
    if (!other || settledAt > (other.deliveredAt ?? other.lastAttemptAt ?? other.createdAt)) latest.set(key, data);
  }
  const failing = new Map<string, OutboxEntry[]>();
  for (const entry of latest.values()) {
    if (entry.state === 'delivered') continue;
    const list = failing.get(entry.notification.cluster) ?? [];
    list.push(entry);
    failing.set(entry.notification.cluster, list);
  }
  return [...failing].map(([cluster, entries]) => {
    const channels = entries.map((e) => e.channel).sort();
    return {
      id: 'alerts.delivery-failed',
      severity: 'warning',
      cluster,
      message:
        `alerts could not be delivered to ${channels.join(', ')}: ${entries.map((e) => `${e.channel}: ${e.state}${e.lastError ? ` (${e.lastError})` : ''}`).join('; ')}`.slice(
          0,
          1000,
        ),
      evidence: { channels, states: entries.map((e) => e.state), statuses: entries.map((e) => e.lastStatus ?? 0) },
    } satisfies Finding;
  });
}
