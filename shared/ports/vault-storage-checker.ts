import type { LockFacts, PitrFacts, TableFacts } from '../core/findings/storage-findings.ts';

/**
 * Read access (plus on-demand backups) to the DynamoDB table Vault's `storage "dynamodb"` uses.
 *
 * Errors: NotFoundError (no such table), AccessDeniedError, ThrottledError / UnavailableError.
 */
export interface VaultStorageChecker {
  readonly table: string;
  describeTable(signal?: AbortSignal): Promise<TableFacts>;
  continuousBackups(signal?: AbortSignal): Promise<PitrFacts>;
  /** The HA lock item, read with ConsistentRead; null when absent. */
  readLock(signal?: AbortSignal): Promise<LockFacts | null>;
  /** Creation time (epoch ms) of the newest on-demand backup, or null when there is none. */
  newestBackup(signal?: AbortSignal): Promise<number | null>;
  createBackup(name: string, signal?: AbortSignal): Promise<{ arn: string; status: string }>;
}
