import type { StateItem, StateStore } from '../ports/state-store.ts';

/**
 * Partitions that hold one item per cluster (`sk CLUSTER#<id>`): the cluster records (`CLUSTERS`)
 * and the incidents (`INCIDENTS`). A few clusters are read by key; more, by one Query of the
 * partition, which costs by the size read instead of a read unit per key.
 */

const SK_PREFIX = 'CLUSTER#';
/** Up to this many clusters, their items are read by key; more, the partition is queried. */
export const READ_BY_KEY_MAX = 16;

/** A cluster's key in such a partition. */
export const clusterItemKey = (pk: string, clusterId: string) => ({ pk, sk: `${SK_PREFIX}${clusterId}` });
/** The cluster id of such a key's sort key (the Queries below ask only for `CLUSTER#` keys). */
export const clusterIdOfSk = (sk: string): string => sk.slice(SK_PREFIX.length);
/** The Query of every cluster's item in `pk` (other items of the partition, such as its `#layout` mark, left out). */
export const clusterItemsQuery = (pk: string, cursor: string | undefined) => ({ pk, skPrefix: SK_PREFIX, ...(cursor === undefined ? {} : { cursor }) });

/** The items of `clusterIds` in partition `pk`, in order (null: none). */
export async function readClusterItems<T>(store: StateStore, pk: string, clusterIds: readonly string[]): Promise<(StateItem<T> | null)[]> {
  if (clusterIds.length <= READ_BY_KEY_MAX) return store.getMany<T>(clusterIds.map((id) => clusterItemKey(pk, id)));
  const found = new Map<string, StateItem<T>>();
  let cursor: string | undefined;
  do {
    const page = await store.query<T>(clusterItemsQuery(pk, cursor));
    for (const item of page.items) found.set(clusterIdOfSk(item.sk), item);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return clusterIds.map((id) => found.get(id) ?? null);
}
