import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../shared/adapters/embedded-store-record.ts';
import type { SimulatedInitResult } from '../../shared/simulator/types.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { runCliProcess, startCliProcess, type CliDaemon } from '../support/cli-process.ts';

// Issue 14 ("one store, many processes"): `sealwatch serve` on the embedded store, as its own
// process, and the operator's other commands as processes of their own while it runs. Each
// command is one `step` below, so a new command (or new options) is one more line.

let dir: string;
let sim: SimulatedCluster;
let serve: CliDaemon | undefined;
let serveUrl = '';
const env = { SW_TEST_KEY: randomBytes(32).toString('base64') };

const cli = (args: string[], stdin?: string) =>
  runCliProcess([...args, '--config', 'sealwatch.json'], { cwd: dir, env, ...(stdin === undefined ? {} : { stdin }), timeoutMs: 40_000 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-serve-beside-'));
  // Sealed nodes, and autoUnseal off: the CLI's `unseal` is what unseals them.
  sim = await startSimulatedCluster({ nodes: 2, unsealed: false });
  await writeFile(
    join(dir, 'sealwatch.json'),
    JSON.stringify({
      state: { embedded: { path: './state' } },
      sweep: { intervalSeconds: 5 },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [{ id: 'prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: sim.caPem }, autoUnseal: false }],
    }),
  );
});

afterAll(async () => {
  await serve?.stop('SIGKILL');
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sealwatch serve (embedded store) with other commands beside it', () => {
  it('starts, hosts the store and records where', { timeout: 40_000 }, async () => {
    serve = startCliProcess(['serve', '--port', '0', '--config', 'sealwatch.json'], { cwd: dir, env });
    const [, url] = await serve.waitFor(/serving (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    serveUrl = url ?? '';
    expect(await readdir(join(dir, 'state'))).toContain(RECORD_FILE);
  });

  it('keys import (stdin) stores custody', { timeout: 40_000 }, async () => {
    const init = sim.init as SimulatedInitResult;
    const input = JSON.stringify({
      unseal_keys_b64: init.keysBase64,
      unseal_keys_hex: init.keys,
      unseal_shares: 5,
      unseal_threshold: 3,
      root_token: init.rootToken,
    });
    const run = await cli(['keys', 'import', '--cluster', 'prod'], input);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('imported 5 unseal shares of cluster prod');
  });

  it('keys status sees that custody and unwraps it', { timeout: 40_000 }, async () => {
    const run = await cli(['keys', 'status', '--cluster', 'prod', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ cluster: 'prod', threshold: 3, shares: 5, thresholdReachable: true });
  });

  it('unseal unseals the sealed nodes', { timeout: 40_000 }, async () => {
    expect(sim.nodes.every((n) => n.state().sealed)).toBe(true);
    const run = await cli(['unseal', '--cluster', 'prod', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { nodes: { outcome: string }[] }).nodes.map((n) => n.outcome)).toEqual(['unsealed', 'unsealed']);
    expect(sim.nodes.every((n) => !n.state().sealed)).toBe(true);
  });

  it('incidents --json answers', { timeout: 40_000 }, async () => {
    const run = await cli(['incidents', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('incidents');
  });

  it('silence add, list and remove', { timeout: 60_000 }, async () => {
    const add = await cli(['silence', 'add', '--cluster', 'prod', '--for', '1h', '--reason', 'maintenance', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const { id } = JSON.parse(add.stdout) as { id: string };
    expect(id).toBeTruthy();
    const list = await cli(['silence', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(id);
    const remove = await cli(['silence', 'remove', id]);
    expect(remove.code, remove.stderr).toBe(0);
    const after = await cli(['silence', 'list', '--json']);
    expect(after.stdout).not.toContain(id);
  });

  it('apikey create makes a key the running server accepts at once', { timeout: 40_000 }, async () => {
    const run = await cli(['apikey', 'create', '--name', 'ci', '--scopes', 'read', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { key } = JSON.parse(run.stdout) as { key: string };
    const denied = await fetch(`${serveUrl}/v1/clusters`);
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${serveUrl}/v1/clusters`, { headers: { 'x-api-key': key } });
    expect(allowed.status).toBe(200);
  });

  it('serve streams timestamped changes: the unseal done beside it shows as transitions', { timeout: 30_000 }, async () => {
    const [line] = await (serve as CliDaemon).waitFor(/^\S+ prod\/\S+: sealed → (active|standby)$/m, 20_000);
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    const lines = (serve as CliDaemon).stdout().trimEnd().split('\n');
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\S+Z /.test(l))).toBe(true);
  });

  it('nothing printed a stack trace', () => {
    expect(serve?.stderr() ?? '').not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  });

  it('a killed serve leaves a stale record: the next command detects it, removes it and works alone', { timeout: 60_000 }, async () => {
    const killed = await serve?.stop('SIGKILL');
    expect(killed?.signal).toBe('SIGKILL');
    expect(await readdir(join(dir, 'state'))).toContain(RECORD_FILE);
    const run = await cli(['incidents', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('incidents');
    expect(run.stderr).toContain('state.embedded.stale_record');
    expect(await readdir(join(dir, 'state'))).not.toContain(RECORD_FILE);
  });

  it('a new serve hosts the store again; a second serve on the same directory is refused in one line', { timeout: 60_000 }, async () => {
    serve = startCliProcess(['serve', '--port', '0', '--config', 'sealwatch.json'], { cwd: dir, env });
    await serve.waitFor(/serving http:\/\/127\.0\.0\.1:\d+/, 30_000);
    const second = await cli(['serve', '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^sealwatch serve: the embedded state store at .* is already served by sealwatch process \d+ .* — one `sealwatch serve` per state directory/,
      ),
    ]);
    const stopped = await serve.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    // A clean stop removes the record.
    expect(await readdir(join(dir, 'state'))).not.toContain(RECORD_FILE);
  });
});
