import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The record a `sealwatch serve` leaves in the embedded store's directory while it hosts the
 * store for other sealwatch processes: where its DynamoDB endpoint listens and the access key id
 * it accepts. The file is readable by the directory's owner only (mode 0600), so the endpoint
 * is no more open than the LevelDB files next to it.
 */
export interface EmbeddedStoreRecord {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The access key id the endpoint accepts; any other is refused. */
  accessKeyId: string;
  pid: number;
  host: string;
  /** ISO time the server started. */
  startedAt: string;
}

/** File name of the record inside the store directory (LevelDB ignores files it did not make). */
export const RECORD_FILE = 'sealwatch-serve.json';

export function recordPath(dir: string): string {
  return join(dir, RECORD_FILE);
}

/** The record, or null when there is none or it cannot be parsed (a torn or foreign file). */
export async function readRecord(dir: string): Promise<EmbeddedStoreRecord | null> {
  let text: string;
  try {
    text = await readFile(recordPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<EmbeddedStoreRecord>;
    if (
      typeof value.endpoint === 'string' &&
      /^http:\/\/127\.0\.0\.1:\d+$/.test(value.endpoint) &&
      typeof value.accessKeyId === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.startedAt === 'string'
    ) {
      return { endpoint: value.endpoint, accessKeyId: value.accessKeyId, pid: value.pid, host: String(value.host ?? ''), startedAt: value.startedAt };
    }
  } catch {
    // fall through: an unparsable record is treated as absent (and replaced by the next host)
  }
  return null;
}

/** Writes the record atomically (temp file + rename), mode 0600. */
export async function writeRecord(dir: string, record: Omit<EmbeddedStoreRecord, 'pid' | 'host' | 'startedAt'>, now: Date): Promise<EmbeddedStoreRecord> {
  const full: EmbeddedStoreRecord = { ...record, pid: process.pid, host: hostname(), startedAt: now.toISOString() };
  const temp = join(dir, `.${RECORD_FILE}.${randomBytes(4).toString('hex')}`);
  await writeFile(temp, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, recordPath(dir));
  return full;
}

/** Removes the record if it is still the one with this access key id (never another host's). */
export async function removeRecord(dir: string, accessKeyId?: string): Promise<void> {
  if (accessKeyId !== undefined) {
    const current = await readRecord(dir).catch(() => null);
    if (current?.accessKeyId !== accessKeyId) return;
  }
  await rm(recordPath(dir), { force: true });
}

/** A fresh random access key id (the endpoint's only credential; never logged). */
export function newAccessKeyId(): string {
  return `SW${randomBytes(18).toString('hex').toUpperCase()}`;
}
