// Auto-unseal seals (Vault `vault/core.go` unsealFragment, `vault/seal_autoseal.go` @ v1.14.9; Vault `http/sys_init.go`, `vault/init.go` generateShares @ v1.14.9; go-kms-wrapping `wrappers/awskms/awskms.go`, `wrappers/azurekeyvault/azurekeyvault.go`): recovery shares, restarts, KMS outages.
import { describe, expect, it } from 'vitest';
import { body, call, token, unsealWith, url, withCluster } from './http.ts';

const MISMATCH = 'invalid key: failed to verify recovery key: recovery key does not match submitted values';

describe('auto-unseal (awskms) lifecycle', () => {
  it('after sys/seal a node takes the recovery shares (threshold = recovery threshold); foreign ones fail verification', async () => {
    await withCluster({ nodes: 2, sealType: 'awskms', init: { shares: 3, threshold: 2 } }, async (cluster) => {
      const recovery = cluster.init?.recoveryKeys ?? [];
      expect(cluster.init?.keys).toEqual([]);
      expect(recovery).toHaveLength(3);
      const active = url(cluster, 0);
      expect((await call(active, 'PUT', 'sys/seal', { token: token(cluster) })).status).toBe(204);
      expect(body(await call(active, 'GET', 'sys/seal-status'))).toMatchObject({ sealed: true, t: 2, n: 3, type: 'awskms' });
      // Stays sealed: no self-unseal without a restart.
      expect(cluster.nodes[0]?.state().sealed).toBe(true);

      await withCluster({ nodes: 1, sealType: 'awskms', init: { shares: 3, threshold: 2 } }, async (other) => {
        // Not one sharing recovery[0]'s x-coordinate (a share's last byte, random per split:
        // shamir/shamir.go @ v1.19.0), which would be refused as a duplicate part instead.
        const own = recovery[0] ?? '';
        const foreign = (other.init?.recoveryKeys ?? []).find((k) => k.slice(-2) !== own.slice(-2)) ?? '';
        expect(foreign).not.toBe('');
        const res = await unsealWith(active, [own, foreign]);
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ errors: [MISMATCH] });
      });
      const progress = body(await unsealWith(active, [recovery[2] ?? '']));
      expect(progress).toMatchObject({ sealed: true, progress: 1 });
      expect(body(await unsealWith(active, [recovery[0] ?? '']))).toMatchObject({ sealed: false, progress: 0, recovery_seal: true });
    });
  });

  it('KMS outage: running nodes stay up, recovery verification fails, restarts stay sealed until the KMS is back', async () => {
    await withCluster(
      { nodes: 3, sealType: 'awskms', profile: 'vault-1.19', kmsFailureCause: 'AccessDeniedException: simulated', init: { shares: 3, threshold: 2 } },
      async (cluster) => {
        const recovery = cluster.init?.recoveryKeys ?? [];
        cluster.setKmsAvailable(false);
        expect(cluster.nodes.every((n) => !n.state().sealed)).toBe(true);
        const backend = body(await call(url(cluster, 1), 'GET', 'sys/seal-backend-status'));
        expect(backend).toMatchObject({ healthy: false, backends: [{ name: 'awskms', healthy: false }] });
        expect(typeof backend['unhealthy_since']).toBe('string');

        cluster.nodes[2]?.seal();
        const res = await unsealWith(url(cluster, 2), recovery.slice(0, 2));
        expect(res.status).toBe(400);
        // `vault/seal_autoseal.go` getRecoveryKeyInternal + `vault/seal/seal.go` JoinSealWrapErrors (1.16+ code).
        expect(res.json).toEqual({
          errors: [
            'invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys: error decrypting seal wrapped value\nerror decrypting using seal awskms: AccessDeniedException: simulated',
          ],
        });

        await cluster.restart('vault-1');
        expect(cluster.nodes[1]?.state()).toMatchObject({ initialized: true, sealed: true });
        expect((await call(url(cluster, 1), 'GET', 'sys/health')).status).toBe(503);
        cluster.setKmsAvailable(true);
        expect(cluster.nodes[1]?.state().sealed).toBe(false);
        // Sealed by the operator, not waiting on the KMS: still sealed.
        expect(cluster.nodes[2]?.state().sealed).toBe(true);
        await cluster.restart('vault-2');
        expect(cluster.nodes[2]?.state().sealed).toBe(false);
      },
    );
  });

  it('Shamir nodes come back sealed from a restart; setKmsAvailable is refused', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      await cluster.restart('vault-2');
      expect(cluster.nodes[2]?.state()).toMatchObject({ sealed: true, initialized: true, progress: 0 });
      expect((await call(url(cluster, 2), 'GET', 'sys/health')).status).toBe(503);
      expect(() => cluster.setKmsAvailable(false)).toThrow();
    });
  });

  it('Vault 1.14 reports type shamir for an initialized auto-unseal node, sealed or not', async () => {
    await withCluster({ nodes: 1, profile: 'vault-1.14', sealType: 'azurekeyvault', unsealed: false }, async (cluster) => {
      const status = body(await call(url(cluster, 0), 'GET', 'sys/seal-status'));
      expect(status).toMatchObject({ type: 'shamir', sealed: true, recovery_seal: true, t: 3, n: 5 });
      expect(status).not.toHaveProperty('recovery_seal_type');
      // Sealed: the logical handler behind the missing endpoint answers 503 (`http/handler.go` @ v1.14.9).
      expect((await call(url(cluster, 0), 'GET', 'sys/seal-backend-status')).status).toBe(503);
    });
  });
});
