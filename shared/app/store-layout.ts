import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';
import { RECORDS_LAYOUT_KEY } from './cluster-record-layout.ts';
import { conditionalWrite } from './conditional-write.ts';
import { INCIDENTS_LAYOUT_KEY } from './incident-service.ts';

/**
 * Marks a store that was just created (its table is new) as already in the current layout: it
 * holds nothing of an earlier sealwatch, so the one-time moves (cluster records, incidents) have
 * nothing to look for. Without the marks the first sweep would read every configured cluster's
 * former items to find none (on the embedded store about 25 ms of CPU per 200 clusters and move).
 * Each mark is written only if absent: one written by a move is kept.
 */
export async function markNewStore(store: StateStore, clock: Clock): Promise<void> {
  const data = { newStoreAt: new Date(clock.now()).toISOString(), moved: 0 };
  await Promise.all([RECORDS_LAYOUT_KEY, INCIDENTS_LAYOUT_KEY].map((key) => conditionalWrite(store.put({ ...key, data, condition: { kind: 'absent' } }))));
}
