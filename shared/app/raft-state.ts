import type { RaftRecord } from '../core/raft-recovery.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';

/** The cluster's `RAFT` item: since when each raft peer has been seen dead. */
export const raftStateKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'RAFT' });

export async function loadRaftRecord(store: StateStore, clusterId: string): Promise<StateItem<RaftRecord> | null> {
  const key = raftStateKey(clusterId);
  return store.get<RaftRecord>(key.pk, key.sk);
}

/** Writes the record only over the version read (a concurrent writer wins; the next look catches up). */
export async function saveRaftRecord(store: StateStore, clusterId: string, record: RaftRecord, prior: StateItem<RaftRecord> | null): Promise<void> {
  await store.put<RaftRecord>({
    ...raftStateKey(clusterId),
    data: record,
    condition: prior ? { kind: 'version', version: prior.version } : { kind: 'absent' },
  });
}
