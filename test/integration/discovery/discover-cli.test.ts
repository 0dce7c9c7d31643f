import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSealwatch } from '../../support/cli-process.ts';
import { startKubernetesApiFake, type KubernetesApiFake } from '../../support/kubernetes-api-fake.ts';

const TOKEN = 'discover-cli-token';
let api: KubernetesApiFake;
let dir: string;

beforeAll(async () => {
  api = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
  api.setPods([
    { name: 'vault-0', address: '10.42.0.5', port: 8200, nodeName: 'k3s-a', zone: 'z1' },
    { name: 'vault-1', address: '10.42.1.6', port: 8200, serving: false, nodeName: 'k3s-b' },
    { name: 'vault-2', address: '10.42.2.7', port: 8200, terminating: true },
  ]);
  dir = mkdtempSync(join(tmpdir(), 'sealwatch-discover-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(
    join(dir, 'sealwatch.yaml'),
    [
      'state: { embedded: { path: ./state } }',
      'clusters:',
      '  - id: prod',
      '    discovery:',
      '      kubernetes: { namespace: vault, service: vault-internal, server: "' + api.url + '", token: "${file:./token}" }',
      '  - id: static',
      '    nodes: [{ id: a, url: "https://10.0.0.1:8200" }]',
    ].join('\n'),
  );
});
afterAll(() => api.close());

describe('sealwatch discover', () => {
  it('prints what discovery finds now, as JSON or a table, without probing anything', async () => {
    const json = await runSealwatch(['discover', '--cluster', 'prod', '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const nodes = JSON.parse(json.out) as { id: string; url: string; terminating: boolean; details: Record<string, unknown> }[];
    expect(nodes.map((n) => [n.id, n.url, n.terminating])).toEqual([
      ['vault-0', 'https://10.42.0.5:8200', false],
      ['vault-1', 'https://10.42.1.6:8200', false],
      ['vault-2', 'https://10.42.2.7:8200', true],
    ]);
    expect(nodes[0]?.details).toMatchObject({ nodeName: 'k3s-a', zone: 'z1', serving: true });
    const table = await runSealwatch(['discover', '--cluster', 'prod'], { cwd: dir });
    expect(table.out).toMatch(/vault-2\s+https:\/\/10\.42\.2\.7:8200\s+TERMINATING/);
    expect(table.out).not.toContain(TOKEN);
  }, 60_000);

  it('exit 2 naming the RBAC rule on 403; 1 for a cluster without discovery', async () => {
    api.failWith(403);
    const denied = await runSealwatch(['discover', '--cluster', 'prod'], { cwd: dir });
    api.failWith(null);
    expect(denied.code).toBe(2);
    expect(denied.err).toContain('grant: list endpointslices (apiGroups: discovery.k8s.io) in namespace vault');
    const none = await runSealwatch(['discover', '--cluster', 'static'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.err).toContain('has no discovery configured');
  }, 60_000);
});
