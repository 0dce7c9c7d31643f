import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { mountDashboard } from '../../shared/api/dashboard/mount-dashboard.tsx';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';
import type { CustodyStatus } from '../../shared/app/custody-status.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import type { UnsealClusterResult } from '../../shared/app/unseal-types.ts';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedSealType, type VaultProfileName } from '../../shared/simulator/index.ts';
import { operatorInitJson, runSealwatch } from '../support/cli-process.ts';
import { keySubmissions } from '../support/custody-fixture.ts';

// The wrong-key promise as operators meet it, on every Vault line whose answers differ: custody
// holds a consistent set of shares of ANOTHER key (e.g. imported from the wrong cluster). Three
// `sealwatch unseal` runs and two `sealwatch sweep --once` runs, each its own process on the same
// embedded store, must send the node one threshold at most, raise one critical finding and write
// one audit event; `keys status` shows the block; importing the right shares lifts it.

const CONFIG = { shares: 3, threshold: 2 };
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0)) await c();
});

interface Case {
  profile: VaultProfileName;
  sealType: SimulatedSealType;
  /** Vault's status for a wrong key on this version. */
  status: number;
}

const cases: Case[] = [
  { profile: 'vault-1.12', sealType: 'shamir', status: 500 },
  { profile: 'vault-1.12', sealType: 'awskms', status: 500 },
  { profile: 'vault-1.14', sealType: 'shamir', status: 400 },
  { profile: 'vault-1.19', sealType: 'shamir', status: 400 },
  { profile: 'openbao-2.6', sealType: 'shamir', status: 400 },
];

async function setup(c: Case) {
  const dir = await mkdtemp(join(tmpdir(), `sealwatch-wrongkey-${c.profile}-${c.sealType}-`));
  const options = { nodes: 1, profile: c.profile, sealType: c.sealType, init: CONFIG };
  const [target, other] = await Promise.all([startSimulatedCluster({ ...options, unsealed: c.sealType !== 'shamir' }), startSimulatedCluster(options)]);
  cleanup.push(
    () => target.close(),
    () => other.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  // An auto-unseal node unseals itself at start; `vault operator seal` leaves it waiting for recovery shares.
  if (c.sealType !== 'shamir') target.nodes[0]?.seal();
  const node = target.nodes[0];
  if (!node) throw new Error('no node');
  const env = { SW_TEST_KEY: randomBytes(32).toString('base64') };
  await writeFile(
    join(dir, 'sealwatch.json'),
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [{ id: 'prod', nodes: [{ id: node.id, url: node.url }], tls: { caPem: target.caPem } }],
    }),
  );
  const cli = (args: string[], stdin?: string) =>
    runSealwatch([...args, '--config', 'sealwatch.json'], { cwd: dir, env, ...(stdin === undefined ? {} : { stdin }) });
  return { dir, target, other, node, cli };
}

const initJson = (sim: SimulatedCluster) => {
  if (!sim.init) throw new Error('not initialized');
  return operatorInitJson(sim.init, CONFIG);
};

describe.each(cases)('$profile $sealType: custody of another key', (c) => {
  it('gets one threshold at most across 3 unseal and 2 sweep processes, one finding, one audit event; the right shares lift the block', async () => {
    const { dir, target, other, node, cli } = await setup(c);
    const imported = await cli(['keys', 'import', '--cluster', 'prod'], initJson(other));
    expect(imported.code, imported.err).toBe(0);

    const runs: { kind: string; code: number; json: unknown }[] = [];
    for (const kind of ['unseal', 'sweep', 'unseal', 'sweep', 'unseal']) {
      const run = kind === 'unseal' ? await cli(['unseal', '--cluster', 'prod', '--json']) : await cli(['sweep', '--once', '--json']);
      runs.push({ kind, code: run.code, json: JSON.parse(run.out) as unknown });
    }
    // One threshold of shares reached the node, in the first run; every later run sent nothing.
    expect(keySubmissions(node)).toHaveLength(CONFIG.threshold);
    expect(node.state().sealed).toBe(true);

    const outcomes = runs.map((r) =>
      r.kind === 'unseal'
        ? (r.json as UnsealClusterResult).nodes.map((n) => n.outcome)
        : (r.json as SweepReport).clusters.flatMap((cl) => cl.actions.map((a) => a.outcome)),
    );
    expect(outcomes).toEqual([['wrong-key'], ['blocked'], ['blocked'], ['blocked'], ['blocked']]);
    expect(runs.map((r) => r.code)).toEqual([2, 0, 2, 0, 2]);

    // One critical unseal finding: the same one (node, id) raised in the first run and standing
    // since (the sweep also reports the cluster's state: no active node).
    const findings = runs.flatMap((r) =>
      r.kind === 'unseal' ? (r.json as UnsealClusterResult).findings : (r.json as SweepReport).clusters.flatMap((cl) => cl.findings ?? []),
    );
    const critical = findings.filter((f) => f.severity === 'critical' && f.id.startsWith('unseal.'));
    expect(new Set(critical.map((f) => `${f.id}@${f.node}`)), JSON.stringify(critical, null, 1)).toEqual(new Set([`unseal.wrong-key@${node.id}`]));
    const vaultError = String(critical[0]?.evidence.vaultError);
    expect(vaultError).toMatch(c.sealType === 'shamir' ? /failed to decrypt keys from storage/ : /recovery key does not match submitted values/);
    // ≤ 1.12 answers 500 without the `invalid key:` prefix; later versions 400 with it.
    expect(vaultError.includes('invalid key:')).toBe(c.status === 400);

    // `keys status` shows the block (exit 2: nothing can be unsealed with this custody).
    const status = await cli(['keys', 'status', '--cluster', 'prod', '--json']);
    expect(status.code).toBe(2);
    const custody = JSON.parse(status.out) as CustodyStatus;
    expect(custody.blocked).toBe(true);
    expect(custody.blocks.nodes).toMatchObject([{ nodeId: node.id, blocked: true, reason: 'wrong-key', generation: 1 }]);
    const text = await cli(['keys', 'status', '--cluster', 'prod']);
    expect(text.out).toContain(`node ${node.id}: BLOCKED`);

    const dry = await cli(['unseal', '--cluster', 'prod', '--dry-run', '--json']);
    expect((JSON.parse(dry.out) as UnsealClusterResult).nodes[0]?.outcome).toBe('blocked');

    // One unseal audit event: the attempt. Read from the store once no sealwatch process holds it.
    // (The trail also holds the custody write of the `keys import` that stored the wrong shares.)
    const store = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
    try {
      const events = await createAuditLog({ store, clock: systemClock }).list('prod');
      expect(events.filter((e) => e.action !== 'custody-write').map((e) => [e.action, e.node, e.outcome, e.shareIndexes])).toEqual([
        ['unseal', node.id, 'wrong-key', [1, 2]],
      ]);
      expect(events.filter((e) => e.action === 'custody-write').map((e) => e.outcome)).toEqual(['written']);
      // The dashboard shows the block (read from state, so it shows whatever the node does now).
      const app = new Hono();
      mountDashboard(app, {
        enabled: true,
        clusters: [{ id: 'prod', name: 'prod', nodes: [{ id: node.id, url: node.url }] }],
        store,
        keys: null,
        clock: systemClock,
        version: 'test',
      });
      const html = await (await app.request('/')).text();
      const findings = html.slice(html.indexOf('id="findings"'));
      expect(findings).toContain('unseal.wrong-key');
      expect(findings).toContain(`no more shares go to node ${node.id}`);
    } finally {
      await store.close();
    }

    // The right shares replace the custody (generation 2): the next sweep unseals the node.
    const replaced = await cli(['keys', 'import', '--cluster', 'prod', '--replace'], initJson(target));
    expect(replaced.code, replaced.err).toBe(0);
    const after = await cli(['sweep', '--once', '--json']);
    expect((JSON.parse(after.out) as SweepReport).clusters[0]?.actions.map((a) => a.outcome)).toEqual(['unsealed']);
    expect(node.state().sealed).toBe(false);
    expect(keySubmissions(node)).toHaveLength(2 * CONFIG.threshold);
  }, 300_000);
});
