import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { operatorInitJson, runSealwatch } from '../../support/cli-process.ts';
import { startKubernetesApiFake, type KubernetesApiFake } from '../../support/kubernetes-api-fake.ts';

// CLI commands acting on one cluster see its discovered nodes: keys import cross-checks them,
// status shows them, unseal reaches a pod that only discovery knows (separate processes, embedded store on disk).
const TOKEN = 'cli-discovered-token';
let sim: SimulatedCluster;
let api: KubernetesApiFake;
let dir: string;

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 3 });
  api = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
  api.setPods(sim.nodes.map((n, i) => ({ name: n.id, address: '127.0.0.1', port: Number(new URL(n.url).port), slice: i })));
  dir = mkdtempSync(join(tmpdir(), 'sealwatch-cli-discovered-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(join(dir, 'ca.pem'), sim.caPem ?? '');
  writeFileSync(join(dir, 'local.key'), Buffer.alloc(32, 9).toString('hex'));
  writeFileSync(
    join(dir, 'sealwatch.yaml'),
    [
      'state: { embedded: { path: ./state } }',
      'wrappers: [{ id: local-1, local: { keyFile: ./local.key } }]',
      'clusters:',
      '  - id: prod',
      '    custody: { default: local-1 }',
      '    tls: { caFile: ./ca.pem, serverName: "{node}" }',
      '    discovery:',
      `      kubernetes: { namespace: vault, service: vault-internal, server: "${api.url}", token: "\${file:./token}" }`,
    ].join('\n'),
  );
});
afterAll(async () => {
  await api.close();
  await sim.close();
});

describe('CLI commands on a discovery-only cluster', () => {
  it('keys import cross-checks the discovered nodes, status shows them, unseal unseals a sealed pod', async () => {
    const imported = await runSealwatch(['keys', 'import', '--cluster', 'prod'], {
      cwd: dir,
      stdin: operatorInitJson(sim.init!, { shares: 5, threshold: 3 }),
      timeoutMs: 60_000,
    });
    expect(imported.code, imported.err).toBe(0);
    for (const node of sim.nodes) expect(imported.out).toContain(`node ${node.id}: initialized`);
    const status = await runSealwatch(['status', '--cluster', 'prod', '--json'], { cwd: dir, timeoutMs: 60_000 });
    expect(status.code, status.err).toBe(0);
    const shown = JSON.parse(status.out) as { clusters: { nodes: { id: string; state: string }[] }[] };
    expect(shown.clusters[0]?.nodes.map((n) => n.id).sort()).toEqual(['vault-0', 'vault-1', 'vault-2']);

    await sim.restart('vault-2');
    expect(sim.nodes[2]?.state()).toMatchObject({ sealed: true });
    const unsealed = await runSealwatch(['unseal', '--cluster', 'prod', '--node', 'vault-2', '--json'], { cwd: dir, timeoutMs: 60_000 });
    expect(unsealed.code, unsealed.err).toBe(0);
    expect(sim.nodes[2]?.state()).toMatchObject({ sealed: false });
  }, 120_000);
});
