import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsealCommand } from '../../functions/cli/commands/unseal.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { UnsealClusterResult } from '../../shared/app/unseal-types.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody } from '../support/custody-fixture.ts';

// `sealwatch unseal` in-process, with a real config file and the embedded store on disk.

let dir: string;
let configPath: string;
let sim: SimulatedCluster;
let bare: SimulatedCluster;
const key = randomBytes(32);
const env = { SW_TEST_KEY: key.toString('base64'), SEALWATCH_LOG_LEVEL: 'silent' };

function io(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => '', env, cwd: dir },
    out: () => out,
    err: () => err,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-unseal-cli-'));
  [sim, bare] = await Promise.all([startSimulatedCluster({ nodes: 2, unsealed: false }), startSimulatedCluster({ nodes: 1, unsealed: false })]);
  const cluster = (id: string, s: SimulatedCluster) => ({ id, nodes: s.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: s.caPem } });
  configPath = join(dir, 'sealwatch.json');
  await writeFile(
    configPath,
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [cluster('prod', sim), cluster('bare', bare)],
    }),
  );
  // Custody written beforehand through the same store, as `keys import` would.
  const store = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
  try {
    await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await Promise.all([sim?.close(), bare?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sealwatch unseal', () => {
  it('--dry-run names nodes, share indexes and wrappers, and changes nothing', async () => {
    const run = io();
    const code = await unsealCommand(['--cluster', 'prod', '--dry-run', '--config', configPath, '--json'], run.io);
    expect(code, run.err()).toBe(0);
    const result = JSON.parse(run.out()) as UnsealClusterResult;
    expect(result.dryRun).toBe(true);
    expect(result.nodes.map((n) => [n.nodeId, n.outcome, n.shareIndexes, n.wrappers])).toEqual(
      sim.nodes.map((n) => [n.id, 'would-unseal', [1, 2, 3], ['local-1']]),
    );
    expect(sim.nodes.flatMap((n) => keySubmissions(n))).toEqual([]);
    expect(sim.nodes.every((n) => n.state().sealed)).toBe(true);
  });

  it('unseals one node with --node, then the rest of the cluster; exit 0', async () => {
    const [first, second] = sim.nodes;
    const one = io();
    expect(await unsealCommand(['--cluster', 'prod', '--node', first?.id ?? '', '--config', configPath], one.io)).toBe(0);
    expect(one.out()).toMatch(new RegExp(`${first?.id}\\s+unsealed\\s+shares 1,2,3 via local-1`));
    expect(first?.state().sealed).toBe(false);
    expect(second?.state().sealed).toBe(true);

    const all = io();
    expect(await unsealCommand(['--cluster', 'prod', '--config', configPath, '--json'], all.io)).toBe(0);
    const result = JSON.parse(all.out()) as UnsealClusterResult;
    expect(result.nodes.map((n) => n.outcome)).toEqual(['not-sealed', 'unsealed']);
    expect(result.ok).toBe(true);
  });

  it('exits 2 when a targeted node stays sealed (no custody)', async () => {
    const run = io();
    expect(await unsealCommand(['--cluster', 'bare', '--config', configPath], run.io)).toBe(2);
    expect(run.out()).toContain('no-custody');
    expect(bare.nodes[0]?.state().sealed).toBe(true);
  });

  it('exits 1 for usage mistakes: no --cluster, an unknown cluster or node', async () => {
    for (const argv of [[], ['--cluster', 'nope'], ['--cluster', 'prod', '--node', 'nope']]) {
      const run = io();
      expect(await unsealCommand([...argv, '--config', configPath], run.io)).toBe(1);
      expect(run.err()).toMatch(/--cluster is required|no cluster "nope"|no node "nope"/);
    }
  });
});
