import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { RECORD_FILE } from '../../shared/adapters/embedded-store-record.ts';
import { UnavailableError } from '../../shared/errors.ts';
import { FakeClock } from '../support/fake-clock.ts';

const moduleUrl = new URL('../../shared/adapters/embedded-dynamo.ts', import.meta.url).href;
// Absolute, since the child runs in a directory outside the repository.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-embedded-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface ChildOutcome {
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
  opened?: boolean;
  notices?: { kind: string; pid?: number }[];
  read?: unknown;
}

/**
 * Opens the embedded store (default path) in a child process whose cwd is `cwd`, with `options`
 * (JSON) added; writes CLUSTER#child/STATE and reads CLUSTER#parent/STATE; reports the outcome.
 */
function openInChild(cwd: string, options: Record<string, unknown> = {}): Promise<ChildOutcome> {
  const script = `
    const { createEmbeddedStateStore } = await import(${JSON.stringify(moduleUrl)});
    const clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
    const notices = [];
    try {
      const store = await createEmbeddedStateStore({ clock, onNotice: (n) => notices.push(n), ...${JSON.stringify(options)} });
      await store.put({ pk: 'CLUSTER#child', sk: 'STATE', data: { from: 'child' }, condition: { kind: 'any' } });
      const read = (await store.get('CLUSTER#parent', 'STATE'))?.data ?? null;
      await store.close();
      console.log(JSON.stringify({ opened: true, notices, read }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, hint: e.hint }));
    }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, '--input-type=module', '-e', script],
      // The store's default path is resolved from cwd.
      { cwd, timeout: 20_000 },
      (error, stdout) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as { name?: string });
        } catch {
          reject(error ?? new Error(`child printed no result: ${stdout}`));
        }
      },
    );
  });
}

describe('embedded state store (dynalite in process)', () => {
  it('keeps data across close and reopen of the same directory', async () => {
    const clock = new FakeClock();
    const path = join(dir, 'persist');
    const first = await createEmbeddedStateStore({ path, clock });
    await first.put({ pk: 'CLUSTER#prod', sk: 'STATE', data: { sealed: false }, condition: { kind: 'absent' } });
    await first.close();

    const second = await createEmbeddedStateStore({ path, clock });
    try {
      expect(await second.get('CLUSTER#prod', 'STATE')).toEqual({
        pk: 'CLUSTER#prod',
        sk: 'STATE',
        version: 1,
        data: { sealed: false },
      });
      const next = await second.put({ pk: 'CLUSTER#prod', sk: 'STATE', data: {}, condition: { kind: 'version', version: 1 } });
      expect(next.version).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('refuses a directory held by a process that does not host it, after waiting, with a hint', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    const path = join(cwd, '.sealwatch');
    const holder = await createEmbeddedStateStore({ path, clock: new FakeClock() });
    try {
      const child = await openInChild(cwd, { waitMs: 300 });
      expect(child).toEqual({
        name: 'UnavailableError',
        code: 'store_locked',
        message: `the embedded state store at ${path} is in use by another sealwatch command that does not share it`,
        hint: 'wait for that command to finish and try again; run `sealwatch serve` to let several commands use the store at once',
      });
    } finally {
      await holder.close();
    }
    // Closing released the lock.
    const reopened = await createEmbeddedStateStore({ path, clock: new FakeClock() });
    await reopened.close();
  });

  it('refuses a second open of a directory in use in this process too', async () => {
    const path = join(dir, 'same-process');
    const holder = await createEmbeddedStateStore({ path, clock: new FakeClock() });
    try {
      const error = await createEmbeddedStateStore({ path, clock: new FakeClock() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).message).toContain(`${path} is in use`);
      // The holder is undisturbed.
      await holder.put({ pk: 'CLUSTER#a', sk: 'STATE', data: {}, condition: { kind: 'any' } });
      expect(await holder.get('CLUSTER#a', 'STATE')).not.toBeNull();
    } finally {
      await holder.close();
    }
  });

  it('looks up no AWS credentials or region from the environment', async () => {
    const saved = { ...process.env };
    // Any lookup would now fail: an unknown profile, no region, no config files.
    process.env['AWS_PROFILE'] = 'sealwatch-no-such-profile';
    process.env['AWS_CONFIG_FILE'] = join(dir, 'no-config');
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'no-credentials');
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      delete process.env[name];
    }
    try {
      const store = await createEmbeddedStateStore({ inMemory: true, clock: new FakeClock() });
      await store.put({ pk: 'CLUSTER#a', sk: 'STATE', data: { ok: true }, condition: { kind: 'any' } });
      expect((await store.get('CLUSTER#a', 'STATE'))?.data).toEqual({ ok: true });
      await store.close();
    } finally {
      process.env = saved;
    }
  });
});

describe('embedded state store shared by a host (sealwatch serve) with other processes', () => {
  it("a host records its endpoint (mode 0600); another process joins it and both see each other's writes", async () => {
    const cwd = await mkdtemp(join(dir, 'host-'));
    const path = join(cwd, '.sealwatch');
    const notices: unknown[] = [];
    const host = await createEmbeddedStateStore({ path, clock: new FakeClock(), host: true, onNotice: (n) => notices.push(n) });
    try {
      expect(notices).toEqual([{ kind: 'created' }, { kind: 'hosting', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }]);
      const record = JSON.parse(await readFile(join(path, RECORD_FILE), 'utf8')) as { pid: number; endpoint: string };
      expect(record.pid).toBe(process.pid);
      expect((await stat(join(path, RECORD_FILE))).mode & 0o777).toBe(0o600);
      await host.put({ pk: 'CLUSTER#parent', sk: 'STATE', data: { from: 'parent' }, condition: { kind: 'any' } });

      const child = await openInChild(cwd, { waitMs: 2_000 });
      expect(child).toEqual({ opened: true, notices: [{ kind: 'joined', pid: process.pid, endpoint: record.endpoint }], read: { from: 'parent' } });
      expect((await host.get('CLUSTER#child', 'STATE'))?.data).toEqual({ from: 'child' });

      // A second host is refused while the first one answers.
      const second = await openInChild(cwd, { host: true, waitMs: 500 });
      expect(second).toMatchObject({ name: 'UnavailableError', code: 'store_hosted' });
      expect(second.message).toContain(`already served by sealwatch process ${process.pid}`);
      // A long-running command that would host (a sweep loop) joins the existing host instead.
      const loop = await openInChild(cwd, { host: 'if-first', waitMs: 500 });
      expect(loop).toMatchObject({ opened: true, notices: [{ kind: 'joined', pid: process.pid }] });

      // The endpoint refuses requests signed with any other access key id.
      const stranger = new DynamoDBClient({
        endpoint: record.endpoint,
        region: 'local',
        credentials: { accessKeyId: 'guess', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      const refused = await stranger.send(new ListTablesCommand({})).catch((e: unknown) => e);
      stranger.destroy();
      expect((refused as Error).name).toBe('UnrecognizedClientException');
    } finally {
      await host.close();
    }
    // Closing the host removed its record; the next command opens the store itself.
    await expect(readdir(path)).resolves.not.toContain(RECORD_FILE);
    const alone = await openInChild(cwd, { waitMs: 500 });
    expect(alone).toMatchObject({ opened: true, notices: [], read: { from: 'parent' } });
  });

  it('detects the record of a dead server, removes it and opens the store itself', async () => {
    const cwd = await mkdtemp(join(dir, 'stale-'));
    const path = join(cwd, '.sealwatch');
    await createEmbeddedStateStore({ path, clock: new FakeClock() }).then((s) => s.close());
    // What a killed serve leaves behind: its record, pointing at a port nobody listens on.
    const stale = { endpoint: 'http://127.0.0.1:9', accessKeyId: 'SWDEAD', pid: 999_999, host: 'gone', startedAt: '2026-01-01T00:00:00.000Z' };
    await writeFile(join(path, RECORD_FILE), JSON.stringify(stale));
    const child = await openInChild(cwd, { waitMs: 2_000 });
    expect(child).toEqual({
      opened: true,
      notices: [{ kind: 'stale-record', pid: 999_999, host: 'gone', startedAt: '2026-01-01T00:00:00.000Z', endpoint: 'http://127.0.0.1:9' }],
      read: null,
    });
    await expect(readdir(path)).resolves.not.toContain(RECORD_FILE);
  });

  it('a record whose server hangs while the directory stays locked is reported as such, without a long wait', async () => {
    const cwd = await mkdtemp(join(dir, 'hung-'));
    const path = join(cwd, '.sealwatch');
    const holder = await createEmbeddedStateStore({ path, clock: new FakeClock() });
    // Accepts connections and never answers: a hung host.
    const hung = net.createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}`;
      await writeFile(join(path, RECORD_FILE), JSON.stringify({ endpoint, accessKeyId: 'SWX', pid: 4242, host: 'h', startedAt: '2026-01-01T00:00:00.000Z' }));
      const started = Date.now();
      const child = await openInChild(cwd, { waitMs: 300 });
      expect(child).toMatchObject({ name: 'UnavailableError', code: 'store_locked', hint: 'if process 4242 is hung, stop it; then run the command again' });
      expect(child.message).toContain('recorded as hosting it (process 4242');
      // One 2 s probe of the host, not the store's 2 × 10 s request budget (child start included).
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      hung.close();
      await holder.close();
    }
  });

  it('a damaged directory is reported as damaged, with what to do', async () => {
    const path = join(dir, 'damaged');
    await createEmbeddedStateStore({ path, clock: new FakeClock() }).then((s) => s.close());
    for (const name of await readdir(path)) if (name.startsWith('MANIFEST')) await writeFile(join(path, name), 'not a manifest');
    const error = (await createEmbeddedStateStore({ path, clock: new FakeClock() }).catch((e: unknown) => e)) as UnavailableError;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.code).toBe('store_corrupt');
    expect(error.message).toBe(`the embedded state store at ${path} is damaged (LevelDB reports corruption)`);
    expect(error.hint).toContain('restore the directory from a backup');
  });
});
