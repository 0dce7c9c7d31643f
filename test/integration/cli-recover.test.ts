import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRecovery, recoverCommand } from '../../functions/cli/commands/recover.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { RecoveryResult } from '../../shared/app/recovery.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import { loadRuntime } from '../../functions/cli/load-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody } from '../support/custody-fixture.ts';

// `sealwatch recover` in-process: a sealed node and a wiped node; --dry-run says what it would
// do and changes nothing, the real run unseals, joins and unseals the joined node.

let dir: string;
let configPath: string;
let sim: SimulatedCluster;
let sealed: string;
let wiped: string;
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
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-recover-cli-'));
  // Five nodes: with one sealed and one wiped, the other three keep a quorum and an active node.
  sim = await startSimulatedCluster({ nodes: 5 });
  configPath = join(dir, 'sealwatch.json');
  await writeFile(
    configPath,
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [{ id: 'prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })), tls: { caPem: sim.caPem }, raft: { autoJoin: true } }],
    }),
  );
  const store = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
  try {
    await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
  } finally {
    await store.close();
  }
  const standbys = sim.nodes.filter((n) => n.id !== sim.activeNode()?.id);
  sealed = standbys[0]?.id ?? '';
  wiped = standbys[1]?.id ?? '';
  sim.nodes.find((n) => n.id === sealed)?.seal();
  await sim.wipe(wiped);
  for (const n of sim.nodes) n.clearRequestLog();
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The dry run's plan, to hold against what the real run then does. */
let dryPlan: RecoveryResult | undefined;
/** What a described action becomes when applied successfully. */
const APPLIED: Record<string, string> = { 'would-unseal': 'unsealed', 'would-join': 'joined' };

describe('sealwatch recover', () => {
  it('--dry-run lists the unseal and the join and changes nothing', async () => {
    const run = io();
    expect(await recoverCommand(['--cluster', 'prod', '--dry-run', '--json', '--config', configPath], run.io), run.err()).toBe(0);
    const result = JSON.parse(run.out()) as RecoveryResult;
    dryPlan = result;
    expect(result.dryRun).toBe(true);
    expect((result.steps ?? []).map((s) => [s.kind, s.nodeId, s.outcome])).toEqual([
      ['unseal', sealed, 'would-unseal'],
      ['raft-join', wiped, 'would-join'],
    ]);
    expect(sim.nodes.flatMap((n) => n.requestLog.filter((r) => r.method !== 'GET'))).toEqual([]);
    expect(sim.nodes.find((n) => n.id === sealed)?.state().sealed).toBe(true);
    expect(sim.nodes.find((n) => n.id === wiped)?.state().initialized).toBe(false);
  });

  it('the API plans exactly the same steps for its dry run (one code path), and changes nothing either', async () => {
    const cli = io();
    expect(await recoverCommand(['--cluster', 'prod', '--dry-run', '--json', '--config', configPath], cli.io)).toBe(0);
    const fromCli = JSON.parse(cli.out()) as RecoveryResult;
    const runtime = await loadRuntime(io().io, configPath);
    if (!runtime) throw new Error('no runtime');
    let fromApi: RecoveryResult;
    try {
      const app = createApp(apiDepsFromRuntime(runtime, { version: 'test', auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' }, serveMetrics: false }));
      const response = await app.request('/v1/clusters/prod/recover', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"dryRun":true}',
      });
      expect(response.status).toBe(200);
      fromApi = (await response.json()) as RecoveryResult;
    } finally {
      await runtime.close();
    }
    const plan = (r: RecoveryResult) => (r.steps ?? []).map((s) => [s.kind, s.nodeId, s.outcome, s.message]);
    expect(plan(fromApi)).toEqual(plan(fromCli));
    expect(plan(fromApi).map((s) => s[2])).toEqual(['would-unseal', 'would-join']);
    expect(fromApi).toMatchObject({ cluster: 'prod', action: 'recover', dryRun: true });
    expect(fromApi.sweep).toBeUndefined();
    expect(sim.nodes.flatMap((n) => n.requestLog.filter((r) => r.method !== 'GET'))).toEqual([]);
  });

  it("unseals, joins and unseals the joined node — exactly the dry run's actions; prints each step; exit 0", async () => {
    const run = io();
    expect(await recoverCommand(['--cluster', 'prod', '--json', '--config', configPath], run.io), run.err()).toBe(0);
    const result = JSON.parse(run.out()) as RecoveryResult;
    // One plan: the real run applied the actions the dry run described, for the same reasons.
    const applied = (r: RecoveryResult | undefined) => (r?.steps ?? []).map((s) => [s.kind, s.nodeId, APPLIED[s.outcome] ?? s.outcome, s.reason]);
    expect(applied(result)).toEqual(applied(dryPlan));
    expect(applied(result).map((s) => s[2])).toEqual(['unsealed', 'joined']);
    expect(result.sweep?.nodes.map((n) => n.state).sort()).toEqual(['active', 'standby', 'standby', 'standby', 'standby']);
    // What the command prints without --json, from that result.
    const printed = formatRecovery(result);
    expect(printed).toMatch(new RegExp(`unseal\\s+${sealed}\\s+unsealed`));
    expect(printed).toMatch(new RegExp(`raft-join\\s+${wiped}\\s+joined`));
    expect(printed).toMatch(/unseal: unsealed/);
    for (const n of sim.nodes) expect(n.state()).toMatchObject({ initialized: true, sealed: false });
    expect(keySubmissions(sim.nodes.find((n) => n.id === wiped) as never)).toHaveLength(3);

    // Nothing left to do.
    const again = io();
    expect(await recoverCommand(['--cluster', 'prod', '--config', configPath], again.io)).toBe(0);
    expect(again.out()).toMatch(/nothing to do/);
  });

  it('rejects an unknown cluster and a missing --cluster', async () => {
    const run = io();
    expect(await recoverCommand(['--cluster', 'nope', '--config', configPath], run.io)).toBe(1);
    expect(run.err()).toMatch(/no cluster "nope"/);
    expect(await recoverCommand(['--config', configPath], io().io)).toBe(1);
  });
});
