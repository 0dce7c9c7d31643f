import type { ClusterRecord } from '../core/cluster-record.ts';
import { ConflictError, describeError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import { clusterIdOfSk, clusterItemKey, clusterItemsQuery, READ_BY_KEY_MAX, readClusterItems } from './cluster-partition.ts';
import { conditionalWrite } from './conditional-write.ts';
import { mapLimit } from './map-limit.ts';

/**
 * Every cluster's record lives in one partition (`pk CLUSTERS`, `sk CLUSTER#<id>`), so a sweep
 * checks all of them with one Query of their versions instead of asking for each key (two
 * BatchGetItem calls per 200 clusters, each key charged a read of its own).
 */
const RECORDS_PK = 'CLUSTERS';
export const clusterStateKey = (clusterId: string) => clusterItemKey(RECORDS_PK, clusterId);
/** Where sealwatch kept them until this layout (`pk CLUSTER#<id>`, `sk STATE`); moved by the first sweep that reads them. */
export const formerClusterStateKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'STATE' });
/** Written once the former records are moved (or into a new store, with nothing to move). */
export const RECORDS_LAYOUT_KEY = Object.freeze({ pk: RECORDS_PK, sk: '#layout' });

/**
 * What the store's mark says: `none`, records of the former layout may be anywhere; `moved`, every
 * cluster configured in the process that marked it was moved, and others may still have one;
 * `new`, the store was created in this layout and never held one.
 */
export type LayoutMark = 'none' | 'moved' | 'new';

export async function readLayoutMark(store: StateStore): Promise<LayoutMark> {
  const item = await store.get<Record<string, unknown>>(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk);
  if (item === null) return 'none';
  return typeof item.data === 'object' && item.data !== null && 'newStoreAt' in item.data ? 'new' : 'moved';
}

/** The one-time move of a store's cluster records into their partition, as one process sees it. */
export interface RecordMove {
  /**
   * Until the store is marked, moves the former records of `scope` (cluster ids) into the new
   * place, and marks the store once this process has moved every configured cluster; on a marked
   * store it does nothing (see `strays`). Returns the clusters whose record could not be written or
   * deleted: their sweep fails alone, rather than starting a new record over one that was not
   * moved. `deadline` (epoch ms): no cluster's move begins after it (the fan-out dispatcher's time
   * is bounded).
   */
  prepare(scope: readonly string[], options?: { deadline?: number }): Promise<Map<string, Error>>;
  /**
   * On a store marked `moved` by a process that had fewer clusters configured, moves the former
   * record of each cluster in `missing` (none in the new place, known after the read).
   */
  strays(missing: readonly string[]): Promise<Map<string, StateItem<ClusterRecord> | Error>>;
  /** The store's mark as this process last read it (`none` until read). */
  mark(): LayoutMark;
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
  const { store, logger, clock } = deps;
  let mark: LayoutMark = 'none';
  const movedHere = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  /** One move at a time in this process; a failure is the caller's, and the next call tries again. */
  const serially = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run);
    queue = next.catch(() => undefined);
    return next;
  };

  /** Moves the former records of `ids`; the moved records by id, and an error per failed cluster. */
  async function moveEach(ids: readonly string[], deadline?: number): Promise<Map<string, StateItem<ClusterRecord> | Error>> {
    const out = new Map<string, StateItem<ClusterRecord> | Error>();
    if (ids.length === 0) return out;
    const former = await readFormer(store, logger, ids);
    let moved = 0;
    await mapLimit(ids, MOVE_CONCURRENCY, async (clusterId, i) => {
      if (deadline !== undefined && clock.now() >= deadline) return;
      const item = former[i];
      try {
        if (item) {
          const key = clusterStateKey(clusterId);
          let placed: StateItem<ClusterRecord> | null = null;
          try {
            placed = await store.put<ClusterRecord>({ ...key, data: item.data, condition: { kind: 'absent' } });
          } catch (error) {
            if (!(error instanceof ConflictError)) throw error;
          }
          if (!(await conditionalWrite(store.delete(item.pk, item.sk, { kind: 'version', version: item.version })))) {
            // Another mover deleted it first (fine), or it was written again since it was read:
            // by a sealwatch of the former layout still running beside this one, whose writes
            // nobody reads from now on. Only that is worth telling.
            if ((await store.get(item.pk, item.sk)) !== null) logger.warn('records.layout_former_written_again', { cluster: clusterId });
          }
          // Written here, or by another mover or a sweep first: the new place holds it either way.
          const current = placed ?? (await store.get<ClusterRecord>(key.pk, key.sk));
          if (current) out.set(clusterId, current);
          if (placed) moved += 1;
        }
        movedHere.add(clusterId);
      } catch (error) {
        logger.warn('records.layout_move_failed', { cluster: clusterId, error: describeError(error) });
        out.set(clusterId, error instanceof Error ? error : new Error(String(error)));
      }
    });
    if (moved > 0) logger.info('records.layout_moved', { moved });
    return out;
  }

  return {
    prepare(scope, options = {}) {
      if (mark !== 'none') return Promise.resolve(new Map());
      return serially(async () => {
        const failed = new Map<string, Error>();
        if (mark === 'none') mark = await readLayoutMark(store);
        if (mark !== 'none') return failed;
        const todo = [...new Set(scope)].filter((id) => !movedHere.has(id));
        for (const [id, result] of await moveEach(todo, options.deadline)) if (result instanceof Error) failed.set(id, result);
        if (configured.every((id) => movedHere.has(id))) {
          try {
            await store.put({ ...RECORDS_LAYOUT_KEY, data: { movedAt: new Date(clock.now()).toISOString() }, condition: { kind: 'any' } });
            mark = 'moved';
          } catch (error) {
            // Every record is moved; only the mark is missing, and the next sweep writes it.
            logger.warn('records.layout_mark_failed', { error: describeError(error) });
          }
        }
        return failed;
      });
    },
    strays(missing) {
      if (mark !== 'moved' || missing.length === 0) return Promise.resolve(new Map());
      return serially(() => moveEach(missing));
    },
    mark: () => mark,
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
    const each = await readEachAlone(store, clusterIds.map(formerClusterStateKey));
    return each.map((read, i) => {
      if (!(read instanceof Error)) return read;
      if (!(read instanceof ValidationError)) throw read;
      logger.warn('records.layout_former_unreadable', { cluster: clusterIds[i], error: describeError(read) });
      return null;
    });
  }
}

/** Each record of `keys` read alone, in order: the item, null, or the error reading that one. */
export async function readEachAlone(store: StateStore, keys: readonly { pk: string; sk: string }[]): Promise<(StateItem<ClusterRecord> | null | Error)[]> {
  return Promise.all(
    keys.map((key) => store.get<ClusterRecord>(key.pk, key.sk).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))),
  );
}

/**
 * The records of `clusterIds` for readers beside the sweep (API, dashboard, discovery), in order:
 * by key for a few clusters, by one Query of the partition for more. A record still in the former
 * place (before the move, or of a cluster the marking process did not have configured) is read
 * from there, so an upgrade shows every cluster's last state from the start.
 */
export async function readClusterRecords(store: StateStore, clusterIds: readonly string[]): Promise<(StateItem<ClusterRecord> | null)[]> {
  return withFormer(store, clusterIds, await readRecords(store, clusterIds), () => readLayoutMark(store));
}

/**
 * `read` (the new place, in `clusterIds` order) with each missing record looked for in the former
 * place, unless the store was created in this layout. Found in neither, the new place is read
 * once more: a mover may have moved it between the two reads. The mark is read only when a record
 * is missing: all it can say here is `new`, which is written when the store is created, before any
 * record, so reading it after the records hides nothing.
 */
export async function withFormer<R extends StateItem<ClusterRecord> | null | Error>(
  store: StateStore,
  clusterIds: readonly string[],
  read: readonly R[],
  markOf: () => Promise<LayoutMark>,
): Promise<(R | StateItem<ClusterRecord> | null)[]> {
  const missing = clusterIds.filter((_, i) => read[i] === null);
  if (missing.length === 0 || (await markOf()) === 'new') return [...read];
  const former = new Map((await store.getMany<ClusterRecord>(missing.map(formerClusterStateKey))).map((item, i) => [missing[i], item]));
  const neither = missing.filter((id) => !former.get(id));
  const again =
    neither.length === 0 ? new Map() : new Map((await store.getMany<ClusterRecord>(neither.map(clusterStateKey))).map((item, i) => [neither[i], item]));
  return clusterIds.map((id, i) => read[i] ?? former.get(id) ?? again.get(id) ?? null);
}

/** The records of the new place, in order: by key up to READ_BY_KEY_MAX clusters, else one Query of the partition. */
export async function readRecords(store: StateStore, clusterIds: readonly string[]): Promise<(StateItem<ClusterRecord> | null)[]> {
  try {
    return await readClusterItems<ClusterRecord>(store, RECORDS_PK, clusterIds);
  } catch (error) {
    // A malformed item fails the page, and the partition also holds the records of clusters no
    // longer configured: by key, only a malformed record of a cluster asked for fails the read.
    if (!(error instanceof ValidationError) || clusterIds.length <= READ_BY_KEY_MAX) throw error;
    return store.getMany<ClusterRecord>(clusterIds.map(clusterStateKey));
  }
}

/** The current version of each cluster's record (null: none), in order: by key for a few, else one projected Query. */
export async function recordVersions(store: StateStore, clusterIds: readonly string[]): Promise<(number | null)[]> {
  if (clusterIds.length <= READ_BY_KEY_MAX) return store.versions(clusterIds.map(clusterStateKey));
  const found = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await store.queryVersions(clusterItemsQuery(RECORDS_PK, cursor));
    for (const { sk, version } of page.items) found.set(clusterIdOfSk(sk), version);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return clusterIds.map((id) => found.get(id) ?? null);
}
