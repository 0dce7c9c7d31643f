import type { ClusterRecord } from '../core/cluster-record.ts';
import { ConflictError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import {
  clusterStateKey,
  createRecordMove,
  readEachAlone,
  readLayoutMark,
  readRecords,
  recordVersions,
  withFormer,
  type LayoutMark,
} from './cluster-record-layout.ts';

/** A cluster's record as read: the item, none yet, or the error reading it alone. */
export type RecordRead = StateItem<ClusterRecord> | null | Error;

/**
 * The sweep's cluster records (`CLUSTERS` / `CLUSTER#<id>`, one per cluster), kept between sweeps
 * of a long-lived process (`serve`, a warm Lambda) and checked before use: the next read asks
 * the store for the records' versions only (one Query of the partition), and reads in full only
 * those that another writer changed (or this process has not seen). Reading every record's data
 * again cost a 1,000-node sweep on the embedded store about a tenth of its time.
 *
 * Checking by version is sound because a record's version names one write: records are written
 * only by a version-conditioned put (the version counts up), the first time by a batch write
 * with a fresh version (`StateStore.putMany`), or by the one-time move's write where no record is
 * (version 1; records are never deleted from the new place, so there was none before it), so no
 * write gives a record a version it had before. The kept records are the planner's input and
 * never changed in place (`shared/core` builds new ones).
 */
export interface ClusterRecords {
  /**
   * Each cluster's record, in order; when the batch read fails, each is read alone. Until the store
   * is marked as moved, the records of `clusterIds` still in the former layout are moved first;
   * `readOnly` (a dry run) moves nothing and reads a record still in the former place there.
   */
  read(clusterIds: readonly string[], mode?: { readOnly: boolean }): Promise<RecordRead[]>;
  /**
   * Moves every configured cluster's former record, if the store is not marked as moved yet; no
   * cluster's move begins after `deadline` (epoch ms). A cluster whose move failed is logged and
   * left for its next sweep.
   */
  prepare(options?: { deadline?: number }): Promise<void>;
  /** Writes a changed record conditioned on the version read; false when another writer was first. */
  persist(clusterId: string, record: ClusterRecord, prior: StateItem<ClusterRecord>): Promise<{ ok: boolean; warning?: string }>;
  /** A first record the sweep's batch wrote, with the version it was written with. */
  remember(clusterId: string, version: number, record: ClusterRecord): void;
}

/** Records kept at most; past it the memory starts over (a fleet whose clusters keep changing). */
const MAX_KEPT = 10_000;

/** `configured`: every configured cluster, whose former records the one-time move looks for. */
export function createClusterRecords(deps: { store: StateStore; logger: Logger; clock: Clock }, configured: readonly string[]): ClusterRecords {
  const { store, logger } = deps;
  const kept = new Map<string, StateItem<ClusterRecord>>();
  const move = createRecordMove(deps, configured);
  const keep = (clusterId: string, item: StateItem<ClusterRecord>) => {
    if (kept.size >= MAX_KEPT && !kept.has(clusterId)) kept.clear();
    kept.set(clusterId, freezeRecord(item));
  };

  /** The store's mark: as this process last read it, or from the store while it said none. */
  const markOf = (): Promise<LayoutMark> => (move.mark() === 'none' ? readLayoutMark(store) : Promise.resolve(move.mark()));

  async function readAll(clusterIds: readonly string[]): Promise<RecordRead[]> {
    try {
      return await readRecords(store, clusterIds);
    } catch (batchError) {
      // One malformed item fails the batch: each is read alone, so only its cluster has the error.
      logger.warn('sweep.batch_read_failed', { error: batchError });
      return readEachAlone(store, clusterIds.map(clusterStateKey));
    }
  }

  return {
    async prepare(options) {
      await move.prepare(configured, options);
    },

    async read(clusterIds, mode) {
      const readOnly = mode?.readOnly === true;
      const failed = readOnly ? new Map<string, Error>() : await move.prepare(clusterIds);
      const known = clusterIds.filter((id) => kept.has(id));
      const current = new Map<string, RecordRead>();
      let versions: (number | null)[] = [];
      try {
        versions = known.length === 0 ? [] : await recordVersions(store, known);
      } catch (error) {
        // Nothing kept is used unchecked: every record is read again (each alone if need be).
        logger.warn('sweep.record_versions_failed', { error });
        kept.clear();
      }
      known.forEach((id, i) => {
        if (i >= versions.length) return;
        const version = versions[i] ?? null;
        const item = kept.get(id);
        if (version === null) {
          kept.delete(id);
          current.set(id, null);
        } else if (item && item.version === version) current.set(id, item);
      });
      const stale = clusterIds.filter((id) => !current.has(id));
      const fresh = stale.length === 0 ? [] : await readAll(stale);
      stale.forEach((id, i) => {
        const read = fresh[i] ?? null;
        if (read === null || read instanceof Error) kept.delete(id);
        else keep(id, read);
        current.set(id, read);
      });
      // A cluster whose record could not be moved fails alone: a new record must not start over it.
      const read = clusterIds.map((id) => failed.get(id) ?? current.get(id) ?? null);
      // A dry run moves nothing: it reads a record where it still is (see withFormer).
      if (readOnly) return withFormer(store, clusterIds, read, markOf);
      // On a store another process marked as moved, a cluster it did not have configured may still
      // have its record in the former place: moved now, before a new one would start over it.
      const strays = await move.strays(clusterIds.filter((_, i) => read[i] === null));
      for (const [id, found] of strays) if (!(found instanceof Error)) keep(id, found);
      return read.map((r, i) => r ?? strays.get(clusterIds[i] as string) ?? null);
    },

    async persist(clusterId, record, prior) {
      const key = clusterStateKey(clusterId);
      try {
        const written = await store.put<ClusterRecord>({ ...key, data: record, condition: { kind: 'version', version: prior.version } });
        keep(clusterId, written);
        return { ok: true };
      } catch (error) {
        kept.delete(clusterId);
        // Another invocation wrote this cluster meanwhile; its view is as fresh as ours.
        if (error instanceof ConflictError) return { ok: false, warning: 'state changed concurrently; not persisted' };
        throw error;
      }
    },

    remember(clusterId, version, record) {
      keep(clusterId, { ...clusterStateKey(clusterId), version, data: record });
    },
  };
}

/**
 * Kept records are shared by every later sweep: frozen, so a change in place fails loudly. An item
 * that is not a record at all (null or malformed data) is kept as it is: the planner treats it as
 * no record and the sweep writes a new one over it, as it would have without keeping it.
 */
function freezeRecord(item: StateItem<ClusterRecord>): StateItem<ClusterRecord> {
  const data: unknown = item.data;
  if (isObject(data)) {
    const nodes = data['nodes'];
    if (isObject(nodes)) for (const node of Object.values(nodes)) if (isObject(node)) Object.freeze(node);
    Object.freeze(nodes);
    Object.freeze(data);
  }
  return Object.freeze(item);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
