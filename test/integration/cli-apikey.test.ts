import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apikeyCommand } from '../../functions/cli/commands/apikey.ts';
import type { CliIo } from '../../functions/cli/io.ts';

// `sealwatch apikey` end to end: the real loader, the embedded on-disk store, one process at a time.
let dir: string;

function io(): CliIo & { out: string; err: string } {
  const captured = { out: '', err: '' };
  return Object.assign(captured, {
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
    readStdin: async () => '',
    env: { SEALWATCH_LOG_LEVEL: 'silent' },
    cwd: dir,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-apikey-'));
  await writeFile(
    join(dir, 'sealwatch.yaml'),
    'state:\n  embedded:\n    path: ./state\nclusters:\n  - id: dev\n    nodes:\n      - { id: vault-0, url: "http://127.0.0.1:8200", insecureHttp: true }\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sealwatch apikey', () => {
  it('creates a key printed once, lists it without the key, revokes it', async () => {
    const created = io();
    expect(await apikeyCommand(['create', '--name', 'ci bot', '--scopes', 'read,operate', '--json'], created)).toBe(0);
    const { key, id, scopes } = JSON.parse(created.out) as { key: string; id: string; scopes: string[] };
    expect(key).toMatch(/^swk_[0-9a-f]{12}_/);
    expect(scopes).toEqual(['read', 'operate']);
    expect(created.err).toContain('shown this once');

    const listed = io();
    expect(await apikeyCommand(['list'], listed)).toBe(0);
    expect(listed.out).toContain(id);
    expect(listed.out).toContain('ci bot');
    expect(listed.out).not.toContain(key);

    const revoked = io();
    expect(await apikeyCommand(['revoke', id], revoked)).toBe(0);
    const after = io();
    await apikeyCommand(['list', '--json'], after);
    expect((JSON.parse(after.out) as { id: string; revokedAt?: string }[]).find((k) => k.id === id)?.revokedAt).toBeTruthy();
  });

  it('refuses bad usage with exit 1 and unknown ids with exit 2', async () => {
    for (const argv of [[], ['create', '--name', 'x'], ['create', '--name', 'x', '--scopes', 'root'], ['revoke'], ['frobnicate']]) {
      const run = io();
      expect(await apikeyCommand(argv, run), argv.join(' ')).toBe(1);
      expect(run.err).toContain('usage: sealwatch apikey');
    }
    const unknown = io();
    expect(await apikeyCommand(['revoke', '000000000000'], unknown)).toBe(2);
    expect(unknown.err).toContain('no API key');
  });
});
