import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports/clock.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import type { RecoveryAction, RecoveryResult } from './recovery.ts';

/** One cluster's outcome: its result, or why it could not run (a failed cluster is an outcome). */
export type RecoveryOutcome = RecoveryResult | { cluster: string; error: { code: string; message: string } };

/** What was asked, without the signal (records and queue messages are plain data). */
export interface RecoveryAsk {
  clusterId: string;
  action: RecoveryAction;
  nodeIds?: string[];
  dryRun?: boolean;
}

/**
 * - `running`: in the request that started it, or in a worker (until `runningUntil`).
 * - `queued`: handed to the worker (waiting, or waiting for a retry after `lastError`).
 * - `done`: every cluster has an outcome. `failed`: the hand-off itself failed.
 */
export type RecoveryStatus = 'running' | 'queued' | 'done' | 'failed';

export interface RecoveryRecord {
  id: string;
  status: RecoveryStatus;
  /** `api`, `alertmanager`, `webhook`, `eventbridge`. */
  trigger: string;
  createdAt: string;
  updatedAt: string;
  requests: RecoveryAsk[];
  /** Aligned with `requests`; null while that cluster's recovery has not finished. */
  results: (RecoveryOutcome | null)[];
  /** Worker attempts so far (0 while it ran in the request only). */
  attempts: number;
  /** Epoch ms until which the current runner owns it (its invocation's deadline). */
  runningUntil?: number;
  lastError?: { code: string; message: string };
}

/** Recovery records live a week (the table's TTL attribute; readers ignore expired items). */
export const RECOVERY_TTL_DAYS = 7;
const PK = 'RECOVERY';

export interface RecoveryRecords {
  newId(): string;
  create(record: RecoveryRecord): Promise<StateItem<RecoveryRecord>>;
  get(id: string): Promise<StateItem<RecoveryRecord> | null>;
  /** Writes `next` only if the record is still at `version` (ConflictError otherwise). */
  update(next: RecoveryRecord, version: number): Promise<StateItem<RecoveryRecord>>;
  /** Newest first. */
  recent(limit: number): Promise<RecoveryRecord[]>;
}

/**
 * Recovery records in the state store: `pk RECOVERY`, `sk` = the id, which starts with its UTC
 * time (`rcv-20261207T072700Z-<8 hex>`), so the partition reads in time order. Ids are the only
 * handle a caller gets; they carry no cluster or secret.
 */
export function createRecoveryRecords(options: { store: StateStore; clock: Clock; random?: () => string }): RecoveryRecords {
  const { store, clock } = options;
  const random = options.random ?? (() => randomBytes(4).toString('hex'));
  const expiresAt = () => Math.floor(clock.now() / 1000) + RECOVERY_TTL_DAYS * 86_400;

  return {
    newId() {
      const stamp = new Date(clock.now())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      return `rcv-${stamp}-${random()}`;
    },
    create: (record) => store.put({ pk: PK, sk: record.id, data: record, expiresAt: expiresAt(), condition: { kind: 'absent' } }),
    get: (id) => (RECOVERY_ID.test(id) ? store.get<RecoveryRecord>(PK, id) : Promise.resolve(null)),
    update: (next, version) =>
      store.put({
        pk: PK,
        sk: next.id,
        data: { ...next, updatedAt: new Date(clock.now()).toISOString() },
        expiresAt: expiresAt(),
        condition: { kind: 'version', version },
      }),
    async recent(limit) {
      const all: RecoveryRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<RecoveryRecord>({ pk: PK, ...(cursor ? { cursor } : {}) });
        all.push(...page.items.map((i) => i.data));
        cursor = page.cursor;
      } while (cursor);
      return all.reverse().slice(0, limit);
    },
  };
}

/** The shape of an id; anything else is not looked up. */
export const RECOVERY_ID = /^rcv-\d{8}T\d{6}Z-[0-9a-f]{8}$/;
