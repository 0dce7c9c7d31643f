import type { Finding } from '../core/finding.ts';
import { describeError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { VaultStorageChecker } from '../ports/vault-storage-checker.ts';
import type { AuditLog } from './audit-log.ts';
import type { ActionExecutor } from './sweep-types.ts';

/**
 * Applies a planned `storage-backup` (an on-demand backup of Vault's DynamoDB table before a
 * rolling upgrade): CreateBackup, then an audit event (`action: storage-backup`, created or
 * failed) and a `storage.backup-created` / `storage.backup-failed` finding. A failed backup is an
 * outcome, never an exception.
 */
export function createStorageBackupExecutor(options: {
  /** The storage checker of each cluster with `storage.dynamodb`. */
  checkers: ReadonlyMap<string, VaultStorageChecker>;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}): ActionExecutor {
  const { audit, clock, logger } = options;
  return async ({ cluster, action, trigger, signal }) => {
    const checker = options.checkers.get(cluster.id);
    if (action.kind !== 'storage-backup' || !checker) throw new Error(`no storage backup executor for ${action.kind} of cluster ${cluster.id}`);
    const { backupName: name, nodes } = action;
    const started = clock.now();
    let outcome: 'created' | 'failed';
    let message: string;
    let arn: string | null = null;
    try {
      const backup = await checker.createBackup(name, signal);
      arn = backup.arn;
      outcome = 'created';
      message = `on-demand backup ${name} of ${checker.table} (${backup.status}) taken because a rolling upgrade started on ${nodes.join(', ')}`;
    } catch (error) {
      outcome = 'failed';
      message = `on-demand backup of ${checker.table} before the rolling upgrade failed: ${describeError(error)}`;
    }
    const totalMs = clock.now() - started;
    try {
      await audit.record(cluster.id, {
        at: new Date(started).toISOString(),
        trigger,
        action: 'storage-backup',
        node: nodes.join(','),
        shareIndexes: [],
        wrappers: [],
        outcome,
        timings: { unwrapMs: 0, submitMs: totalMs, totalMs },
        message,
      });
    } catch (error) {
      logger.error('storage.backup_audit_failed', { cluster: cluster.id, error: describeError(error) });
    }
    logger.info('storage.upgrade_backup', { cluster: cluster.id, outcome, backup: name });
    const finding: Finding = {
      id: outcome === 'created' ? 'storage.backup-created' : 'storage.backup-failed',
      severity: outcome === 'created' ? 'info' : 'warning',
      cluster: cluster.id,
      message,
      evidence: { table: checker.table, backupName: name, backupArn: arn, upgradedNodes: nodes },
    };
    return { report: { kind: 'storage-backup', nodeId: action.nodeId, outcome, message, durationMs: totalMs }, findings: [finding] };
  };
}
