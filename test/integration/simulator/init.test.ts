// Pins `/v1/sys/init` (Vault `http/sys_init.go` @ v1.14.9): validation texts, the response, what init does to the cluster.
import { describe, expect, it } from 'vitest';
import { body, call, errorsOf, unsealWith, url, withCluster } from './http.ts';

const init = (base: string, payload: unknown) => call(base, 'PUT', 'sys/init', { body: payload });

describe('init validation (Shamir node)', () => {
  it.each([
    [
      { secret_shares: 5, secret_threshold: 3, recovery_shares: 5, recovery_threshold: 3 },
      'parameters recovery_shares,recovery_threshold not applicable to seal type shamir',
    ],
    [{ secret_shares: 0, secret_threshold: 0 }, 'invalid seal configuration: shares must be at least one'],
    [{ secret_shares: 5, secret_threshold: 0 }, 'invalid seal configuration: threshold must be at least one'],
    [{ secret_shares: 5, secret_threshold: 1 }, 'invalid seal configuration: threshold must be greater than one for multiple shares'],
    [{ secret_shares: 256, secret_threshold: 3 }, 'invalid seal configuration: shares must be less than 256'],
    [{ secret_shares: 5, secret_threshold: 256 }, 'invalid seal configuration: threshold must be less than 256'],
    [{ secret_shares: 3, secret_threshold: 5 }, 'invalid seal configuration: threshold cannot be larger than shares'],
    [{ secret_shares: 3, secret_threshold: 2, pgp_keys: ['a', 'b'] }, 'incorrect number of PGP keys'],
  ])('%j → 400 %s', async (payload, message) => {
    await withCluster({ nodes: 1, init: false }, async (cluster) => {
      const res = await init(url(cluster, 0), payload);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [message] });
      expect(body(await call(url(cluster, 0), 'GET', 'sys/init'))).toEqual({ initialized: false });
    });
  });

  it('empty body → 400 EOF; bad types → failed to parse JSON input; DELETE → 405', async () => {
    await withCluster({ nodes: 1, init: false }, async (cluster) => {
      const node = url(cluster, 0);
      expect((await call(node, 'PUT', 'sys/init', { rawBody: '' })).json).toEqual({ errors: ['EOF'] });
      const typed = await init(node, { secret_shares: '5', secret_threshold: 3 });
      expect(errorsOf(typed)?.[0]).toBe('failed to parse JSON input: json: cannot unmarshal string into Go struct field InitRequest.secret_shares of type int');
      expect((await call(node, 'DELETE', 'sys/init')).status).toBe(405);
    });
  });
});

describe('init validation (auto-unseal node)', () => {
  it.each([
    [
      { secret_shares: 5, secret_threshold: 3, recovery_shares: 5, recovery_threshold: 3 },
      'parameters secret_shares,secret_threshold not applicable to seal type awskms',
    ],
    [{ recovery_shares: 0, recovery_threshold: 0 }, 'recovery configuration must specify a positive number of shares'],
    [{ recovery_shares: 3, recovery_threshold: 0 }, 'invalid recovery configuration: threshold must be at least one'],
    [{ recovery_shares: 3, recovery_threshold: 4 }, 'invalid recovery configuration: threshold cannot be larger than shares'],
  ])('%j → 400 %s', async (payload, message) => {
    await withCluster({ nodes: 1, init: false, sealType: 'awskms' }, async (cluster) => {
      const res = await init(url(cluster, 0), payload);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [message] });
    });
  });
});

describe('init through the API', () => {
  it('Shamir 3-of-5: real shares, hvs. root token, node sealed, peers joined and sealed, same shares unseal all', async () => {
    await withCluster({ nodes: 3, init: false, profile: 'vault-1.19' }, async (cluster) => {
      const node = url(cluster, 1);
      const res = await init(node, { secret_shares: 5, secret_threshold: 3 });
      expect(res.status).toBe(200);
      const result = body(res);
      expect(Object.keys(result)).toEqual(['keys', 'keys_base64', 'root_token']);
      const keys = result['keys'] as string[];
      const keysBase64 = result['keys_base64'] as string[];
      expect(keys).toHaveLength(5);
      for (const [i, k] of keys.entries()) {
        expect(k).toMatch(/^[0-9a-f]{66}$/);
        expect(keysBase64[i]).toBe(Buffer.from(k, 'hex').toString('base64'));
        expect(keysBase64[i]).toHaveLength(44);
      }
      expect(new Set(keys.map((k) => k.slice(-2))).size).toBe(5); // distinct x-coordinates
      expect(result['root_token']).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
      expect(cluster.init?.keys).toEqual(keys);
      expect(cluster.rootToken).toBe(result['root_token']);

      for (const i of [0, 1, 2]) {
        expect(body(await call(url(cluster, i), 'GET', 'sys/init'))).toEqual({ initialized: true });
        expect(body(await call(url(cluster, i), 'GET', 'sys/seal-status'))).toMatchObject({ initialized: true, sealed: true, t: 3, n: 5 });
      }
      // Two shares are not enough; the threshold unseals; every node takes the same shares.
      expect(body(await unsealWith(node, keys.slice(0, 2)))).toMatchObject({ sealed: true, progress: 2 });
      for (const i of [0, 1, 2]) {
        expect(body(await unsealWith(url(cluster, i), keys.slice(2, 5)))).toMatchObject({ sealed: false, cluster_id: cluster.clusterId });
      }
      expect(cluster.activeNode()).not.toBeNull();
      const again = await init(node, { secret_shares: 5, secret_threshold: 3 });
      expect(again.status).toBe(400);
      expect(again.json).toEqual({ errors: ['Vault is already initialized'] });
    });
  });

  it('auto-unseal: empty keys, recovery keys, node and peers unsealed right after init', async () => {
    await withCluster({ nodes: 2, init: false, sealType: 'azurekeyvault' }, async (cluster) => {
      const res = await init(url(cluster, 0), { recovery_shares: 3, recovery_threshold: 2 });
      expect(res.status).toBe(200);
      const result = body(res);
      expect(result['keys']).toEqual([]);
      expect(result['keys_base64']).toEqual([]);
      expect(result['recovery_keys']).toHaveLength(3);
      expect(result['recovery_keys_base64']).toHaveLength(3);
      for (const i of [0, 1]) {
        expect(body(await call(url(cluster, i), 'GET', 'sys/seal-status'))).toMatchObject({
          initialized: true,
          sealed: false,
          t: 2,
          n: 3,
          recovery_seal: true,
        });
      }
    });
  });

  it('OpenBao root tokens use the s. prefix (unverified assumption, see profiles)', async () => {
    await withCluster({ nodes: 1, init: false, profile: 'openbao-2.6' }, async (cluster) => {
      const result = body(await init(url(cluster, 0), { secret_shares: 1, secret_threshold: 1 }));
      expect(result['root_token']).toMatch(/^s\.[A-Za-z0-9]{24}$/);
      expect((result['keys'] as string[])[0]).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});
