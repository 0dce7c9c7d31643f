import type { VaultDynamoDbStorageConfig } from '../../config/types.ts';
import type { Finding } from '../../core/finding.ts';
import {
  backupFindings,
  detectUpgrade,
  lockFindings,
  pitrFindings,
  tableFindings,
  trackLockHolder,
  type StorageTrack,
} from '../../core/findings/storage-findings.ts';
import type { NodeState } from '../../core/node-state.ts';
import { planStorageBackup } from '../../core/plan-storage-backup.ts';
import { ConflictError, NotFoundError, describeError } from '../../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { StateStore } from '../../ports/state-store.ts';
import type { VaultStorageChecker } from '../../ports/vault-storage-checker.ts';
import type { PlanningInspector } from '../sweep.ts';

export interface StorageTarget {
  checker: VaultStorageChecker;
  config: Pick<VaultDynamoDbStorageConfig, 'staleLockMs' | 'thrashingPerHour' | 'backupBeforeUpgrade'>;
}

export interface StorageInspectorOptions {
  /** Clusters with `storage.dynamodb` configured. */
  targets: ReadonlyMap<string, StorageTarget>;
  store: StateStore;
  clock: Clock;
  /** `storage.backup-old` past this age (default 7 days). */
  backupMaxAgeDays?: number;
}

const UP: ReadonlySet<NodeState> = new Set(['active', 'standby', 'perf-standby', 'dr-secondary', 'standby-unhealthy']);

export const storageTrackKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'STORAGE' });

/**
 * `storage.*` findings for clusters on Vault's DynamoDB backend: table status and protection,
 * PITR, the HA lock (stuck, missing, thrashing; holder changes tracked in the `STORAGE` item,
 * written only when the holder or a node version changes) and backup age. When a rolling upgrade
 * starts (a node's version changed) and `backupBeforeUpgrade` is on, the pure planner
 * (`core/plan-storage-backup.ts`) turns what was read into a `storage-backup` action, which the
 * sweep's executor applies (storage-backup-executor.ts); this check never takes the backup.
 */
export function createStorageInspector(options: StorageInspectorOptions): PlanningInspector {
  const { targets, store, clock } = options;
  return {
    name: 'storage',
    async inspect({ cluster, plan, signal }) {
      const target = targets.get(cluster.id);
      if (!target) return { findings: [], actions: [] };
      const { checker, config } = target;
      const table = checker.table;
      const findings: Finding[] = [];
      const failed = (operation: string, error: unknown): void => {
        if (error instanceof NotFoundError && operation === 'DescribeTable') {
          findings.push({ id: 'storage.table-missing', severity: 'critical', cluster: cluster.id, message: describeError(error), evidence: { table } });
          return;
        }
        findings.push({
          id: 'storage.check-failed',
          severity: 'warning',
          cluster: cluster.id,
          message: `Vault storage check ${operation} could not run: ${describeError(error)}`,
          evidence: { table, operation },
        });
      };
      const [described, pitr, lock, newest, tracked] = await Promise.allSettled([
        checker.describeTable(signal),
        checker.continuousBackups(signal),
        checker.readLock(signal),
        checker.newestBackup(signal),
        store.get<StorageTrack>(storageTrackKey(cluster.id).pk, storageTrackKey(cluster.id).sk),
      ]);
      const now = clock.now();
      // Without the table every other read fails the same way: one finding says it.
      if (described.status === 'rejected' && described.reason instanceof NotFoundError) {
        failed('DescribeTable', described.reason);
        return { findings, actions: [] };
      }
      if (described.status === 'fulfilled') findings.push(...tableFindings(cluster.id, described.value));
      else failed('DescribeTable', described.reason);
      if (pitr.status === 'fulfilled') findings.push(...pitrFindings(cluster.id, table, pitr.value));
      else failed('DescribeContinuousBackups', pitr.reason);
      if (tracked.status === 'rejected') throw tracked.reason;
      const previous = tracked.value;

      const nodesUp = plan.nodes.filter((n) => UP.has(n.state)).length;
      const track = trackLockHolder(previous?.data ?? null, lock.status === 'fulfilled' ? lock.value : null, now);
      if (lock.status === 'fulfilled') {
        findings.push(
          ...lockFindings({
            cluster: cluster.id,
            table,
            lock: lock.value,
            nowMs: now,
            nodesUp,
            haExpected: cluster.nodes.length > 1,
            staleLockMs: config.staleLockMs,
            changesLastHour: track.changesLastHour,
            thrashingPerHour: config.thrashingPerHour,
          }),
        );
      } else failed('GetItem', lock.reason);

      const versions = Object.fromEntries(plan.nodes.map((n) => [n.nodeId, n.view.version]));
      const upgrade = detectUpgrade(previous?.data.versions ?? {}, versions);
      const started = previous !== null && upgrade.started;
      if (track.changed || upgrade.changed) {
        try {
          await store.put<StorageTrack>({
            ...storageTrackKey(cluster.id),
            data: { ...track.next, versions: upgrade.versions },
            condition: previous ? { kind: 'version', version: previous.version } : { kind: 'absent' },
          });
        } catch (error) {
          // Another sweep recorded the same change meanwhile; counting it once is what we want.
          if (!(error instanceof ConflictError)) throw error;
        }
      }

      if (newest.status === 'fulfilled') {
        findings.push(
          ...backupFindings({
            cluster: cluster.id,
            table,
            newestBackupAtMs: newest.value,
            nowMs: now,
            pitrEnabled: pitr.status === 'fulfilled' && pitr.value.status === 'ENABLED',
            maxAgeDays: options.backupMaxAgeDays ?? 7,
          }),
        );
      } else failed('ListBackups', newest.reason);
      const backup = planStorageBackup({
        clusterId: cluster.id,
        table,
        backupBeforeUpgrade: config.backupBeforeUpgrade,
        upgradedNodes: started ? upgrade.nodes : [],
        newestBackupAtMs: newest.status === 'fulfilled' ? newest.value : undefined,
        now,
      });
      return { findings, actions: backup ? [backup] : [] };
    },
  };
}
