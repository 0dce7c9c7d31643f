import type { ClusterRecord } from '../core/cluster-record.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import { heartbeatItems, type SweepHeartbeat } from './sweep-heartbeat.ts';
import type { ClusterReport } from './sweep-types.ts';

/**
 * The writes a sweep can send as one batch (`StateStore.putMany`: a BatchWriteItem per 25 items)
 * instead of a round trip per cluster: the sweep's heartbeats (a few chunk items for all its
 * clusters, sweep-heartbeat.ts), and the first record of a cluster that has none yet. A first
 * record is the one write that needed `absent`; batched, it gets a fresh version instead, so a
 * concurrent first sweep elsewhere is overwritten by an equally fresh view of the same nodes and
 * any later writer of an older version still conflicts. Records that already exist keep their
 * version-conditioned put.
 */
export interface SweepBatch {
  heartbeat(clusterId: string, heartbeat: SweepHeartbeat): void;
  /** `written`: called with the record's version once the batch has written it. */
  firstRecord(key: { pk: string; sk: string }, record: ClusterRecord, report: () => ClusterReport | undefined, written?: (version: number) => void): void;
  /** Writes everything collected; on failure the first records' reports say they were not persisted. */
  flush(): Promise<void>;
}

/** `scope`: names the heartbeat items (`sweep`, `sweep/<cluster ids>` for a targeted sweep, `recover/<id>`). */
export function createSweepBatch(store: StateStore, logger: Logger, scope: string, nowSeconds: () => number): SweepBatch {
  const records: { pk: string; sk: string; data: unknown }[] = [];
  const heartbeats: { clusterId: string; heartbeat: SweepHeartbeat }[] = [];
  const firstReports: (() => ClusterReport | undefined)[] = [];
  const onWritten: (((version: number) => void) | undefined)[] = [];
  return {
    heartbeat(clusterId, heartbeat) {
      heartbeats.push({ clusterId, heartbeat });
    },
    firstRecord(key, record, report, written) {
      records.push({ ...key, data: record });
      firstReports.push(report);
      onWritten.push(written);
    },
    async flush() {
      const items = [...records, ...heartbeatItems(scope, heartbeats, nowSeconds())];
      let versions: number[];
      try {
        versions = await store.putMany(items);
      } catch (error) {
        // The clusters were swept and are alerted on; missing heartbeats show up as staleness, and
        // the first records are written by the next sweep.
        logger.error('sweep.batch_write_failed', { items: items.length, error });
        for (const report of firstReports) {
          const r = report();
          if (r) Object.assign(r, { persisted: false, warning: 'state not persisted (batch write failed)' });
        }
        return;
      }
      // The first records lead the batch, in the order they were added.
      onWritten.forEach((written, i) => {
        const version = versions[i];
        if (written && version !== undefined) written(version);
      });
    },
  };
}
