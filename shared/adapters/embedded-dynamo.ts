import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SealwatchError, UnavailableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';
import { createDynamoDbStateStore, ensureStateTable } from './dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamoOptions } from './embedded-dynamo-server.ts';
import { newAccessKeyId, readRecord, removeRecord, writeRecord, type EmbeddedStoreRecord } from './embedded-store-record.ts';

export { startEmbeddedDynamo, type EmbeddedDynamo, type EmbeddedDynamoOptions } from './embedded-dynamo-server.ts';

/** Something worth telling the operator about how the store was opened. */
export type EmbeddedStoreNotice =
  /** A record of a server that no longer holds the directory was found and removed. */
  | { kind: 'stale-record'; pid: number; host: string; startedAt: string; endpoint: string }
  /** This process uses the store hosted by another sealwatch process. */
  | { kind: 'joined'; pid: number; endpoint: string }
  /** This process hosts the store for others. */
  | { kind: 'hosting'; endpoint: string }
  /** The store's table did not exist and was created: a new store, with nothing of an earlier sealwatch in it. */
  | { kind: 'created' };

export interface EmbeddedStateStoreOptions extends Omit<EmbeddedDynamoOptions, 'accessKeyId'> {
  clock: Clock;
  /** Default `sealwatch`. */
  table?: string;
  /**
   * Host the store for other sealwatch processes (`sealwatch serve`): write the endpoint record
   * into the directory and keep it until `close()`. Other processes then join instead of being
   * refused. Refused when another live process already hosts the directory; with `if-first`
   * that process is joined instead (a long-running `sweep` beside a `serve`).
   */
  host?: boolean | 'if-first';
  /**
   * How long to wait for a directory held by a process that does not host it (a short command)
   * before giving up. Default 10 s.
   */
  waitMs?: number;
  onNotice?: (notice: EmbeddedStoreNotice) => void;
}

/** Paths this process holds: a second open here would wait for itself. */
const heldHere = new Set<string>();

/**
 * The embedded state store. Whoever opens the directory first runs dynalite on it (in this
 * process, loopback, a random access key id); a host (`serve`) also records its endpoint in the
 * directory, and every later sealwatch process joins it through the same DynamoDB adapter over
 * that endpoint (conditional writes keep concurrent processes safe). A record whose process is
 * gone is detected (its LevelDB lock was released) and removed. `close()` stops what was started.
 *
 * @throws UnavailableError `store_locked` when the directory stays held by a process that does
 *   not host it, or its recorded host does not answer; `store_hosted` when `host` is asked for
 *   and another process already hosts it; `store_corrupt` when LevelDB finds it damaged.
 */
export async function createEmbeddedStateStore(options: EmbeddedStateStoreOptions): Promise<StateStore> {
  const table = options.table ?? 'sealwatch';
  if (options.inMemory) return startOwnStore(options, table, undefined);
  const path = resolve(options.path ?? '.sealwatch');
  if (heldHere.has(path)) {
    throw new UnavailableError(`the embedded state store at ${path} is in use by this process already`, { code: 'store_locked' });
  }
  // Real time: waiting on other processes, while the injected clock may be a test's frozen one.
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (;;) {
    const record = await readRecord(path);
    if (record) {
      const joined = await join(record, table, options.clock);
      if (joined) {
        if (options.host === true) {
          await joined.close();
          throw new UnavailableError(`the embedded state store at ${path} is already served by sealwatch process ${record.pid} (since ${record.startedAt})`, {
            code: 'store_hosted',
            hint: 'one `sealwatch serve` per state directory: stop the other one (a serve or a sweep loop), or give this one its own state.embedded.path',
          });
        }
        options.onNotice?.({ kind: 'joined', pid: record.pid, endpoint: record.endpoint });
        return withHint(joined, record, path);
      }
    }
    try {
      heldHere.add(path);
      // Taking the lock while a record exists means its server released it: it is gone.
      return await startOwnStore(options, table, path, record ?? undefined);
    } catch (error) {
      heldHere.delete(path);
      if (!(error instanceof SealwatchError && error.code === 'store_locked')) throw error;
      if (Date.now() >= deadline) throw lockedError(path, record, error);
    }
    await sleep(150);
  }
}

/** dynalite here over `path`; with `stale`, the record of a dead host is removed first. */
async function startOwnStore(options: EmbeddedStateStoreOptions, table: string, path: string | undefined, stale?: EmbeddedStoreRecord): Promise<StateStore> {
  const accessKeyId = newAccessKeyId();
  const dynamo = await startEmbeddedDynamo(path === undefined ? { inMemory: true, accessKeyId } : { path, accessKeyId });
  const client = localClient(dynamo.endpoint, accessKeyId);
  let hosting = false;
  try {
    if (path !== undefined && stale) {
      await removeRecord(path, stale.accessKeyId);
      options.onNotice?.({ kind: 'stale-record', pid: stale.pid, host: stale.host, startedAt: stale.startedAt, endpoint: stale.endpoint });
    }
    // Waits on a real server, so on real time: the injected clock may be a test's frozen one.
    if (await ensureStateTable(client, table)) options.onNotice?.({ kind: 'created' });
    if (path !== undefined && options.host) {
      await writeRecord(path, { endpoint: dynamo.endpoint, accessKeyId }, new Date());
      hosting = true;
      options.onNotice?.({ kind: 'hosting', endpoint: dynamo.endpoint });
    }
  } catch (error) {
    client.destroy();
    await dynamo.close();
    throw error;
  }
  const store = createDynamoDbStateStore({ client, table, clock: options.clock });
  return {
    ...store,
    async close() {
      // The record goes first: a process starting now must not join a server that is stopping.
      if (hosting && path !== undefined) await removeRecord(path, accessKeyId).catch(() => undefined);
      await store.close();
      await dynamo.close();
      if (path !== undefined) heldHere.delete(path);
    },
  };
}

/** A store over the recorded host's endpoint, or null when it does not answer. */
async function join(record: EmbeddedStoreRecord, table: string, clock: Clock): Promise<StateStore | null> {
  // A hung host must not hold every command for the full request timeout: one short try first.
  const probe = localClient(record.endpoint, record.accessKeyId, { attempts: 1, timeoutMs: 2_000 });
  try {
    await ensureStateTable(probe, table, { timeoutMs: 2_000 });
  } catch {
    return null;
  } finally {
    probe.destroy();
  }
  return createDynamoDbStateStore({ client: localClient(record.endpoint, record.accessKeyId), table, clock });
}

/**
 * The real DynamoDB client pointed at a loopback dynalite: explicit region and credentials, so
 * nothing is looked up from the environment or instance metadata.
 */
function localClient(endpoint: string, accessKeyId: string, limits = { attempts: 2, timeoutMs: 10_000 }): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId, secretAccessKey: 'sealwatch-local' },
    maxAttempts: limits.attempts,
    retryMode: 'standard',
    defaultsMode: 'standard',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes, and waits on.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: limits.timeoutMs, throwOnRequestTimeout: true },
  });
}

/** A joined store whose "unreachable" errors say which serve process went away. */
function withHint(store: StateStore, record: EmbeddedStoreRecord, path: string): StateStore {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(store)) {
    wrapped[name] =
      typeof value !== 'function'
        ? value
        : async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(store, args);
            } catch (error) {
              if (!(error instanceof UnavailableError) || error.code !== 'unavailable') throw error;
              throw new UnavailableError(`the sealwatch serve (process ${record.pid}) hosting the embedded state store at ${path} stopped answering`, {
                cause: error,
                hint: 'restart `sealwatch serve`, or run the command again once it has stopped (it then opens the store itself)',
              });
            }
          };
  }
  return wrapped as unknown as StateStore;
}

function lockedError(path: string, record: EmbeddedStoreRecord | null, cause: unknown): UnavailableError {
  if (record) {
    return new UnavailableError(
      `the embedded state store at ${path} is locked, and the sealwatch serve recorded as hosting it (process ${record.pid}, since ${record.startedAt}) does not answer`,
      { cause, code: 'store_locked', hint: `if process ${record.pid} is hung, stop it; then run the command again` },
    );
  }
  return new UnavailableError(`the embedded state store at ${path} is in use by another sealwatch command that does not share it`, {
    cause,
    code: 'store_locked',
    hint: 'wait for that command to finish and try again; run `sealwatch serve` to let several commands use the store at once',
  });
}
