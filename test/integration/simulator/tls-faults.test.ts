// TLS identity, impostors, injected faults, the request log and fleets.
import { describe, expect, it } from 'vitest';
import { createTestPki, startImpostorNode, startSimulatedCluster, startSimulatedFleet, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, url, useCluster, withCluster } from './http.ts';

function caOf(cluster: SimulatedCluster): string {
  if (cluster.caPem === null) throw new Error('no CA');
  return cluster.caPem;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code ?? e.message;
  }
  return 'no error';
}

describe('TLS', () => {
  it('nodes serve a leaf of the cluster CA for 127.0.0.1, localhost and each node id (added nodes too)', async () => {
    const cluster = await startSimulatedCluster({ nodes: 2 });
    try {
      const ca = caOf(cluster);
      expect(url(cluster, 0)).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(url(cluster, 0), 'GET', 'sys/health', { ca })).status).toBe(200);
      expect((await call(url(cluster, 1), 'GET', 'sys/seal-status', { ca, servername: 'vault-1' })).status).toBe(200);
      expect((await call(url(cluster, 1).replace('127.0.0.1', 'localhost'), 'GET', 'sys/seal-status', { ca })).status).toBe(200);
      expect(await failure(call(url(cluster, 0), 'GET', 'sys/health', { ca, servername: 'vault-9' }))).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(await failure(call(url(cluster, 0), 'GET', 'sys/health'))).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
      const added = await cluster.addNode();
      expect((await call(added.url, 'GET', 'sys/seal-status', { ca, servername: 'vault-2' })).status).toBe(200);
      await cluster.kill('vault-0');
      expect(await failure(call(url(cluster, 0), 'GET', 'sys/health', { ca }))).toBe('ECONNREFUSED');
    } finally {
      await cluster.close();
    }
  });

  it('an impostor node (other CA) is refused by a client pinned to the cluster CA and receives nothing', async () => {
    const cluster = await startSimulatedCluster({ nodes: 1 });
    const impostor = await startImpostorNode({ profile: 'vault-1.19' });
    try {
      expect(impostor.caPem).not.toBe(cluster.caPem);
      const share = cluster.init?.keys[0] ?? '';
      const refused = await failure(call(impostor.url, 'PUT', 'sys/unseal', { ca: caOf(cluster), body: { key: share } }));
      expect(refused).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(impostor.requestLog).toEqual([]);
      // Same behaviour as a real node otherwise: sealed by default, reachable with its own CA.
      const status = await call(impostor.url, 'GET', 'sys/seal-status', { ca: impostor.caPem });
      expect(body(status)).toMatchObject({ initialized: true, sealed: true, t: 3, n: 5 });
    } finally {
      await impostor.close();
      await cluster.close();
    }
  });

  it('createTestPki: independent CAs and expired leaves', async () => {
    const [pki, rogue] = await Promise.all([createTestPki(), createTestPki({ commonName: 'rogue' })]);
    const leaf = await pki.issue(['127.0.0.1', 'vault.test'], { notAfter: new Date(Date.now() - 86_400_000) });
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(leaf.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const { X509Certificate } = await import('node:crypto');
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.checkIssued(new X509Certificate(pki.caPem))).toBe(true);
    expect(cert.checkIssued(new X509Certificate(rogue.caPem))).toBe(false);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:vault.test');
    expect(new Date(cert.validTo).getTime()).toBeLessThan(Date.now());
  });
});

describe('faults and the request log', () => {
  const get = useCluster({ nodes: 1 });

  it('latency, 5xx, malformed and oversize bodies, reset, hang; {} clears', async () => {
    const node = get().nodes[0];
    if (node === undefined) throw new Error('no node');
    node.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await call(node.url, 'GET', 'sys/health')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    node.setFaults({ status5xx: 502 });
    const failed = await call(node.url, 'GET', 'sys/seal-status');
    expect(failed.status).toBe(502);
    expect(failed.json).toEqual({ errors: ['simulated failure'] });
    node.setFaults({ malformedJson: true });
    const malformed = await call(node.url, 'GET', 'sys/seal-status');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    node.setFaults({ oversizeBytes: 2_000_000 });
    const big = await call(node.url, 'GET', 'sys/seal-status');
    expect(big.text.length).toBe(2_000_000);
    expect(() => JSON.parse(big.text)).not.toThrow();
    node.setFaults({ reset: true });
    expect(await failure(call(node.url, 'GET', 'sys/health'))).toMatch(/ECONNRESET|socket hang up/);
    node.setFaults({ hang: true });
    expect(await failure(call(node.url, 'GET', 'sys/health', { timeoutMs: 200 }))).toMatch(/timed out/);
    node.setFaults({});
    expect((await call(node.url, 'GET', 'sys/health')).status).toBe(200);
  });

  it('logs method, path, query, body as received and whether a token came — never the token', async () => {
    const cluster = get();
    const node = cluster.nodes[0];
    if (node === undefined) throw new Error('no node');
    node.clearRequestLog();
    await call(node.url, 'GET', 'sys/health?standbyok=true');
    await call(node.url, 'PUT', 'sys/unseal', { rawBody: '{"key":"abc"}' });
    await call(node.url, 'GET', 'sys/ha-status', { token: cluster.rootToken ?? '' });
    expect(node.requestLog.map(({ at: _at, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/v1/sys/health', query: 'standbyok=true', body: '', token: false },
      { method: 'PUT', path: '/v1/sys/unseal', query: '', body: '{"key":"abc"}', token: false },
      { method: 'GET', path: '/v1/sys/ha-status', query: '', body: '', token: true },
    ]);
    expect(JSON.stringify(node.requestLog)).not.toContain(cluster.rootToken ?? 'x');
    node.clearRequestLog();
    expect(node.requestLog).toEqual([]);
  });
});

describe('fleet', () => {
  it('starts distinct clusters with bounded concurrency, in order', async () => {
    const fleet = await startSimulatedFleet({ clusters: 4, nodesPerCluster: 2, tls: false, concurrency: 2 });
    try {
      expect(fleet).toHaveLength(4);
      expect(new Set(fleet.map((c) => c.clusterId)).size).toBe(4);
      expect(fleet.map((c) => c.clusterName)).toEqual(['sim-cluster-0', 'sim-cluster-1', 'sim-cluster-2', 'sim-cluster-3']);
      const statuses = await Promise.all(fleet.flatMap((c) => c.nodes.map(async (n) => body(await call(n.url, 'GET', 'sys/seal-status'))['cluster_id'])));
      expect(statuses).toEqual(fleet.flatMap((c) => [c.clusterId, c.clusterId]));
    } finally {
      await Promise.all(fleet.map((c) => c.close()));
    }
  });

  it('rejects invalid cluster options before listening', async () => {
    await expect(withCluster({ nodes: 0 }, async () => undefined)).rejects.toThrow(/nodes/);
    await expect(withCluster({ init: { shares: 3, threshold: 5 } }, async () => undefined)).rejects.toThrow(/threshold cannot be larger than shares/);
  });
});
