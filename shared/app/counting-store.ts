import type { StateStore } from '../ports/state-store.ts';

/** A state store that counts its successful writes (the sweep report's `stateWrites`, benchmarks). */
export interface CountingStore extends StateStore {
  /** Successful writes since creation: each put, each delete, each distinct item of a putMany. */
  writeCount(): number;
}

/**
 * Wraps `store`, counting the writes that succeeded. A counter for reports and benchmarks, not a
 * storage guarantee, so it lives here rather than in the StateStore port: every adapter gets it
 * the same way.
 */
export function countingStore(store: StateStore): CountingStore {
  let writes = 0;
  return {
    get: (pk, sk) => store.get(pk, sk),
    getMany: (keys) => store.getMany(keys),
    versions: (keys) => store.versions(keys),
    query: (request) => store.query(request),
    queryVersions: (request) => store.queryVersions(request),
    async put(request) {
      const item = await store.put(request);
      writes += 1;
      return item;
    },
    async putMany(items) {
      const versions = await store.putMany(items);
      // A key given twice is written once (the port's rule), so it counts once.
      writes += new Set(items.map((i) => `${i.pk}\u0000${i.sk}`)).size;
      return versions;
    },
    async delete(pk, sk, condition) {
      await store.delete(pk, sk, condition);
      writes += 1;
    },
    close: () => store.close(),
    writeCount: () => writes,
  };
}
