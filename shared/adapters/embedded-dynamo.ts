import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UnavailableError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';
import { createDynamoDbStateStore, ensureStateTable } from './dynamodb-state-store.ts';

export interface EmbeddedDynamoOptions {
  /** LevelDB directory (default `.sealwatch` under the working directory). Ignored with `inMemory`. */
  path?: string;
  /** Keep everything in memory; nothing touches the disk. */
  inMemory?: boolean;
}

export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Stops the server and closes the LevelDB directory (releasing its lock). */
  close(): Promise<void>;
}

export interface EmbeddedStateStoreOptions extends EmbeddedDynamoOptions {
  clock: Clock;
  /** Default `sealwatch`. */
  table?: string;
}

// dynalite and level ship no type declarations; these are the parts used here.
type Dynalite = (options: { createTableMs?: number; path?: string }) => Server;
interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelConstructor = new (location: string) => LevelDb;

const require = createRequire(import.meta.url);

/**
 * Starts dynalite (DynamoDB on LevelDB) in this process on 127.0.0.1 and a free port.
 *
 * LevelDB allows one process per directory, and dynalite only notices a held lock on its first
 * request (by throwing outside any handler). So the directory is opened and closed once here
 * first, which turns "in use" into an error at start.
 *
 * @throws UnavailableError when the directory is in use by another process (or store in this
 *   one), cannot be opened, or the server cannot listen.
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const dynalite = require('dynalite') as Dynalite;
  const path = options.inMemory ? undefined : resolve(options.path ?? '.sealwatch');
  if (path !== undefined) await probeDirectory(path);
  const server = dynalite(path === undefined ? { createTableMs: 0 } : { createTableMs: 0, path });
  await new Promise<void>((done, fail) => {
    server.once('error', (error) =>
      fail(new UnavailableError(`the embedded state store could not listen on 127.0.0.1`, { cause: error })),
    );
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * The embedded state store: dynalite in this process, the real DynamoDB client pointed at it
 * (explicit region and dummy credentials, so nothing is looked up from the environment or
 * instance metadata) and the state table created if missing. `close()` stops dynalite too.
 */
export async function createEmbeddedStateStore(options: EmbeddedStateStoreOptions): Promise<StateStore> {
  const dynamo = await startEmbeddedDynamo(
    options.inMemory ? { inMemory: true } : options.path === undefined ? {} : { path: options.path },
  );
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'sealwatch-local', secretAccessKey: 'sealwatch-local' },
    maxAttempts: 2,
    retryMode: 'standard',
    defaultsMode: 'standard',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  });
  const table = options.table ?? 'sealwatch';
  try {
    // Waits on a real server, so on real time: the injected clock may be a test's frozen one.
    await ensureStateTable(client, table);
  } catch (error) {
    client.destroy();
    await dynamo.close();
    throw error;
  }
  const store = createDynamoDbStateStore({ client, table, clock: options.clock });
  return {
    ...store,
    async close() {
      await store.close();
      await dynamo.close();
    },
  };
}

async function probeDirectory(path: string): Promise<void> {
  // Resolved from dynalite's own location: level is its dependency, not ours.
  const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: LevelConstructor };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    if (code === 'LEVEL_LOCKED') {
      throw new UnavailableError(
        `the embedded state store at ${path} is in use by another sealwatch process; stop it, or point this command at the same DynamoDB table`,
        { cause: error },
      );
    }
    throw new UnavailableError(`the embedded state store at ${path} could not be opened (${String(code ?? 'unknown')})`, {
      cause: error,
    });
  }
  await db.close();
}
