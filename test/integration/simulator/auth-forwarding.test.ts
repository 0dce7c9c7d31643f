// Token rules, standby forwarding and the status endpoints (Vault `http/handler.go` @ v1.14.9; Vault `http/sys_seal.go`, `http/sys_leader.go`, `vault/logical_system.go` @ v1.14.9; Vault `vault/logical_system.go` PathsSpecial @ v1.14.9).
import { beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, token, url, useCluster, withCluster } from './http.ts';

// go-multierror rendering of a missing/unknown token (`vault/request_handling.go` @ v1.14.9 handleRequest; same code at 1.12, 1.16+ and OpenBao v2.6.2).
const DENIED = '1 error occurred:\n\t* permission denied\n\n';

const ENVELOPE_KEYS = ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth'];

describe('authenticated endpoints on Vault 1.19', () => {
  const get = useCluster({ profile: 'vault-1.19', nodes: 3 });
  let cluster: SimulatedCluster;
  beforeEach(() => {
    cluster = get();
    cluster.makeActive('vault-0');
  });

  it('missing, unknown or Bearer tokens: 403 permission denied unless valid', async () => {
    for (const options of [{}, { token: 'hvs.NOTAREALTOKEN0000000000' }, { headers: { authorization: 'Bearer nope' } }]) {
      const res = await call(url(cluster, 0), 'GET', 'sys/ha-status', options);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ errors: [DENIED] });
    }
    const bearer = await call(url(cluster, 0), 'GET', 'sys/ha-status', { headers: { authorization: `Bearer ${token(cluster)}` } });
    expect(bearer.status).toBe(200);
    // X-Vault-Token wins over Authorization.
    const both = await call(url(cluster, 0), 'GET', 'sys/ha-status', { token: 'wrong', headers: { authorization: `Bearer ${token(cluster)}` } });
    expect(both.status).toBe(403);
  });

  it('ha-status: logical envelope with mount_type, nodes injected at top level', async () => {
    const res = await call(url(cluster, 0), 'GET', 'sys/ha-status', { token: token(cluster) });
    expect(res.headers['cache-control']).toBe('no-store');
    const b = body(res);
    expect(Object.keys(b)).toEqual(['nodes', ...ENVELOPE_KEYS, 'mount_type']);
    expect(b).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, warnings: null, auth: null, mount_type: 'system' });
    const nodes = b['nodes'] as Record<string, unknown>[];
    expect((b['data'] as Record<string, unknown>)['nodes']).toEqual(nodes);
    expect(nodes.map((n) => [n['hostname'], n['active_node'], n['api_address']])).toEqual(cluster.nodes.map((n, i) => [n.id, i === 0, n.url]));
    expect(nodes[0]?.['last_echo']).toBeNull();
    expect(typeof nodes[1]?.['last_echo']).toBe('string');
  });

  it('key-status: term, install_time, encryptions, injected at top level', async () => {
    const b = body(await call(url(cluster, 0), 'GET', 'sys/key-status', { token: token(cluster) }));
    expect(b).toMatchObject({ term: 1, data: { term: 1 } });
    expect(b['install_time']).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  });

  it('standby: forwards to the active (same answer), 307 to the active with X-Vault-No-Request-Forwarding', async () => {
    const viaStandby = body(await call(url(cluster, 2), 'GET', 'sys/storage/raft/configuration', { token: token(cluster) }));
    const servers = (viaStandby['data'] as { config: { servers: { node_id: string; leader: boolean }[] } }).config.servers;
    expect(servers.find((s) => s.leader)?.node_id).toBe('vault-0');
    // Forwarded requests skip the token check on the standby but not on the active.
    expect((await call(url(cluster, 2), 'GET', 'sys/ha-status')).status).toBe(403);
    const redirect = await call(url(cluster, 2), 'GET', 'sys/ha-status?x=1', { headers: { 'x-vault-no-request-forwarding': 'true' } });
    expect(redirect.status).toBe(307);
    expect(redirect.headers['location']).toBe(`${url(cluster, 0)}/v1/sys/ha-status?x=1`);
  });

  it('a sealed node answers authenticated endpoints with 503 Vault is sealed, token or not', async () => {
    cluster.nodes[1]?.seal();
    for (const path of ['sys/ha-status', 'sys/key-status', 'sys/storage/raft/autopilot/state']) {
      const res = await call(url(cluster, 1), 'GET', path, { token: token(cluster) });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ errors: ['Vault is sealed'] });
    }
    expect((await call(url(cluster, 1), 'GET', 'sys/ha-status')).status).toBe(503);
    await call(url(cluster, 1), 'PUT', 'sys/unseal', { body: { reset: true } });
    for (const key of cluster.init?.keys.slice(0, 3) ?? []) await call(url(cluster, 1), 'PUT', 'sys/unseal', { body: { key } });
  });

  it('leader: active and standby views; 503 when sealed', async () => {
    const active = body(await call(url(cluster, 0), 'GET', 'sys/leader'));
    expect(Object.keys(active)).toEqual([
      'ha_enabled',
      'is_self',
      'active_time',
      'leader_address',
      'leader_cluster_address',
      'performance_standby',
      'performance_standby_last_remote_wal',
      'raft_committed_index',
      'raft_applied_index',
    ]);
    expect(active).toMatchObject({ ha_enabled: true, is_self: true, leader_address: url(cluster, 0), performance_standby: false });
    expect(active['active_time']).not.toBe('0001-01-01T00:00:00Z');
    const standby = body(await call(url(cluster, 1), 'GET', 'sys/leader'));
    expect(standby).toMatchObject({ is_self: false, active_time: '0001-01-01T00:00:00Z', leader_address: url(cluster, 0) });
    cluster.nodes[2]?.seal();
    const sealed = await call(url(cluster, 2), 'GET', 'sys/leader');
    expect(sealed.status).toBe(503);
    expect(sealed.json).toEqual({ errors: ['Vault is sealed'] });
    await cluster.restart('vault-2');
    for (const key of cluster.init?.keys.slice(1, 4) ?? []) await call(url(cluster, 2), 'PUT', 'sys/unseal', { body: { key } });
  });

  it('sys/seal: standby → 500 even without token; active without token → 403; sealed → 204 without token', async () => {
    const standby = await call(url(cluster, 1), 'PUT', 'sys/seal');
    expect(standby.status).toBe(500);
    expect(standby.json).toEqual({ errors: ['vault cannot seal when in standby mode; please restart instead'] });
    // `vault/core.go` sealInitCommon @ v1.14.9: a missing token is the bare ErrPermissionDenied (no multierror).
    expect((await call(url(cluster, 0), 'PUT', 'sys/seal')).json).toEqual({ errors: ['permission denied'] });
    expect((await call(url(cluster, 0), 'GET', 'sys/seal', { token: token(cluster) })).status).toBe(405);
    const sealed = await call(url(cluster, 0), 'PUT', 'sys/seal', { token: token(cluster) });
    expect(sealed.status).toBe(204);
    expect(sealed.text).toBe('');
    expect((await call(url(cluster, 0), 'POST', 'sys/seal')).status).toBe(204);
    // Leadership moved to an unsealed node.
    expect(cluster.activeNode()?.id).not.toBe('vault-0');
    for (const key of cluster.init?.keys.slice(0, 3) ?? []) await call(url(cluster, 0), 'PUT', 'sys/unseal', { body: { key } });
  });

  it('step-down: forwarded and authenticated, 204, leadership moves', async () => {
    expect((await call(url(cluster, 1), 'PUT', 'sys/step-down')).status).toBe(403);
    expect((await call(url(cluster, 1), 'GET', 'sys/step-down')).json).toEqual({ errors: [] });
    expect((await call(url(cluster, 1), 'PUT', 'sys/step-down', { token: token(cluster) })).status).toBe(204);
    expect(cluster.activeNode()?.id).not.toBe('vault-0');
  });

  it('unknown paths → 404 {"errors":[]}; unsupported logical operations → 405', async () => {
    for (const path of ['sys/nope', 'secret/data/x']) {
      const res = await call(url(cluster, 0), 'GET', path, { token: token(cluster) });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ errors: [] });
    }
    expect((await call(url(cluster, 0), 'DELETE', 'sys/ha-status', { token: token(cluster) })).status).toBe(405);
  });
});

describe('envelope and leader per version', () => {
  it('Vault 1.14 has no mount_type and no seal-backend-status; 1.15.4 has both', async () => {
    await withCluster({ profile: 'vault-1.14', nodes: 1 }, async (cluster) => {
      const b = body(await call(url(cluster, 0), 'GET', 'sys/key-status', { token: token(cluster) }));
      expect(b).not.toHaveProperty('mount_type');
      // No raw handler before 1.15 (`http/handler.go` @ v1.14.9): the logical sys/ handler answers.
      const missing = await call(url(cluster, 0), 'GET', 'sys/seal-backend-status');
      expect(missing.status).toBe(403);
      expect(missing.json).toEqual({ errors: [DENIED] });
    });
    await withCluster({ profile: 'vault-1.15.4', nodes: 1 }, async (cluster) => {
      expect(body(await call(url(cluster, 0), 'GET', 'sys/key-status', { token: token(cluster) }))['mount_type']).toBe('system');
      expect(body(await call(url(cluster, 0), 'GET', 'sys/seal-backend-status'))).toEqual({ healthy: true, backends: [{ name: 'shamir', healthy: true }] });
    });
  });

  it('OpenBao 2.6 trims leader: no performance_standby*, empty/false/zero fields omitted on standbys', async () => {
    await withCluster({ profile: 'openbao-2.6', nodes: 2 }, async (cluster) => {
      const standby = body(await call(url(cluster, 1), 'GET', 'sys/leader'));
      expect(standby).not.toHaveProperty('performance_standby');
      expect(standby).not.toHaveProperty('is_self');
      expect(standby).not.toHaveProperty('active_time');
      expect(standby).toMatchObject({ ha_enabled: true, leader_address: url(cluster, 0) });
    });
  });

  it('file storage has no HA: leader says ha_enabled false, every unsealed node is active', async () => {
    await withCluster({ storageType: 'file', nodes: 2 }, async (cluster) => {
      expect(body(await call(url(cluster, 1), 'GET', 'sys/leader'))).toEqual({
        ha_enabled: false,
        is_self: false,
        active_time: '0001-01-01T00:00:00Z',
        leader_address: '',
        leader_cluster_address: '',
        performance_standby: false,
        performance_standby_last_remote_wal: 0,
      });
      expect((await call(url(cluster, 1), 'GET', 'sys/health')).status).toBe(200);
      expect((await call(url(cluster, 1), 'GET', 'sys/storage/raft/configuration', { token: token(cluster) })).json).toEqual({
        errors: ['raft storage is not in use'],
      });
    });
  });
});
