import { describe, expect, it } from 'vitest';
import { planStorageBackup } from '../../../shared/core/plan-storage-backup.ts';

const NOW = Date.UTC(2026, 11, 7, 10, 30, 5, 123);
const HOUR = 3_600_000;
const base = { clusterId: 'prod', table: 'vault-data', backupBeforeUpgrade: true, upgradedNodes: ['vault-2'], now: NOW };

describe('planStorageBackup', () => {
  it('plans a backup when an upgrade started and the newest backup is older than an hour (or none exists)', () => {
    expect(planStorageBackup({ ...base, newestBackupAtMs: NOW - 2 * HOUR })).toEqual({
      kind: 'storage-backup',
      nodeId: 'vault-2',
      nodes: ['vault-2'],
      table: 'vault-data',
      backupName: 'sealwatch-prod-20261207T103005Z',
      reason:
        'a rolling upgrade started on vault-2 and no backup is from the last hour (newest 2026-12-07T08:30:05.123Z; storage.dynamodb.backupBeforeUpgrade)',
    });
    expect(planStorageBackup({ ...base, upgradedNodes: ['vault-1', 'vault-2'], newestBackupAtMs: null })).toMatchObject({
      nodeId: 'vault-1,vault-2',
      reason: expect.stringMatching(/^a rolling upgrade started on vault-1, vault-2 and no backup is from the last hour \(none at all;/),
    });
  });

  it('plans nothing without the opt-in, without an upgrade, with a recent backup, or when ListBackups failed', () => {
    expect(planStorageBackup({ ...base, backupBeforeUpgrade: false, newestBackupAtMs: null })).toBeNull();
    expect(planStorageBackup({ ...base, upgradedNodes: [], newestBackupAtMs: null })).toBeNull();
    expect(planStorageBackup({ ...base, newestBackupAtMs: NOW - HOUR / 2 })).toBeNull();
    expect(planStorageBackup({ ...base, newestBackupAtMs: undefined })).toBeNull();
  });
});
