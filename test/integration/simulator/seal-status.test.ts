// Pins `GET /v1/sys/seal-status` (Vault `http/sys_seal.go`, `vault/logical_system.go` GetSealStatus @ v1.14.9) per version profile.
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, type VaultProfileName } from '../../../shared/simulator/index.ts';
import { body, call, unsealWith, url, useCluster, withCluster, keys } from './http.ts';

// Expectations transcribed from the sources, not from the simulator's tables: Vault
// `vault/logical_system.go` SealStatusResponse (v1.14.9; `type`/`recovery_seal_type` from
// hashicorp/vault PR #24170 in 1.15.4+; `removed_from_cluster` PR #28938 in 1.19), OpenBao
// `vault/logical_system.go` @ v2.5.0 (SealStatusResponse with `build_date`) and @ v2.6.0
// (CoreSealStatusResponse: `commit_date`, recovery fields before `version`).
const SHEET: Record<
  VaultProfileName,
  { version: string; date: 'build_date' | 'commit_date'; autoTypeAfterInit: 'shamir' | 'awskms'; recoverySealType: boolean; removed: boolean; baoOrder?: true }
> = {
  'vault-1.12': { version: '1.12', date: 'build_date', autoTypeAfterInit: 'shamir', recoverySealType: false, removed: false },
  'vault-1.14': { version: '1.14', date: 'build_date', autoTypeAfterInit: 'shamir', recoverySealType: false, removed: false },
  'vault-1.15.4': { version: '1.15.4', date: 'build_date', autoTypeAfterInit: 'awskms', recoverySealType: true, removed: false },
  'vault-1.16': { version: '1.16', date: 'build_date', autoTypeAfterInit: 'awskms', recoverySealType: true, removed: false },
  'vault-1.19': { version: '1.19', date: 'build_date', autoTypeAfterInit: 'awskms', recoverySealType: true, removed: true },
  'openbao-2.5': { version: '2.5', date: 'build_date', autoTypeAfterInit: 'awskms', recoverySealType: true, removed: false },
  'openbao-2.6': { version: '2.6', date: 'commit_date', autoTypeAfterInit: 'awskms', recoverySealType: true, removed: false, baoOrder: true },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(PROFILE_NAMES)('seal-status on %s', (profile) => {
  const sheet = SHEET[profile];
  const removedKey = sheet.removed ? ['removed_from_cluster'] : [];
  const shamir = useCluster({ profile, nodes: 2, init: { shares: 5, threshold: 3 } });
  const auto = useCluster({ profile, nodes: 1, sealType: 'awskms', init: { shares: 3, threshold: 2 } });
  const fresh = useCluster({ profile, nodes: 1, init: false, sealType: 'azurekeyvault' });

  it('unsealed Shamir node: every field, in Vault order, cluster identity included', async () => {
    const res = await call(url(shamir(), 0), 'GET', 'sys/seal-status');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json');
    const status = body(res);
    expect(Object.keys(status)).toEqual(
      sheet.baoOrder
        ? [
            'type',
            'initialized',
            'sealed',
            't',
            'n',
            'progress',
            'nonce',
            'recovery_seal',
            'version',
            sheet.date,
            'migration',
            'cluster_name',
            'cluster_id',
            'storage_type',
          ]
        : [
            'type',
            'initialized',
            'sealed',
            't',
            'n',
            'progress',
            'nonce',
            'version',
            sheet.date,
            'migration',
            'cluster_name',
            'cluster_id',
            'recovery_seal',
            'storage_type',
            ...removedKey,
          ],
    );
    expect(status).toMatchObject({
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 3,
      n: 5,
      progress: 0,
      nonce: '',
      migration: false,
      recovery_seal: false,
      storage_type: 'raft',
    });
    expect(String(status['version']).startsWith(sheet.version)).toBe(true);
    expect(status[sheet.date]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(status['cluster_id']).toBe(shamir().clusterId);
    expect(status['cluster_name']).toBe(shamir().clusterName);
    if (sheet.removed) expect(status['removed_from_cluster']).toBe(false);
  });

  it('sealed node: no cluster fields; progress and nonce follow the attempt', async () => {
    const node = shamir().nodes[1];
    node?.seal();
    const first = body(await unsealWith(url(shamir(), 1), keys(shamir()).slice(0, 1)));
    expect(first).toMatchObject({ sealed: true, progress: 1 });
    expect(first['nonce']).toMatch(UUID);
    expect(first).not.toHaveProperty('cluster_id');
    expect(first).not.toHaveProperty('cluster_name');
    const status = body(await call(url(shamir(), 1), 'GET', 'sys/seal-status'));
    expect(status).toMatchObject({ sealed: true, progress: 1, nonce: first['nonce'], t: 3, n: 5 });
  });

  it('auto-unseal node: type after init as this version reports it, recovery t/n', async () => {
    const status = body(await call(url(auto(), 0), 'GET', 'sys/seal-status'));
    expect(status).toMatchObject({ type: sheet.autoTypeAfterInit, initialized: true, sealed: false, t: 2, n: 3, recovery_seal: true });
    if (sheet.recoverySealType) expect(status['recovery_seal_type']).toBe('shamir');
    else expect(status).not.toHaveProperty('recovery_seal_type');
    const order = Object.keys(status);
    if (sheet.baoOrder) {
      // OpenBao 2.6 (`vault/logical_system.go` @ v2.6.0): type…nonce, recovery_seal, recovery_seal_type, version, commit_date, migration, cluster_*, storage_type.
      expect(order).toEqual([
        'type',
        'initialized',
        'sealed',
        't',
        'n',
        'progress',
        'nonce',
        'recovery_seal',
        'recovery_seal_type',
        'version',
        'commit_date',
        'migration',
        'cluster_name',
        'cluster_id',
        'storage_type',
      ]);
    } else {
      expect(order.indexOf('recovery_seal')).toBeGreaterThan(order.indexOf('cluster_id'));
    }
  });

  it('uninitialized node: barrier seal type, sealed, zero config, no cluster fields', async () => {
    const status = body(await call(url(fresh(), 0), 'GET', 'sys/seal-status'));
    expect(status).toMatchObject({
      type: 'azurekeyvault',
      initialized: false,
      sealed: true,
      t: 0,
      n: 0,
      progress: 0,
      nonce: '',
      recovery_seal: true,
      storage_type: 'raft',
    });
    expect(status).not.toHaveProperty('cluster_id');
    expect(status).not.toHaveProperty(sheet.date === 'build_date' ? 'commit_date' : 'build_date');
    expect('removed_from_cluster' in status).toBe(sheet.removed);
  });

  it('only GET: other methods get 405 {"errors":[]}', async () => {
    const res = await call(url(shamir(), 0), 'PUT', 'sys/seal-status', { body: {} });
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ errors: [] });
  });
});

describe('seal-status storage types', () => {
  it('dynamodb on 1.19: storage_type reported, no removed_from_cluster (raft only)', async () => {
    await withCluster({ profile: 'vault-1.19', storageType: 'dynamodb', nodes: 2 }, async (cluster) => {
      const status = body(await call(url(cluster, 1), 'GET', 'sys/seal-status'));
      expect(status['storage_type']).toBe('dynamodb');
      expect(status).not.toHaveProperty('removed_from_cluster');
    });
  });

  it('OpenBao has no DynamoDB backend', async () => {
    await expect(withCluster({ profile: 'openbao-2.6', storageType: 'dynamodb' }, async () => undefined)).rejects.toThrow(/dynamodb/);
  });
});
