import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { StateStore, WriteCondition } from '../ports/state-store.ts';

/** Audit items live 400 days (the table's TTL attribute; readers ignore expired items). */
export const AUDIT_TTL_DAYS = 400;

/** Every action the trail records (the API's description lists the same). */
export const AUDIT_ACTIONS = [
  'unseal',
  'unseal-clear-block',
  'raft-join',
  'raft-remove-peer',
  'storage-backup',
  'silence',
  'incident-ack',
  'custody-write',
  'custody-rewrap',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One audited action. Identifiers only: share *indexes*, wrapper *ids*, Vault's own error texts.
 * There is deliberately no free-form field that could carry a value.
 */
export interface AuditEvent {
  /** ISO time the action started. */
  at: string;
  /** What started it: `schedule`, `cli`, `demo`, `webhook`... */
  trigger: string;
  action: AuditAction;
  /** The node acted on; `*` for an action on every node of the cluster, `-` for a cluster-level one. */
  node: string;
  shareIndexes: number[];
  wrappers: string[];
  outcome: string;
  timings: { unwrapMs: number; submitMs: number; totalMs: number };
  message: string;
}

export interface AuditLog {
  /** Writes one event under the cluster; returns its sort key. */
  record(clusterId: string, event: AuditEvent): Promise<string>;
  /**
   * Rewrites an event written by `record` (same sort key): how an action begun as `in-progress`
   * records its outcome, so a crash mid-action still leaves its start in the trail.
   */
  update(clusterId: string, sk: string, event: AuditEvent): Promise<void>;
  /** Newest first (`limit` default 100). */
  list(clusterId: string, options?: { limit?: number }): Promise<AuditEvent[]>;
}

export interface AuditLogOptions {
  store: StateStore;
  clock: Clock;
  /** Suffix that keeps two events of the same millisecond apart. Default: 6 random bytes, hex. */
  random?: () => string;
}

/**
 * The audit trail in the state store: items `pk CLUSTER#<id>`, `sk AUDIT#<iso time>#<random>`,
 * expiring after {@link AUDIT_TTL_DAYS} days through `expiresAt`. Sort keys order by time, so a
 * query on the prefix reads the trail chronologically.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { store, clock } = options;
  if (!store || !clock) throw new TypeError('createAuditLog needs a store and a clock');
  const random = options.random ?? (() => randomBytes(6).toString('hex'));

  return {
    async record(clusterId, event) {
      const now = clock.now();
      const sk = `AUDIT#${new Date(now).toISOString()}#${random()}`;
      await write(clusterId, sk, event, now, { kind: 'absent' });
      return sk;
    },

    async update(clusterId, sk, event) {
      if (!sk.startsWith('AUDIT#')) throw new TypeError(`not an audit key: ${sk}`);
      await write(clusterId, sk, event, clock.now(), { kind: 'any' });
    },

    async list(clusterId, listOptions = {}) {
      const limit = listOptions.limit ?? 100;
      const events: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<AuditEvent>({ pk: `CLUSTER#${clusterId}`, skPrefix: 'AUDIT#', ...(cursor ? { cursor } : {}) });
        events.push(...page.items.map((item) => item.data));
        cursor = page.cursor;
      } while (cursor);
      return events.reverse().slice(0, limit);
    },
  };

  async function write(clusterId: string, sk: string, event: AuditEvent, now: number, condition: WriteCondition): Promise<void> {
    // Copy field by field so nothing the caller attached by accident is persisted.
    const data: AuditEvent = {
      at: event.at,
      trigger: event.trigger,
      action: event.action,
      node: event.node,
      shareIndexes: [...event.shareIndexes],
      wrappers: [...event.wrappers],
      outcome: event.outcome,
      timings: { unwrapMs: event.timings.unwrapMs, submitMs: event.timings.submitMs, totalMs: event.timings.totalMs },
      message: event.message,
    };
    await store.put<AuditEvent>({
      pk: `CLUSTER#${clusterId}`,
      sk,
      data,
      expiresAt: Math.floor(now / 1000) + AUDIT_TTL_DAYS * 86_400,
      condition,
    });
  }
}
