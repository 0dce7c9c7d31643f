import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepCommand } from '../../functions/cli/commands/sweep.ts';
import { tokenCommand } from '../../functions/cli/commands/token.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';

// `sealwatch token set` in-process with a real config file and the embedded store on disk; the
// stored token then lets `sweep --once --json` read raft and autopilot.

let dir: string;
let configPath: string;
let sim: SimulatedCluster;
const env = { SW_TEST_KEY: randomBytes(32).toString('base64'), SEALWATCH_LOG_LEVEL: 'debug' };

function io(stdin = ''): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => stdin, env, cwd: dir },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-token-cli-'));
  sim = await startSimulatedCluster({ nodes: 3 });
  configPath = join(dir, 'sealwatch.json');
  await writeFile(
    configPath,
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [{ id: 'prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: sim.caPem }, auth: { token: {} } }],
    }),
  );
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function storedToken(): Promise<unknown> {
  const store = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
  try {
    return (await store.get('CLUSTER#prod', 'TOKEN#control'))?.data ?? null;
  } finally {
    await store.close();
  }
}

describe('sealwatch token set', () => {
  it('refuses a token Vault does not accept, and stores nothing', async () => {
    const bogus = 'hvs.not-a-real-token-0123456789';
    const run = io(`${bogus}\n`);
    expect(await tokenCommand(['set', '--cluster', 'prod', '--config', configPath], run.io)).toBe(2);
    expect(run.err()).toMatch(/not stored: Vault refused the token/);
    expect(run.out()).toBe('');
    expect(run.err()).not.toContain(bogus);
    expect(await storedToken()).toBeNull();
  });

  it('rejects usage errors before reading the config', async () => {
    expect(await tokenCommand(['set', '--config', configPath], io('x').io)).toBe(1);
    expect(await tokenCommand(['set', '--cluster', 'prod', '--config', configPath], io('two words').io)).toBe(1);
    expect(await tokenCommand(['get', '--cluster', 'prod'], io('x').io)).toBe(1);
  });

  it('stores a working token wrapped, prints only "stored", and sweeps read raft with it', async () => {
    const token = sim.rootToken ?? '';
    const run = io(`${token}\n`);
    expect(await tokenCommand(['set', '--cluster', 'prod', '--config', configPath], run.io), run.err()).toBe(0);
    expect(run.out()).toBe('stored\n');
    expect(run.err()).not.toContain(token);
    const stored = await storedToken();
    expect(stored).toMatchObject({ wrapper: 'local-1', ciphertext: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain(token);

    const sweep = io();
    expect(await sweepCommand(['--once', '--json', '--config', configPath], sweep.io), sweep.err()).toBe(0);
    const report = JSON.parse(sweep.out()) as SweepReport;
    const ids = (report.clusters[0]?.findings ?? []).map((f) => f.id);
    expect(ids).toEqual(['raft.autopilot-config']);
    expect(sweep.out() + sweep.err()).not.toContain(token);
  });
});

describe('sealwatch token set honours clusters[].custody with several wrappers', () => {
  const withPolicy = async (name: string, custody: unknown): Promise<string> => {
    const path = join(dir, `${name}.json`);
    await writeFile(
      path,
      JSON.stringify({
        state: { embedded: { path: `./state-${name}` } },
        wrappers: [
          { id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } },
          { id: 'local-2', local: { key: '${env:SW_TEST_KEY}' } },
        ],
        clusters: [
          {
            id: 'prod',
            nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })),
            tls: { caPem: sim.caPem },
            auth: { token: {} },
            ...(custody ? { custody } : {}),
          },
        ],
      }),
    );
    return path;
  };
  const stored = async (name: string): Promise<unknown> => {
    const store = await createEmbeddedStateStore({ path: join(dir, `state-${name}`), clock: systemClock });
    try {
      return (await store.get('CLUSTER#prod', 'TOKEN#control'))?.data ?? null;
    } finally {
      await store.close();
    }
  };

  it.each([
    ['default', { default: 'local-2' }, 'local-2'],
    ['shares', { shares: { 'local-1': [4, 5], 'local-2': [1, 2, 3] } }, 'local-2'],
  ])('policy by %s: the token is wrapped by the wrapper it names', async (name, custody, wrapper) => {
    const run = io(`${sim.rootToken ?? ''}\n`);
    expect(await tokenCommand(['set', '--cluster', 'prod', '--config', await withPolicy(name, custody)], run.io), run.err()).toBe(0);
    expect(run.out()).toBe('stored\n');
    expect(run.err()).toContain(`wrapped by ${wrapper}`);
    expect(await stored(name)).toMatchObject({ wrapper });
  });

  it('without a policy, two wrappers are refused before the token is sent, in one line', async () => {
    const run = io(`${sim.rootToken ?? ''}\n`);
    expect(await tokenCommand(['set', '--cluster', 'prod', '--config', await withPolicy('none', undefined)], run.io)).toBe(1);
    expect(run.err()).toMatch(/^sealwatch token set: cluster prod has no custody policy and 2 wrappers are configured \(local-1, local-2\)/);
    expect(await stored('none')).toBeNull();
  });
});
