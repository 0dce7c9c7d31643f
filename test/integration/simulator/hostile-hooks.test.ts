// The fault hooks for wrong-key and hostile-node tests: a scripted threshold answer, a node that
// echoes text into its errors and lies about its version, and clusters sharing one CA.
import { describe, expect, it } from 'vitest';
import { startSimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, keys, unsealWith, url, withCluster } from './http.ts';

describe('unsealAnswer: the threshold-th share is answered with a scripted error', () => {
  it('earlier shares progress normally; the threshold-th gets the answer, the attempt is cleared, the node stays sealed', async () => {
    await withCluster({ profile: 'vault-1.19', nodes: 1, unsealed: false }, async (cluster) => {
      const node = cluster.nodes[0];
      const base = url(cluster, 0);
      node?.setFaults({ unsealAnswer: { status: 500, errors: ['some future wording nobody classifies'] } });
      const [a = '', b = '', c = ''] = keys(cluster);
      expect(body(await unsealWith(base, [a, b]))).toMatchObject({ sealed: true, progress: 2 });
      // A duplicate is still ignored before the threshold (Vault's own order of checks).
      expect(body(await unsealWith(base, [a]))).toMatchObject({ sealed: true, progress: 2 });
      const last = await call(base, 'PUT', 'sys/unseal', { body: { key: c } });
      expect(last.status).toBe(500);
      expect(last.json).toEqual({ errors: ['some future wording nobody classifies'] });
      expect(node?.state()).toMatchObject({ sealed: true, progress: 0 });
      expect(body(await call(base, 'GET', 'sys/seal-status'))).toMatchObject({ sealed: true, progress: 0, nonce: '' });
      // Checks before the threshold still answer as Vault does.
      const bad = await call(base, 'PUT', 'sys/unseal', { body: { key: 'not-hex-or-b64!' } });
      expect(bad.json).toEqual({ errors: ["'key' must be a valid hex or base64 string"] });
      // Cleared: the right shares unseal.
      node?.setFaults({});
      expect(body(await unsealWith(base, [a, b, c]))).toMatchObject({ sealed: false });
    });
  });

  it('also on an auto-unseal node fed recovery shares', async () => {
    await withCluster({ profile: 'vault-1.12', nodes: 1, sealType: 'awskms', init: { shares: 3, threshold: 2 } }, async (cluster) => {
      const node = cluster.nodes[0];
      node?.seal();
      node?.setFaults({ unsealAnswer: { status: 400, errors: ['scripted'] } });
      const res = await unsealWith(url(cluster, 0), (cluster.init?.recoveryKeys ?? []).slice(0, 2));
      expect([res.status, res.json]).toEqual([400, { errors: ['scripted'] }]);
      expect(node?.state()).toMatchObject({ sealed: true, progress: 0 });
    });
  });
});

describe('echo: a hostile node', () => {
  it('appends its suffix to every error text and reports a false version in seal-status, health, ha-status and autopilot', async () => {
    await withCluster({ profile: 'vault-1.19', nodes: 2 }, async (cluster) => {
      const hostile = cluster.nodes[1];
      const root = cluster.rootToken ?? '';
      hostile?.setFaults({ echo: { errorsSuffix: ' <ECHOED>', version: '1.19.5+<ECHOED>' } });
      const base = url(cluster, 1);
      const wrong = await call(base, 'PUT', 'sys/unseal', { body: { key: 'zz' } });
      expect(wrong.json).toEqual({ errors: ["'key' must be a valid hex or base64 string <ECHOED>"] });
      const denied = await call(base, 'GET', 'sys/ha-status');
      expect(denied.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n <ECHOED>'] });
      expect(body(await call(base, 'GET', 'sys/seal-status'))['version']).toBe('1.19.5+<ECHOED>');
      expect(body(await call(base, 'GET', 'sys/health'))['version']).toBe('1.19.5+<ECHOED>');
      const ha = body(await call(url(cluster, 0), 'GET', 'sys/ha-status', { token: root }))['nodes'] as { hostname: string; version: string }[];
      expect(ha.find((n) => n.hostname === 'vault-1')?.version).toBe('1.19.5+<ECHOED>');
      const autopilot = body(await call(url(cluster, 0), 'GET', 'sys/storage/raft/autopilot/state', { token: root }))['data'] as {
        servers: Record<string, { version: string }>;
      };
      expect(autopilot.servers['vault-1']?.version).toBe('1.19.5+<ECHOED>');
      // The honest node and the node's own state are unaffected.
      expect((await call(url(cluster, 0), 'PUT', 'sys/unseal', { body: { key: 'zz' } })).json).toEqual({
        errors: ["'key' must be a valid hex or base64 string"],
      });
      expect(hostile?.state().version).toBe('1.19.5');
      // Combined with a scripted threshold answer, the echo lands in that text too.
      hostile?.seal();
      hostile?.setFaults({ echo: { errorsSuffix: ' <ECHOED>' }, unsealAnswer: { status: 500, errors: ['boom'] } });
      const last = await unsealWith(base, keys(cluster).slice(0, 3));
      expect(last.json).toEqual({ errors: ['boom <ECHOED>'] });
    });
  });
});

describe('ca: clusters sharing one CA', () => {
  it("cluster B's nodes are trusted by a client pinned to cluster A's CA; a fresh cluster's are not", async () => {
    const a = await startSimulatedCluster({ nodes: 1 });
    const b = await startSimulatedCluster({ nodes: 2, ca: a.ca, clusterName: 'other' });
    const c = await startSimulatedCluster({ nodes: 1 });
    try {
      expect(a.ca).not.toBeNull();
      expect(b.caPem).toBe(a.caPem);
      const pinned = a.caPem ?? '';
      const health = await call(url(b, 1), 'GET', 'sys/seal-status', { ca: pinned, servername: 'vault-1' });
      expect(health.status).toBe(200);
      // Another identity behind the same CA: B's cluster id, not A's.
      expect(body(health)['cluster_id']).toBe(b.clusterId);
      expect(b.clusterId).not.toBe(a.clusterId);
      await expect(call(url(c, 0), 'GET', 'sys/health', { ca: pinned })).rejects.toThrow(/signature|self-signed|verify/i);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
