import type { ClusterRecord } from '../core/cluster-record.ts';
import { describeError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import { conditionalWrite } from './conditional-write.ts';
import { mapLimit } from './map-limit.ts';

/**
 * Every cluster's record lives in one partition (`pk CLUSTERS`, `sk CLUSTER#<id>`), so a sweep
 * checks all of them with one Query of their versions instead of asking for each key (two
 * BatchGetItem calls per 200 clusters, each key charged a read of its own).
 */
const RECORDS_PK = 'CLUSTERS';
export const clusterStateKey = (clusterId: string) => ({ pk: RECORDS_PK, sk: `${SK_PREFIX}${clusterId}` });
const SK_PREFIX = 'CLUSTER#';
/** The cluster id of a record's sort key, or null for another item of the partition (the marker). */
export const clusterIdOf = (sk: string): string | null => (sk.startsWith(SK_PREFIX) ? sk.slice(SK_PREFIX.length) : null);
/** Where sealwatch kept them until this layout (`pk CLUSTER#<id>`, `sk STATE`); moved on first read. */
export const formerClusterStateKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'STATE' });
/** Written once the former records are moved (or into a new store, with nothing to move). */
export const RECORDS_LAYOUT_KEY = Object.freeze({ pk: RECORDS_PK, sk: '#layout' });
/** Up to this many clusters, their records are read by key; more, the partition is queried. */
export const READ_BY_KEY_MAX = 16;

/** The one-time move of a store's cluster records into their partition, as one process sees it. */
export interface RecordMove {
  /**
   * Moves the former records of `scope` (cluster ids) unless the store is marked as moved; once
   * this process has moved every configured cluster, it marks the store. A sweep of a few
   * clusters (a fan-out worker, a recover) so moves only its own, never the whole fleet's.
   */
  prepare(scope: readonly string[]): Promise<void>;
  /** Whether this process has seen the store marked as moved (then it never looks again). */
  done(): boolean;
}

/** Puts and deletes of the move in flight at once (a first sweep of a large fleet). */
const MOVE_CONCURRENCY = 16;

/**
 * For each cluster the record is written to the new place if nothing is there yet (a record
 * already there is newer: a sweep wrote it), then the former item is deleted if it is still the
 * one read. Written before deleted, so a move cut short leaves the record in both places and the
 * next move finishes it; nothing is lost, whatever stops it. Records are never deleted from the
 * new place, so a mover working from a stale read cannot bring back anything. One move at a time
 * in a process; two processes moving at once each write nothing the other has written.
 */
export function createRecordMove(deps: { store: StateStore; clock: Clock; logger: Logger }, configured: readonly string[]): RecordMove {
  const { store, logger } = deps;
  let done = false;
  const movedHere = new Set<string>();
  let queue: Promise<void> = Promise.resolve();

  async function move(scope: readonly string[]): Promise<void> {
    if (done) return;
    if ((await store.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)) !== null) {
      done = true;
      return;
    }
    const todo = [...new Set(scope)].filter((id) => !movedHere.has(id));
    const former = todo.length === 0 ? [] : await readFormer(store, logger, todo);
    const moved = await mapLimit(todo, MOVE_CONCURRENCY, async (clusterId, i) => {
      const item = former[i];
      if (!item) return false;
      const placed = await conditionalWrite(store.put<ClusterRecord>({ ...clusterStateKey(clusterId), data: item.data, condition: { kind: 'absent' } }));
      if (!(await conditionalWrite(store.delete(item.pk, item.sk, { kind: 'version', version: item.version })))) {
        // Another mover deleted it first (fine), or it was written again since it was read: by a
        // sealwatch of the former layout still running beside this one, whose writes nobody reads
        // from now on. Only that is worth telling.
        if ((await store.get(item.pk, item.sk)) !== null) logger.warn('records.layout_former_written_again', { cluster: clusterId });
      }
      return placed;
    });
    for (const id of todo) movedHere.add(id);
    const count = moved.filter(Boolean).length;
    if (count > 0) logger.info('records.layout_moved', { moved: count });
    if (!configured.every((id) => movedHere.has(id))) return;
    await store.put({ ...RECORDS_LAYOUT_KEY, data: { movedAt: new Date(deps.clock.now()).toISOString() }, condition: { kind: 'any' } });
    done = true;
  }

  return {
    prepare(scope) {
      if (done) return Promise.resolve();
      const next = queue.then(() => move(scope));
      // A failed move is tried again by the next call; the caller sees this one's failure.
      queue = next.catch(() => undefined);
      return next;
    },
    done: () => done,
  };
}

/**
 * The former items; one that cannot be read (malformed) is left where it is and counts as none, as
 * a malformed record always has (the sweep writes a new one).
 */
async function readFormer(store: StateStore, logger: Logger, clusterIds: readonly string[]): Promise<(StateItem<ClusterRecord> | null)[]> {
  try {
    return await store.getMany<ClusterRecord>(clusterIds.map(formerClusterStateKey));
  } catch (batchError) {
    // Only a malformed item is passed over; a store that cannot answer stops the move (and the
    // sweep), so no record is taken for missing and left behind.
    if (!(batchError instanceof ValidationError)) throw batchError;
    return Promise.all(
      clusterIds.map(async (id) => {
        const key = formerClusterStateKey(id);
        try {
          return await store.get<ClusterRecord>(key.pk, key.sk);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          logger.warn('records.layout_former_unreadable', { cluster: id, error: describeError(error) });
          return null;
        }
      }),
    );
  }
}

/**
 * The records of `clusterIds` for readers beside the sweep (API, dashboard, discovery), in order:
 * by key for a few clusters, by one Query of the partition for more. Until the one-time move is
 * done (a sweep does it), a record still in the former place is read from there, so an upgrade
 * shows every cluster's last state from the start.
 */
export async function readClusterRecords(store: StateStore, clusterIds: readonly string[]): Promise<(StateItem<ClusterRecord> | null)[]> {
  const items = await readRecords(store, clusterIds);
  const missing = clusterIds.filter((_, i) => items[i] === null);
  if (missing.length === 0 || (await store.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)) !== null) return items;
  const former = new Map((await store.getMany<ClusterRecord>(missing.map(formerClusterStateKey))).map((item, i) => [missing[i], item]));
  // In neither place: a mover may have moved it between the two reads; the new place once more.
  const neither = missing.filter((id) => !former.get(id));
  const again =
    neither.length === 0 ? new Map() : new Map((await store.getMany<ClusterRecord>(neither.map(clusterStateKey))).map((item, i) => [neither[i], item]));
  return clusterIds.map((id, i) => items[i] ?? former.get(id) ?? again.get(id) ?? null);
}

/** The records of the new place, in order: by key up to READ_BY_KEY_MAX clusters, else one Query of the partition. */
export async function readRecords(store: StateStore, clusterIds: readonly string[]): Promise<(StateItem<ClusterRecord> | null)[]> {
  const byKey = () => store.getMany<ClusterRecord>(clusterIds.map(clusterStateKey));
  if (clusterIds.length <= READ_BY_KEY_MAX) return byKey();
  const found = new Map<string, StateItem<ClusterRecord>>();
  let cursor: string | undefined;
  try {
    do {
      const page = await store.query<ClusterRecord>({ pk: RECORDS_PK, skPrefix: SK_PREFIX, ...(cursor === undefined ? {} : { cursor }) });
      for (const item of page.items) {
        const id = clusterIdOf(item.sk);
        if (id !== null) found.set(id, item);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  } catch (error) {
    // A malformed item fails the page, and the partition also holds the records of clusters no
    // longer configured: by key, only a malformed record of a cluster asked for fails the read.
    if (!(error instanceof ValidationError)) throw error;
    return byKey();
  }
  return clusterIds.map((id) => found.get(id) ?? null);
}

/** The current version of each cluster's record (null: none), in order: by key for a few, else one projected Query. */
export async function recordVersions(store: StateStore, clusterIds: readonly string[]): Promise<(number | null)[]> {
  if (clusterIds.length <= READ_BY_KEY_MAX) return store.versions(clusterIds.map(clusterStateKey));
  const found = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await store.queryVersions({ pk: RECORDS_PK, skPrefix: SK_PREFIX, ...(cursor === undefined ? {} : { cursor }) });
    for (const { sk, version } of page.items) {
      const id = clusterIdOf(sk);
      if (id !== null) found.set(id, version);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return clusterIds.map((id) => found.get(id) ?? null);
}
