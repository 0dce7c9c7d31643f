import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { runCliProcess, type CliProcessRun } from '../support/cli-process.ts';

// Issue 14, CLI conventions and errors: every case runs `node functions/cli/bin.js` as a user
// would, in its own process, and looks at exit status, stdout and stderr.

let dir: string;
let healthy: SimulatedCluster;
let sealed: SimulatedCluster;
let caFile: string;
const env = { SW_TEST_KEY: randomBytes(32).toString('base64') };

const run = (args: string[], extraEnv: Record<string, string> = {}) => runCliProcess(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 40_000 });
const STACK = /\n\s+at .+\(?.+:\d+:\d+\)?/;

/** stderr is exactly one line (and no stack trace). */
function oneLine(r: CliProcessRun): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(STACK);
  return lines[0] ?? '';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-cli-conventions-'));
  [healthy, sealed] = await Promise.all([startSimulatedCluster({ nodes: 2 }), startSimulatedCluster({ nodes: 2, unsealed: false })]);
  // Both simulated clusters share no CA; probe's VAULT_CACERT names the sealed one's.
  caFile = join(dir, 'vault-ca.pem');
  await writeFile(caFile, sealed.caPem ?? '');
  const cluster = (id: string, s: SimulatedCluster) => ({ id, nodes: s.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: s.caPem } });
  await writeFile(
    join(dir, 'sealwatch.json'),
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [cluster('prod', healthy), cluster('dr', sealed)],
    }),
  );
  await writeFile(join(dir, 'broken.json'), JSON.stringify({ clusters: [{ id: 'Bad Id', nodes: [] }], bogus: 1 }));
});

afterAll(async () => {
  await Promise.all([healthy?.close(), sealed?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sealwatch --version', () => {
  it('prints the package version and exits 0', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`sealwatch ${pkg.version}\n`);
  });
});

describe('sealwatch status', () => {
  it('one vault-status-like screen for a healthy cluster; exit 0', async () => {
    const r = await run(['status', '--cluster', 'prod', '--config', 'sealwatch.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Key\s+Value\n---\s+-----\n/);
    expect(r.stdout).toMatch(/\nCluster\s+prod\n/);
    expect(r.stdout).toMatch(/\nSeal Type\s+shamir\n/);
    expect(r.stdout).toMatch(/\nSealed\s+false\n/);
    expect(r.stdout).toMatch(/\nTotal Shares\s+5\n/);
    expect(r.stdout).toMatch(/\nThreshold\s+3\n/);
    expect(r.stdout).toMatch(new RegExp(`\\nActive Node\\s+${healthy.nodes[0]?.id}\\n`));
    expect(r.stdout).toMatch(new RegExp(`\\n${healthy.nodes[1]?.id}\\s+standby\\s+false`));
  });

  it('exit 2 when a node is sealed; every cluster gets its screen', async () => {
    const all = await run(['status', '--config', 'sealwatch.json']);
    expect(all.code, all.stderr).toBe(2);
    expect(all.stdout.match(/^Key\s+Value$/gm)).toHaveLength(2);
    expect(all.stdout).toMatch(/\nSealed\s+true \(2 of 2 nodes\)\n/);
    const dr = await run(['status', '--cluster', 'dr', '--config', 'sealwatch.json', '--json']);
    expect(dr.code).toBe(2);
    const body = JSON.parse(dr.stdout) as { clusters: { id: string; nodes: { state: string; sealed: boolean }[] }[] };
    expect(body.clusters.map((c) => c.id)).toEqual(['dr']);
    expect(body.clusters[0]?.nodes.every((n) => n.state === 'sealed' && n.sealed)).toBe(true);
  });

  it('an unknown cluster is one line naming the known ones; with --json a JSON error', async () => {
    const text = await run(['status', '--cluster', 'nope', '--config', 'sealwatch.json']);
    expect(text.code).toBe(1);
    expect(oneLine(text)).toBe('sealwatch status: no cluster "nope" is configured (known: prod, dr)');
    const json = await run(['status', '--cluster', 'nope', '--config', 'sealwatch.json', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(oneLine(json))).toEqual({
      error: { command: 'status', code: 'not_found', message: 'no cluster "nope" is configured (known: prod, dr)' },
    });
  });
});

describe('sealwatch probe', () => {
  it('probes $VAULT_ADDR with $VAULT_CACERT; exit 2 for a sealed node, like vault status', async () => {
    const r = await run(['probe', '--json'], { VAULT_ADDR: sealed.nodes[0]?.url ?? '', VAULT_CACERT: caFile });
    expect(r.code, r.stderr).toBe(2);
    const [result] = JSON.parse(r.stdout) as { url: string; state: string; error: unknown }[];
    expect(result).toMatchObject({ url: sealed.nodes[0]?.url, state: 'sealed', error: null });
  });

  it('exit 0 for an unsealed node (its CA given with --ca, which wins over VAULT_CACERT)', async () => {
    await writeFile(join(dir, 'healthy-ca.pem'), healthy.caPem ?? '');
    const r = await run(['probe', healthy.nodes[0]?.url ?? '', '--ca', 'healthy-ca.pem'], { VAULT_CACERT: caFile });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\sactive\s/);
  });

  it('without a URL or VAULT_ADDR: a usage error; with --json, as JSON', async () => {
    const r = await run(['probe', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(oneLine(r))).toEqual({
      error: { command: 'probe', code: 'usage', message: 'at least one node URL is required (or set VAULT_ADDR)', hint: 'run `sealwatch probe --help`' },
    });
  });
});

describe('expected errors are one line (no stack trace)', () => {
  let blocker: net.Server;
  let port = 0;
  beforeAll(async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('serve on a busy port says so and suggests --port', async () => {
    const r = await run(['serve', '--port', String(port), '--config', 'sealwatch.json']);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      `sealwatch serve: port ${port} on 127.0.0.1 is already in use (another program, or another sealwatch serve) — pick another port with --port P (--port 0 picks a free one)`,
    );
  });

  it('demo (npm start) on a busy port too', { timeout: 45_000 }, async () => {
    const r = await run(['demo', '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(new RegExp(`^sealwatch demo: port ${port} on 127\\.0\\.0\\.1 is already in use .* — pick another port with --port P`));
  });

  it('a configuration with problems: a header line and one line per problem; --json makes it JSON', async () => {
    const r = await run(['incidents', '--config', 'broken.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toMatch(/^sealwatch incidents: .*broken\.json has \d+ problems — fix the file/);
    expect(r.stderr).toMatch(/\n {2}- bogus: /);
    const j = await run(['incidents', '--config', 'broken.json', '--json']);
    const error = (JSON.parse(oneLine(j)) as { error: { code: string; problems: string[] } }).error;
    expect(error.code).toBe('config_invalid');
    expect(error.problems.some((p) => p.startsWith('bogus: '))).toBe(true);
  });

  it('a store held by another command: one line with a hint, after waiting for it', { timeout: 45_000 }, async () => {
    const holder = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
    try {
      const r = await run(['incidents', '--config', 'sealwatch.json']);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toBe(
        `sealwatch incidents: the embedded state store at ${join(dir, 'state')} is in use by another sealwatch command that does not share it — wait for that command to finish and try again; run \`sealwatch serve\` to let several commands use the store at once`,
      );
    } finally {
      await holder.close();
    }
  });
});
