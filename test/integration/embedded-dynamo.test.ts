import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
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

/** Opens the embedded store (default path) in a child process whose cwd is `cwd`; reports the outcome. */
function openInChild(cwd: string): Promise<{ name?: string; code?: string; message?: string; opened?: boolean }> {
  const script = `
    const { createEmbeddedStateStore } = await import(${JSON.stringify(moduleUrl)});
    const clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
    try {
      const store = await createEmbeddedStateStore({ clock });
      await store.close();
      console.log(JSON.stringify({ opened: true }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message }));
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

  it('refuses a second open of a directory in use, in another process, with a clear message', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    const path = join(cwd, '.sealwatch');
    const holder = await createEmbeddedStateStore({ path, clock: new FakeClock() });
    try {
      const child = await openInChild(cwd);
      expect(child).toEqual({
        name: 'UnavailableError',
        code: 'unavailable',
        message: `the embedded state store at ${path} is in use by another sealwatch process; stop it, or point this command at the same DynamoDB table`,
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
