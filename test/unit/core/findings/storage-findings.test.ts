import { describe, expect, it } from 'vitest';
import {
  backupFindings,
  backupNeeded,
  detectUpgrade,
  lockFindings,
  pitrFindings,
  tableFindings,
  trackLockHolder,
  type LockCheckInput,
  type StorageTrack,
  type TableFacts,
} from '../../../../shared/core/findings/storage-findings.ts';

const NOW = Date.UTC(2026, 10, 22, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;

const healthyTable: TableFacts = {
  table: 'vault',
  status: 'ACTIVE',
  sse: { status: 'ENABLED', type: 'KMS', kmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k', inaccessibleSince: null },
  deletionProtection: true,
  billingMode: 'PAY_PER_REQUEST',
  readCapacity: 0,
  writeCapacity: 0,
  keySchemaOk: true,
};
const ids = (findings: { id: string; severity: string }[]) => findings.map((f) => `${f.id}:${f.severity}`);

describe('tableFindings', () => {
  it('is silent for an active, KMS-encrypted, protected on-demand table', () => {
    expect(tableFindings('prod', healthyTable)).toEqual([]);
  });

  it.each([
    ['INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'storage.table-inaccessible-encryption:critical'],
    ['ARCHIVED', 'storage.table-archived:critical'],
    ['ARCHIVING', 'storage.table-archived:critical'],
    ['DELETING', 'storage.table-not-active:critical'],
    ['CREATING', 'storage.table-not-active:critical'],
    ['UPDATING', 'storage.table-not-active:warning'],
  ])('status %s gives %s', (status, expected) => {
    expect(ids(tableFindings('prod', { ...healthyTable, status }))).toEqual([expected]);
  });

  it('reports AWS-owned encryption as info, deletion protection off and Vault-default capacity as warnings', () => {
    const t: TableFacts = { ...healthyTable, sse: null, deletionProtection: null, billingMode: null, readCapacity: 5, writeCapacity: 5 };
    expect(ids(tableFindings('prod', t))).toEqual(['storage.sse-off:info', 'storage.deletion-protection-off:warning', 'storage.low-capacity:warning']);
    expect(ids(tableFindings('prod', { ...healthyTable, billingMode: 'PROVISIONED', readCapacity: 100, writeCapacity: 50 }))).toEqual([]);
  });

  it("flags a table that is not shaped like Vault's", () => {
    expect(ids(tableFindings('prod', { ...healthyTable, keySchemaOk: false }))).toEqual(['storage.table-schema:critical']);
  });
});

describe('pitrFindings', () => {
  it('warns unless PITR is ENABLED', () => {
    expect(pitrFindings('prod', 'vault', { status: 'ENABLED', recoveryPeriodInDays: 35, latestRestorable: null })).toEqual([]);
    expect(ids(pitrFindings('prod', 'vault', { status: 'DISABLED', recoveryPeriodInDays: null, latestRestorable: null }))).toEqual([
      'storage.pitr-off:warning',
    ]);
  });
});

describe('lockFindings', () => {
  const base: LockCheckInput = {
    cluster: 'prod',
    table: 'vault',
    lock: { identity: 'id-1', value: 'leader-1', expiresAtMs: NOW + 10_000 },
    nowMs: NOW,
    nodesUp: 3,
    haExpected: true,
    staleLockMs: 60_000,
    changesLastHour: 0,
    thrashingPerHour: 6,
  };

  it('is silent for a fresh, held lock and for one expired less than the stale limit', () => {
    expect(lockFindings(base)).toEqual([]);
    expect(lockFindings({ ...base, lock: { ...base.lock!, expiresAtMs: NOW - 59_000 } })).toEqual([]);
  });

  it('calls a lock expired longer than the limit while nodes are up stuck', () => {
    const findings = lockFindings({ ...base, lock: { ...base.lock!, expiresAtMs: NOW - 61_000 } });
    expect(ids(findings)).toEqual(['storage.lock-stuck:critical']);
    expect(findings[0]?.evidence).toMatchObject({ holder: 'id-1', expiredForMs: 61_000, nodesUp: 3 });
    // Everything down: nobody could renew it, so it is not stuck, the cluster is down.
    expect(lockFindings({ ...base, nodesUp: 0, lock: { ...base.lock!, expiresAtMs: NOW - 10 * MIN } })).toEqual([]);
  });

  it('wants a lock only when the cluster is HA and nodes are up', () => {
    expect(ids(lockFindings({ ...base, lock: null }))).toEqual(['storage.lock-missing:warning']);
    expect(lockFindings({ ...base, lock: null, haExpected: false })).toEqual([]);
    expect(lockFindings({ ...base, lock: null, nodesUp: 0 })).toEqual([]);
  });

  it('warns about thrashing above the hourly limit only', () => {
    expect(lockFindings({ ...base, changesLastHour: 6 })).toEqual([]);
    expect(ids(lockFindings({ ...base, changesLastHour: 7 }))).toEqual(['storage.lock-thrashing:warning']);
  });
});

describe('trackLockHolder', () => {
  const lock = (identity: string) => ({ identity, value: 'leader', expiresAtMs: NOW });

  it('writes the first sighting without counting it as a change', () => {
    expect(trackLockHolder(null, lock('a'), NOW)).toEqual({ next: { holder: 'a', changes: [], versions: {} }, changed: true, changesLastHour: 0 });
  });

  it('does not change (nor write) while the holder stays, or while the lock is missing', () => {
    const prev: StorageTrack = { holder: 'a', changes: [NOW - 10 * MIN], versions: { n: '1' } };
    expect(trackLockHolder(prev, lock('a'), NOW)).toMatchObject({ changed: false, changesLastHour: 1 });
    expect(trackLockHolder(prev, null, NOW)).toMatchObject({ changed: false, changesLastHour: 1, next: { holder: 'a' } });
  });

  it('counts holder changes within the last hour and forgets older ones', () => {
    const prev: StorageTrack = { holder: 'a', changes: [NOW - 2 * HOUR, NOW - 30 * MIN], versions: { n: '1' } };
    const result = trackLockHolder(prev, lock('b'), NOW);
    expect(result).toEqual({ next: { holder: 'b', changes: [NOW - 30 * MIN, NOW], versions: { n: '1' } }, changed: true, changesLastHour: 2 });
  });

  it('counts thrashing across a sequence of sweeps', () => {
    let track: StorageTrack | null = null;
    let last = 0;
    for (let i = 0; i < 9; i++) {
      const r = trackLockHolder(track, lock(`holder-${i}`), NOW + i * 5 * MIN);
      track = r.next;
      last = r.changesLastHour;
    }
    expect(last).toBe(8);
    expect(
      lockFindings({
        cluster: 'c',
        table: 't',
        lock: null,
        nowMs: NOW,
        nodesUp: 0,
        haExpected: true,
        staleLockMs: 1,
        changesLastHour: last,
        thrashingPerHour: 6,
      })[0]?.id,
    ).toBe('storage.lock-thrashing');
  });
});

describe('detectUpgrade', () => {
  it('starts when a known node reports another version; unknown nodes and null versions do not count', () => {
    expect(detectUpgrade({ a: '1.18.0', b: '1.18.0' }, { a: '1.19.0', b: '1.18.0' })).toEqual({
      started: true,
      nodes: ['a'],
      versions: { a: '1.19.0', b: '1.18.0' },
      changed: true,
    });
    expect(detectUpgrade({ a: '1.18.0' }, { a: null, c: '1.18.0' })).toEqual({
      started: false,
      nodes: [],
      versions: { a: '1.18.0', c: '1.18.0' },
      changed: true,
    });
    expect(detectUpgrade({ a: '1.18.0' }, { a: '1.18.0' }).changed).toBe(false);
  });
});

describe('backups', () => {
  it('needs an upgrade backup unless one exists from the last hour', () => {
    expect(backupNeeded(null, NOW)).toBe(true);
    expect(backupNeeded(NOW - 59 * MIN, NOW)).toBe(false);
    expect(backupNeeded(NOW - 61 * MIN, NOW)).toBe(true);
  });

  it('reports an old or missing backup, as a warning without PITR and info with it', () => {
    const args = { cluster: 'prod', table: 'vault', nowMs: NOW, maxAgeDays: 7 };
    expect(backupFindings({ ...args, newestBackupAtMs: NOW - 6 * 24 * HOUR, pitrEnabled: false })).toEqual([]);
    const old = backupFindings({ ...args, newestBackupAtMs: NOW - 8 * 24 * HOUR, pitrEnabled: false });
    expect(ids(old)).toEqual(['storage.backup-old:warning']);
    expect(old[0]?.evidence['ageDays']).toBe(8);
    expect(ids(backupFindings({ ...args, newestBackupAtMs: null, pitrEnabled: true }))).toEqual(['storage.backup-old:info']);
  });
});
