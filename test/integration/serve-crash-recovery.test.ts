import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { operatorInitJson, runCliProcess, startCliProcess, type CliDaemon } from '../support/cli-process.ts';
import { keySubmissions } from '../support/custody-fixture.ts';

// Leases protect and recover: `kill -9` of `sealwatch serve` in the middle of an unseal leaves a
// cluster lease, a sweep lease and a half-done unseal attempt behind. The leases are short and
// were renewed only while the work ran; the attempt's nonce was recorded with its operation. A
// restarted serve must unseal the node within 30 s of the kill.

let dir: string;
let sim: SimulatedCluster;
let first: CliDaemon | undefined;
let second: CliDaemon | undefined;
const env = { SW_TEST_KEY: randomBytes(32).toString('base64') };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-crash-'));
  sim = await startSimulatedCluster({ nodes: 1, unsealed: false, init: { shares: 5, threshold: 3 } });
  await writeFile(
    join(dir, 'sealwatch.json'),
    JSON.stringify({
      state: { embedded: { path: './state' } },
      sweep: { intervalSeconds: 5 },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [{ id: 'prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: sim.caPem } }],
    }),
  );
  const imported = await runCliProcess(['keys', 'import', '--cluster', 'prod', '--config', 'sealwatch.json'], {
    cwd: dir,
    env,
    stdin: operatorInitJson(sim.init!, { shares: 5, threshold: 3 }),
    timeoutMs: 60_000,
  });
  if (imported.code !== 0) throw new Error(`keys import failed: ${imported.stderr}`);
}, 90_000);

afterAll(async () => {
  await first?.stop('SIGKILL');
  await second?.stop('SIGKILL');
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kill -9 of serve mid-unseal', () => {
  it('a restarted serve unseals the node within 30 s of the kill', { timeout: 120_000 }, async () => {
    const node = sim.nodes[0]!;
    // Each answer takes 0.8 s: the kill lands between two shares.
    node.setFaults({ latencyMs: 800 });
    first = startCliProcess(['serve', '--port', '0', '--config', 'sealwatch.json'], { cwd: dir, env });
    await first.waitFor(/serving http:\/\/127\.0\.0\.1:\d+/, 60_000);
    const deadline = Date.now() + 60_000;
    while (keySubmissions(node).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(keySubmissions(node).length, `${first.stdout()}\n${first.stderr()}`).toBeGreaterThanOrEqual(1);
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    expect(node.state().sealed).toBe(true);
    node.setFaults({});

    second = startCliProcess(['serve', '--port', '0', '--config', 'sealwatch.json', '--verbose'], { cwd: dir, env: { ...env, SEALWATCH_LOG_LEVEL: 'info' } });
    while (node.state().sealed && Date.now() - killedAt < 60_000) await new Promise((r) => setTimeout(r, 100));
    const tookMs = Date.now() - killedAt;
    expect(node.state().sealed).toBe(false);
    expect(tookMs, `${second.stdout()}\n${second.stderr()}`).toBeLessThanOrEqual(30_000);
  });
});
