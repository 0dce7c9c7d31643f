import {
  CreateBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListBackupsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { type SealwatchError, UnavailableError, ValidationError } from '../errors.ts';
import type { LockFacts, PitrFacts, TableFacts } from '../core/findings/storage-findings.ts';
import type { VaultStorageChecker } from '../ports/vault-storage-checker.ts';
import { translateAwsError } from './aws-errors.ts';

export interface DynamoDbVaultStorageOptions {
  /** Vault's table (`storage "dynamodb" { table = ... }`). */
  table: string;
  client: DynamoDBClient;
}

/** `physical/dynamodb/dynamodb.go` @ v1.14.9: Vault's `core/lock` is stored as `core/_lock`. */
const LOCK_KEY = { Path: { S: 'core' }, Key: { S: '_lock' } };
/** ListBackups pages read at most (100 backups each) before settling for the newest seen. */
const MAX_BACKUP_PAGES = 10;

/**
 * Reads Vault's DynamoDB table the way an operator would check it, never touching items:
 * DescribeTable, DescribeContinuousBackups, a ConsistentRead GetItem of the HA lock, ListBackups
 * (user backups) and, when asked, CreateBackup. SDK errors are translated here.
 *
 * @throws ValidationError when `table` is empty or the client is missing.
 */
export function createDynamoDbVaultStorage(options: DynamoDbVaultStorageOptions): VaultStorageChecker {
  const { table, client } = options;
  if (typeof table !== 'string' || table.length === 0 || typeof client?.send !== 'function') {
    throw new ValidationError('invalid dynamodb vault storage options', ['table and client: required']);
  }
  const label = `Vault storage table ${table}`;
  const opts = (signal?: AbortSignal) => (signal ? { abortSignal: signal } : {});

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateDynamoDbError(error, label, operation);
    }
  }

  return {
    table,
    describeTable: (signal) =>
      call('DescribeTable', async () => {
        const t = (await client.send(new DescribeTableCommand({ TableName: table }), opts(signal))).Table;
        if (!t) throw new UnavailableError(`${label}: DescribeTable returned no table`);
        const keys = t.KeySchema ?? [];
        const sse = t.SSEDescription;
        return {
          table,
          status: t.TableStatus ?? null,
          sse: sse
            ? {
                status: sse.Status ?? null,
                type: sse.SSEType ?? null,
                kmsKeyArn: sse.KMSMasterKeyArn ?? null,
                inaccessibleSince: sse.InaccessibleEncryptionDateTime?.toISOString() ?? null,
              }
            : null,
          deletionProtection: t.DeletionProtectionEnabled ?? null,
          billingMode: t.BillingModeSummary?.BillingMode ?? null,
          readCapacity: t.ProvisionedThroughput?.ReadCapacityUnits ?? null,
          writeCapacity: t.ProvisionedThroughput?.WriteCapacityUnits ?? null,
          keySchemaOk:
            keys.length === 2 &&
            keys.some((k) => k.AttributeName === 'Path' && k.KeyType === 'HASH') &&
            keys.some((k) => k.AttributeName === 'Key' && k.KeyType === 'RANGE'),
        } satisfies TableFacts;
      }),
    continuousBackups: (signal) =>
      call('DescribeContinuousBackups', async () => {
        const d = (await client.send(new DescribeContinuousBackupsCommand({ TableName: table }), opts(signal))).ContinuousBackupsDescription;
        const pitr = d?.PointInTimeRecoveryDescription;
        return {
          status: pitr?.PointInTimeRecoveryStatus ?? null,
          recoveryPeriodInDays: pitr?.RecoveryPeriodInDays ?? null,
          latestRestorable: pitr?.LatestRestorableDateTime?.toISOString() ?? null,
        } satisfies PitrFacts;
      }),
    readLock: (signal) =>
      call('GetItem', async () => {
        const item = (await client.send(new GetItemCommand({ TableName: table, Key: LOCK_KEY, ConsistentRead: true }), opts(signal))).Item;
        if (!item) return null;
        const expires = item['Expires']?.N;
        // Nanoseconds overflow a double's integer range; BigInt keeps the division exact enough.
        const expiresAtMs = expires && /^\d+$/.test(expires) ? Number(BigInt(expires) / 1_000_000n) : 0;
        return {
          identity: text(item['Identity']?.B),
          value: text(item['Value']?.B),
          expiresAtMs,
        } satisfies LockFacts;
      }),
    newestBackup: (signal) =>
      call('ListBackups', async () => {
        let newest: number | null = null;
        let start: string | undefined;
        for (let page = 0; page < MAX_BACKUP_PAGES; page++) {
          const out = await client.send(
            new ListBackupsCommand({ TableName: table, BackupType: 'USER', ...(start ? { ExclusiveStartBackupArn: start } : {}) }),
            opts(signal),
          );
          for (const b of out.BackupSummaries ?? []) {
            const at = b.BackupCreationDateTime?.getTime();
            if (at !== undefined && b.BackupStatus !== 'DELETED' && (newest === null || at > newest)) newest = at;
          }
          start = out.LastEvaluatedBackupArn;
          if (!start) break;
        }
        return newest;
      }),
    createBackup: (name, signal) =>
      call('CreateBackup', async () => {
        const d = (await client.send(new CreateBackupCommand({ TableName: table, BackupName: name }), opts(signal))).BackupDetails;
        if (!d?.BackupArn) throw new UnavailableError(`${label}: CreateBackup returned no backup`);
        return { arn: d.BackupArn, status: d.BackupStatus ?? 'CREATING' };
      }),
  };
}

function text(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/** DynamoDB errors of Vault's table, through the one AWS classifier (provider texts quoted, capped). */
export function translateDynamoDbError(error: unknown, label: string, operation: string): SealwatchError {
  return translateAwsError(error, {
    where: `${label}: ${operation}`,
    overrides: { TableNotFoundException: 'not-found' },
    quoteProvider: true,
    rejectedCode: 'dynamodb_error',
  });
}
