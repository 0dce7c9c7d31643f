import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesCredentials } from '../../../shared/adapters/kubernetes-credentials.ts';
import { createEndpointSliceDiscovery } from '../../../shared/adapters/kubernetes-endpoint-slices.ts';
import type { KubernetesDiscoveryConfig } from '../../../shared/config/types-discovery.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { DiscoveryError } from '../../../shared/ports/node-discovery.ts';
import { createTestPki } from '../../../shared/simulator/test-pki.ts';
import { startKubernetesApiFake, type KubernetesApiFake } from '../../support/kubernetes-api-fake.ts';

const TOKEN = 'sa-token-for-tests';
let fake: KubernetesApiFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function discoveryFor(api: KubernetesApiFake, overrides: Partial<KubernetesDiscoveryConfig> = {}, token = TOKEN) {
  const config: KubernetesDiscoveryConfig = {
    namespace: 'vault',
    service: 'vault-internal',
    scheme: 'https',
    insecureHttp: false,
    api: { kind: 'token', server: api.url, token: new Secret(token), ...(api.caPem ? { caPem: api.caPem } : {}) },
    ...overrides,
  };
  return createEndpointSliceDiscovery(config, createKubernetesCredentials(config.api, { env: {}, now: Date.now }));
}

const signal = () => AbortSignal.timeout(5000);

describe('Kubernetes EndpointSlice discovery against an API server fake', () => {
  it('lists pods by name at pod IP and the https port, over TLS pinned to the API server CA', async () => {
    fake = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN], pki: await createTestPki() });
    fake.setPods([
      { name: 'vault-0', address: '10.42.1.5', port: 8200, nodeName: 'node-a', zone: 'eu-west-1a' },
      { name: 'vault-1', address: '10.42.2.7', port: 8200, serving: false },
      { name: 'vault-2', address: '10.42.3.9', port: 8200, terminating: true },
    ]);
    const nodes = await discoveryFor(fake).discover(signal());
    expect(nodes.map((n) => [n.id, n.url, n.terminating ?? false])).toEqual([
      ['vault-0', 'https://10.42.1.5:8200', false],
      ['vault-1', 'https://10.42.2.7:8200', false],
      ['vault-2', 'https://10.42.3.9:8200', true],
    ]);
    expect(nodes[0]?.details).toMatchObject({ nodeName: 'node-a', zone: 'eu-west-1a', serving: true, ready: true });
    expect(nodes[1]?.details).toMatchObject({ serving: false });
    expect(fake.requests[0]?.path).toContain('labelSelector=kubernetes.io%2Fservice-name%3Dvault-internal');
  });

  it('refuses an API server whose certificate does not chain to the configured CA', async () => {
    fake = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN], pki: await createTestPki() });
    const other = await createTestPki();
    const discovery = discoveryFor({ ...fake, caPem: other.caPem });
    await expect(discovery.discover(signal())).rejects.toMatchObject({ failure: 'unreachable' });
    expect(fake.requests).toHaveLength(0);
  });

  it('reads every slice with its own port, IPv6 addresses in brackets, a named or numbered port', async () => {
    fake = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
    fake.setPods([
      { name: 'vault-0', address: '10.0.0.1', port: 8200, slice: 0 },
      { name: 'vault-1', address: 'fd00::5', port: 9200, slice: 1 },
    ]);
    const nodes = await discoveryFor(fake).discover(signal());
    expect(nodes.map((n) => n.url)).toEqual(['https://10.0.0.1:8200', 'https://[fd00::5]:9200']);
    const internal = await discoveryFor(fake, { port: 'https-internal' }).discover(signal());
    expect(internal.map((n) => n.url)).toEqual(['https://10.0.0.1:8201', 'https://[fd00::5]:8201']);
    const numbered = await discoveryFor(fake, { port: 8300 }).discover(signal());
    expect(numbered.map((n) => n.url)).toEqual(['https://10.0.0.1:8300', 'https://[fd00::5]:8300']);
  });

  it('pages with limit/continue and starts over when a continue token expired (410)', async () => {
    let expireOnce = true;
    fake = await startKubernetesApiFake({
      namespace: 'vault',
      service: 'vault-internal',
      tokens: [TOKEN],
      pageSize: 1,
      onRequest: (path) => {
        if (path.includes('continue=') && expireOnce) {
          expireOnce = false;
          fake?.expireContinueTokens();
        }
      },
    });
    fake.setPods([0, 1, 2].map((i) => ({ name: `vault-${i}`, address: `10.0.0.${i + 1}`, port: 8200, slice: i })));
    const nodes = await discoveryFor(fake).discover(signal());
    expect(nodes.map((n) => n.id)).toEqual(['vault-0', 'vault-1', 'vault-2']);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 410, 200, 200, 200]);
    expect(fake.requests.filter((r) => r.path.includes('continue=')).length).toBe(3);
  });

  it('turns 401 and 403 Status answers into discovery errors naming the missing RBAC', async () => {
    fake = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
    fake.failWith(403);
    const forbidden = await discoveryFor(fake)
      .discover(signal())
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(DiscoveryError);
    expect(forbidden).toMatchObject({ failure: 'forbidden', permission: 'list endpointslices (apiGroups: discovery.k8s.io) in namespace vault' });
    expect((forbidden as Error).message).toContain('cannot list resource "endpointslices"');
    fake.failWith(null);
    const unauthorized = await discoveryFor(fake, {}, 'wrong-token')
      .discover(signal())
      .catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ failure: 'unauthorized' });
    expect((unauthorized as Error).message).not.toContain('wrong-token');
  });

  it('watches: an endpoint change is reported, and a 410 inside the stream leads to a relist', async () => {
    fake = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
    fake.setPods([{ name: 'vault-0', address: '10.0.0.1', port: 8200 }]);
    const discovery = discoveryFor(fake);
    await discovery.discover(signal());
    const controller = new AbortController();
    let changes = 0;
    discovery.watch?.(() => (changes += 1), controller.signal);
    await until(() => fake?.watchers() === 1);
    fake.setPods([{ name: 'vault-0', address: '10.0.0.9', port: 8200 }]);
    await until(() => changes >= 1);
    // Push the resource version far past the watch cache: the next watch gets an ERROR 410.
    await fake.stop();
    for (let i = 0; i < 60; i += 1) fake.setPods([{ name: 'vault-0', address: `10.0.1.${i}`, port: 8200 }]);
    await fake.start();
    await until(() => fake?.watchers() === 1, 8000);
    // The first watch after the restart asked for the old version and got ERROR 410 in the stream.
    const afterRestart = fake.requests.filter((r) => r.path.includes('watch=true'));
    expect(afterRestart.length).toBeGreaterThanOrEqual(3);
    const watchPaths = fake.requests.filter((r) => r.path.includes('watch=true')).length;
    const lists = fake.requests.filter((r) => !r.path.includes('watch=true')).length;
    expect(watchPaths).toBeGreaterThanOrEqual(3);
    expect(lists).toBeGreaterThanOrEqual(2);
    // A change after the relist is still reported.
    const before = changes;
    fake.setPods([{ name: 'vault-0', address: '10.0.2.1', port: 8200 }]);
    await until(() => changes > before);
    controller.abort();
  });
});

async function until(check: () => boolean, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
