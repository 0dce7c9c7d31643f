import type { Finding } from '../finding.ts';

/** `DescribeTable` of Vault's table, reduced to what the checks read. */
export interface TableFacts {
  table: string;
  status: string | null;
  /** Null when `SSEDescription` is absent: encrypted with an AWS-owned key. */
  sse: { status: string | null; type: string | null; kmsKeyArn: string | null; inaccessibleSince: string | null } | null;
  deletionProtection: boolean | null;
  billingMode: string | null;
  readCapacity: number | null;
  writeCapacity: number | null;
  /** `Path` HASH + `Key` RANGE, as Vault's backend needs. */
  keySchemaOk: boolean;
}

/** `DescribeContinuousBackups`. */
export interface PitrFacts {
  status: string | null;
  recoveryPeriodInDays: number | null;
  latestRestorable: string | null;
}

/** The HA lock item (`Path=core`, `Key=_lock`). */
export interface LockFacts {
  /** The random UUID of the holder's lock attempt. */
  identity: string;
  /** The active node's leader UUID. */
  value: string;
  /** `Expires` (Unix nanoseconds) in epoch ms. */
  expiresAtMs: number;
}

/**
 * What the storage check keeps between sweeps (state item `STORAGE` of the cluster): the last
 * lock holder, when the holder changed within the last hour, and the last known node versions
 * (to notice a rolling upgrade starting). Rewritten only when one of them changes.
 */
export interface StorageTrack {
  holder: string | null;
  /** Epoch ms of holder changes, newest last, at most one hour old when written. */
  changes: number[];
  versions: Record<string, string>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Vault creates its table with 5/5 provisioned capacity, which can starve leader election. */
const LOW_CAPACITY = 5;

export function tableFindings(cluster: string, t: TableFacts): Finding[] {
  const findings: Finding[] = [];
  const evidence = { table: t.table, status: t.status };
  const add = (id: string, severity: Finding['severity'], message: string, extra: Finding['evidence'] = {}): void => {
    findings.push({ id, severity, cluster, message: `Vault storage table ${t.table}: ${message}`, evidence: { ...evidence, ...extra } });
  };
  if (t.status === 'INACCESSIBLE_ENCRYPTION_CREDENTIALS') {
    add('storage.table-inaccessible-encryption', 'critical', 'its KMS key is disabled or inaccessible: Vault cannot read or write its data', {
      kmsKeyArn: t.sse?.kmsKeyArn ?? null,
      inaccessibleSince: t.sse?.inaccessibleSince ?? null,
    });
  } else if (t.status === 'ARCHIVED' || t.status === 'ARCHIVING') {
    add('storage.table-archived', 'critical', `the table is ${t.status.toLowerCase()} (its KMS key was inaccessible for days): restore it from a backup`);
  } else if (t.status !== 'ACTIVE') {
    add('storage.table-not-active', t.status === 'UPDATING' ? 'warning' : 'critical', `status is ${t.status ?? 'unknown'}, not ACTIVE`);
  }
  if (!t.keySchemaOk) add('storage.table-schema', 'critical', 'key schema is not Path (HASH) + Key (RANGE): this is not a Vault table');
  if (t.sse === null || t.sse.type !== 'KMS') {
    add('storage.sse-off', 'info', 'encrypted with an AWS-owned key, not a KMS key you control (audit in CloudTrail is not possible)');
  } else if (t.sse.status !== null && t.sse.status !== 'ENABLED' && t.status !== 'INACCESSIBLE_ENCRYPTION_CREDENTIALS') {
    add('storage.sse-off', 'warning', `server-side encryption is ${t.sse.status}`, { sseStatus: t.sse.status });
  }
  if (t.deletionProtection !== true) add('storage.deletion-protection-off', 'warning', 'deletion protection is off: one DeleteTable call loses every secret');
  if ((t.billingMode ?? 'PROVISIONED') === 'PROVISIONED' && minCapacity(t) !== null && (minCapacity(t) ?? 0) <= LOW_CAPACITY) {
    add('storage.low-capacity', 'warning', `provisioned at ${t.readCapacity}/${t.writeCapacity} read/write units: throttling can block leader election`, {
      readCapacity: t.readCapacity,
      writeCapacity: t.writeCapacity,
    });
  }
  return findings;
}

export function pitrFindings(cluster: string, table: string, p: PitrFacts): Finding[] {
  if (p.status === 'ENABLED') return [];
  return [
    {
      id: 'storage.pitr-off',
      severity: 'warning',
      cluster,
      message: `Vault storage table ${table}: point-in-time recovery is ${p.status ?? 'off'}`,
      evidence: { table, pitrStatus: p.status },
    },
  ];
}

export interface LockCheckInput {
  cluster: string;
  table: string;
  lock: LockFacts | null;
  nowMs: number;
  /** Nodes answering unsealed in this sweep. */
  nodesUp: number;
  /** More than one node configured: Vault runs with `ha_enabled`, so a lock must exist. */
  haExpected: boolean;
  staleLockMs: number;
  changesLastHour: number;
  thrashingPerHour: number;
}

/** Stuck lock (expired while nodes are up), missing lock, and leadership thrashing. */
export function lockFindings(input: LockCheckInput): Finding[] {
  const { cluster, table, lock, nowMs } = input;
  const findings: Finding[] = [];
  if (lock === null) {
    if (input.haExpected && input.nodesUp > 0) {
      findings.push({
        id: 'storage.lock-missing',
        severity: 'warning',
        cluster,
        message: `Vault storage table ${table}: no HA lock item (core/_lock) while ${input.nodesUp} node(s) are up: no node holds leadership`,
        evidence: { table, nodesUp: input.nodesUp },
      });
    }
  } else {
    const expiredForMs = nowMs - lock.expiresAtMs;
    if (expiredForMs > input.staleLockMs && input.nodesUp > 0) {
      findings.push({
        id: 'storage.lock-stuck',
        severity: 'critical',
        cluster,
        message:
          `Vault storage table ${table}: the HA lock expired ${Math.round(expiredForMs / 1000)} s ago and was not renewed or taken over ` +
          `while ${input.nodesUp} node(s) are up (a dead holder never released it, or clock skew)`,
        evidence: {
          table,
          holder: lock.identity,
          leader: lock.value,
          expiresAt: new Date(lock.expiresAtMs).toISOString(),
          expiredForMs,
          nodesUp: input.nodesUp,
        },
      });
    }
  }
  if (input.changesLastHour > input.thrashingPerHour) {
    findings.push({
      id: 'storage.lock-thrashing',
      severity: 'warning',
      cluster,
      message: `Vault storage table ${table}: the HA lock changed holder ${input.changesLastHour} times in the last hour (limit ${input.thrashingPerHour}): leadership is thrashing`,
      evidence: { table, changesLastHour: input.changesLastHour, limit: input.thrashingPerHour },
    });
  }
  return findings;
}

/**
 * The next tracking state after seeing `lock`. A holder change is a new non-null identity
 * differing from the last one seen; a missing lock keeps the last holder (leadership lost and
 * regained by the same lock attempt is not a change). The first sighting is not a change.
 */
export function trackLockHolder(
  previous: StorageTrack | null,
  lock: LockFacts | null,
  nowMs: number,
): { next: StorageTrack; changed: boolean; changesLastHour: number } {
  const recent = (previous?.changes ?? []).filter((at) => at > nowMs - HOUR_MS);
  const identity = lock?.identity ?? null;
  if (previous === null) {
    return { next: { holder: identity, changes: [], versions: {} }, changed: true, changesLastHour: 0 };
  }
  if (identity === null || identity === previous.holder) {
    return { next: { ...previous, changes: previous.changes }, changed: false, changesLastHour: recent.length };
  }
  // The first identity after a missing lock at first sight (holder null) is not a change either.
  const changes = previous.holder === null ? recent : [...recent, nowMs];
  return { next: { ...previous, holder: identity, changes }, changed: true, changesLastHour: changes.length };
}

/**
 * Whether a rolling upgrade has started: a node reports another version than the last one
 * known for it. Also returns the version map to remember (last known versions kept for nodes
 * that do not report one now, e.g. sealed).
 */
export function detectUpgrade(
  previous: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string | null>>,
): { started: boolean; nodes: string[]; versions: Record<string, string>; changed: boolean } {
  const versions: Record<string, string> = { ...previous };
  const nodes: string[] = [];
  let changed = false;
  for (const [node, version] of Object.entries(current)) {
    if (version === null) continue;
    const before = previous[node];
    if (before !== undefined && before !== version) nodes.push(node);
    if (before !== version) changed = true;
    versions[node] = version;
  }
  return { started: nodes.length > 0, nodes, versions, changed };
}

/** An on-demand backup is wanted before an upgrade unless one exists from the last hour. */
export function backupNeeded(newestBackupAtMs: number | null, nowMs: number): boolean {
  return newestBackupAtMs === null || newestBackupAtMs < nowMs - HOUR_MS;
}

/**
 * The newest on-demand backup is older than `maxAgeDays` (or there is none). A warning without
 * point-in-time recovery, information with it.
 */
export function backupFindings(input: {
  cluster: string;
  table: string;
  newestBackupAtMs: number | null;
  nowMs: number;
  pitrEnabled: boolean;
  maxAgeDays: number;
}): Finding[] {
  const { newestBackupAtMs, nowMs } = input;
  if (newestBackupAtMs !== null && nowMs - newestBackupAtMs <= input.maxAgeDays * DAY_MS) return [];
  const ageDays = newestBackupAtMs === null ? null : Math.floor((nowMs - newestBackupAtMs) / DAY_MS);
  return [
    {
      id: 'storage.backup-old',
      severity: input.pitrEnabled ? 'info' : 'warning',
      cluster: input.cluster,
      message:
        `Vault storage table ${input.table}: ` +
        (newestBackupAtMs === null ? 'no on-demand backup exists' : `the newest on-demand backup is ${ageDays} days old`) +
        (input.pitrEnabled ? ' (point-in-time recovery is on)' : ' and point-in-time recovery is off'),
      evidence: {
        table: input.table,
        newestBackupAt: newestBackupAtMs === null ? null : new Date(newestBackupAtMs).toISOString(),
        ageDays,
        pitrEnabled: input.pitrEnabled,
      },
    },
  ];
}

function minCapacity(t: TableFacts): number | null {
  const values = [t.readCapacity, t.writeCapacity].filter((v): v is number => typeof v === 'number' && v > 0);
  return values.length === 0 ? null : Math.min(...values);
}
