import { backupNeeded } from './findings/storage-findings.ts';

/** The `storage-backup` action: an on-demand backup of Vault's DynamoDB table before a rolling upgrade. */
export interface StorageBackupAction {
  kind: 'storage-backup';
  /** The upgraded nodes, comma-separated (the audit event's `node`). */
  nodeId: string;
  nodes: string[];
  table: string;
  /** `sealwatch-<cluster>-<UTC time>`: DynamoDB backup names allow `[a-zA-Z0-9_.-]`. */
  backupName: string;
  reason: string;
}

/**
 * Pure: whether the storage check's observations call for a backup now — the opt-in
 * `backupBeforeUpgrade` is on, a rolling upgrade started in this sweep (a node reports another
 * version than the recorded one) and no backup exists from the last hour.
 */
export function planStorageBackup(input: {
  clusterId: string;
  table: string;
  backupBeforeUpgrade: boolean;
  /** Nodes whose version changed since the recorded one (empty: no upgrade started). */
  upgradedNodes: readonly string[];
  /** Epoch ms of the newest on-demand backup; null: none; undefined: ListBackups failed. */
  newestBackupAtMs: number | null | undefined;
  now: number;
}): StorageBackupAction | null {
  const { upgradedNodes, newestBackupAtMs, now } = input;
  if (!input.backupBeforeUpgrade || upgradedNodes.length === 0 || newestBackupAtMs === undefined) return null;
  if (!backupNeeded(newestBackupAtMs, now)) return null;
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const newest = newestBackupAtMs === null ? 'none at all' : `newest ${new Date(newestBackupAtMs).toISOString()}`;
  return {
    kind: 'storage-backup',
    nodeId: upgradedNodes.join(','),
    nodes: [...upgradedNodes],
    table: input.table,
    backupName: `sealwatch-${input.clusterId}-${stamp}`,
    reason: `a rolling upgrade started on ${upgradedNodes.join(', ')} and no backup is from the last hour (${newest}; storage.dynamodb.backupBeforeUpgrade)`,
  };
}
