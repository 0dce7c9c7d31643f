import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePeerCertificate } from '../../shared/adapters/tls-certificate-probe.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';

// The certificate-expiry check reads certificates from the sweep's own TLS connections.
describe('VaultClientFactory.peerCertificate', () => {
  let tlsCluster: SimulatedCluster;
  let plainCluster: SimulatedCluster;
  let factory: VaultClientFactory;

  beforeAll(async () => {
    [tlsCluster, plainCluster] = await Promise.all([startSimulatedCluster({ nodes: 2 }), startSimulatedCluster({ nodes: 1, tls: false })]);
    factory = createVaultHttpClientFactory();
  });
  afterAll(async () => {
    await factory.close();
    await Promise.all([tlsCluster.close(), plainCluster.close()]);
  });

  it('knows nothing before a connection, then the certificate a separate probe also sees', async () => {
    const [first, second] = tlsCluster.nodes.map((n) => ({ url: n.url, caPem: tlsCluster.caPem ?? '' }));
    if (!first || !second) throw new Error('nodes missing');
    expect(factory.peerCertificate?.(first)).toBeNull();

    await factory.client(first).health();
    const seen = factory.peerCertificate?.(first);
    const probed = await probePeerCertificate(first, AbortSignal.timeout(3_000));
    expect(seen?.validTo).toBeGreaterThan(Date.now());
    expect(seen?.validTo).toBe(probed?.validTo);
    // Per origin: the other node has not been contacted yet.
    expect(factory.peerCertificate?.(second)).toBeNull();
  });

  it('adds no listener per request, however many requests queue on one connection', async () => {
    const node = tlsCluster.nodes[1];
    if (!node) throw new Error('node missing');
    const client = factory.client({ url: node.url, caPem: tlsCluster.caPem ?? '' });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // Requests queue behind the single connection per node; none may add a listener.
      await Promise.all(Array.from({ length: 30 }, () => client.sealStatus()));
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('has no certificate for a plain-HTTP node', async () => {
    const node = plainCluster.nodes[0];
    if (!node) throw new Error('node missing');
    const target = { url: node.url, insecureHttp: true };
    await factory.client(target).health();
    expect(factory.peerCertificate?.(target)).toBeNull();
  });
});
