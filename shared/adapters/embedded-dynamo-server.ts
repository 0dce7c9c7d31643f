import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { UnavailableError } from '../errors.ts';

export interface EmbeddedDynamoOptions {
  /** LevelDB directory (default `.sealwatch` under the working directory). Ignored with `inMemory`. */
  path?: string;
  /** Keep everything in memory; nothing touches the disk. */
  inMemory?: boolean;
  /**
   * When set, requests signed with any other access key id are refused
   * (`UnrecognizedClientException`), so other local users cannot use the loopback port.
   */
  accessKeyId?: string;
}

export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Stops the server and closes the LevelDB directory (releasing its lock). */
  close(): Promise<void>;
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
 * @throws UnavailableError (code `store_locked`) when the directory is in use by another process
 *   (or store in this one); `store_corrupt` when LevelDB finds it damaged; `unavailable` when it
 *   cannot be opened otherwise or the server cannot listen.
 */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const dynalite = require('dynalite') as Dynalite;
  const path = options.inMemory ? undefined : resolve(options.path ?? '.sealwatch');
  if (path !== undefined) await probeDirectory(path);
  const server = dynalite(path === undefined ? { createTableMs: 0 } : { createTableMs: 0, path });
  if (options.accessKeyId !== undefined) gate(server, options.accessKeyId);
  await new Promise<void>((done, fail) => {
    server.once('error', (error) => fail(new UnavailableError(`the embedded state store could not listen on 127.0.0.1`, { cause: error })));
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

/** Puts an access key id check in front of dynalite's own request handler. */
function gate(server: Server, accessKeyId: string): void {
  const [inner] = server.listeners('request') as RequestListener[];
  if (!inner) throw new Error('dynalite server has no request handler');
  const expected = Buffer.from(accessKeyId);
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const given = Buffer.from(/Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return void inner(req, res);
    const body = JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) }).end(body);
    req.resume();
  });
}

/** Opens and closes the LevelDB directory once, so a held lock or damage shows before dynalite. */
async function probeDirectory(path: string): Promise<void> {
  // Resolved from dynalite's own location: level is its dependency, not ours.
  const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: LevelConstructor };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code;
    if (code === 'LEVEL_LOCKED') {
      throw new UnavailableError(`the embedded state store at ${path} is in use by another sealwatch process`, {
        cause: error,
        code: 'store_locked',
      });
    }
    if (code === 'LEVEL_CORRUPTION') {
      throw new UnavailableError(`the embedded state store at ${path} is damaged (LevelDB reports corruption)`, {
        cause: error,
        code: 'store_corrupt',
        hint: `restore the directory from a backup, or move it aside to start empty (custody then has to be imported again with \`sealwatch keys import\`)`,
      });
    }
    throw new UnavailableError(`the embedded state store at ${path} could not be opened (${String(code ?? 'unknown')})`, {
      cause: error,
      hint: 'check that the directory (state.embedded.path) exists or can be created, and that this user may write to it',
    });
  }
  await db.close();
}
