// Autopilot state and configuration (Vault `physical/raft/raft_autopilot.go`, `vault/logical_system_raft.go` @ v1.14.9).
import { describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, token, url, withCluster } from './http.ts';

type State = {
  healthy: boolean;
  failure_tolerance: number;
  leader: string;
  voters: string[];
  servers: Record<string, { id: string; node_status: string; healthy: boolean; status: string; last_contact: string; version: string; node_type: string }>;
};

async function state(cluster: SimulatedCluster, via: number): Promise<State> {
  const res = await call(url(cluster, via), 'GET', 'sys/storage/raft/autopilot/state', { token: token(cluster) });
  expect(res.status).toBe(200);
  return body(res)['data'] as State;
}

describe('autopilot state', () => {
  it('healthy 5-node cluster: tolerance 2, leader and voters, per-server fields', async () => {
    await withCluster({ nodes: 5 }, async (cluster) => {
      cluster.makeActive('vault-1');
      const s = await state(cluster, 3);
      expect(s).toMatchObject({ healthy: true, failure_tolerance: 2, leader: 'vault-1', voters: ['vault-0', 'vault-1', 'vault-2', 'vault-3', 'vault-4'] });
      expect(s.servers['vault-1']).toMatchObject({
        id: 'vault-1',
        node_status: 'alive',
        healthy: true,
        status: 'leader',
        last_contact: '0s',
        node_type: 'voter',
      });
      expect(s.servers['vault-0']).toMatchObject({ status: 'voter', node_status: 'alive', healthy: true });
      expect(s.servers['vault-0']?.last_contact).toMatch(/^[\d.]+(ms|s)$/);
    });
  });

  it('dead and sealed voters are unhealthy and cost tolerance: floor((voters-1)/2) - failed, never below 0', async () => {
    await withCluster({ nodes: 5 }, async (cluster) => {
      cluster.makeActive('vault-0');
      await cluster.kill('vault-4');
      let s = await state(cluster, 0);
      expect(s).toMatchObject({ healthy: false, failure_tolerance: 1 });
      // `physical/raft/raft_autopilot.go` KnownServers @ v1.14.9: still "alive" until the dead threshold.
      expect(s.servers['vault-4']).toMatchObject({ node_status: 'alive', healthy: false });
      cluster.nodes[3]?.seal();
      s = await state(cluster, 0);
      expect(s.failure_tolerance).toBe(0);
      expect(s.servers['vault-3']).toMatchObject({ node_status: 'alive', healthy: false });
      await cluster.kill('vault-2');
      // Two voters up out of five: no quorum, so no leader to answer.
      expect(cluster.activeNode()).toBeNull();
      await cluster.restart('vault-2');
      await cluster.restart('vault-4');
      expect(cluster.activeNode()).toBeNull(); // restarted Shamir nodes are sealed
    });
  });

  it("3 voters with one down: quorum kept, tolerance 0, the dead one's last contact grows", async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      cluster.makeActive('vault-0');
      await cluster.kill('vault-2');
      const s = await state(cluster, 1);
      expect(s).toMatchObject({ healthy: false, failure_tolerance: 0, leader: 'vault-0' });
      expect(s.servers['vault-2']?.last_contact).toMatch(/^[\d.]+(ms|s)$/);
    });
  });

  it('a silent voter becomes "left" once dead_server_last_contact_threshold has passed (default 24h)', async () => {
    let now = Date.UTC(2026, 0, 1);
    await withCluster({ nodes: 3, now: () => now }, async (cluster) => {
      cluster.makeActive('vault-0');
      await cluster.kill('vault-2');
      now += 24 * 3_600_000;
      expect((await state(cluster, 0)).servers['vault-2']).toMatchObject({ node_status: 'alive', healthy: false, last_contact: '24h0m0s' });
      now += 1_000;
      expect((await state(cluster, 0)).servers['vault-2']).toMatchObject({ node_status: 'left', healthy: false });
    });
  });

  it('reports each node version (rolling upgrade)', async () => {
    await withCluster({ nodes: 3, profile: 'vault-1.16' }, async (cluster) => {
      cluster.nodes[2]?.setVersion('1.17.0');
      const s = await state(cluster, 0);
      expect(s.servers['vault-2']?.version).toBe('1.17.0');
      expect(s.servers['vault-0']?.version).toBe('1.16.3');
      expect(body(await call(url(cluster, 2), 'GET', 'sys/seal-status'))['version']).toBe('1.17.0');
    });
  });
});

describe('autopilot configuration', () => {
  it('defaults, validation texts, partial updates (strings or integer seconds), 204', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const path = 'sys/storage/raft/autopilot/configuration';
      const read = async () => body(await call(url(cluster, 1), 'GET', path, { token: token(cluster) }))['data'];
      const write = (payload: unknown) => call(url(cluster, 2), 'POST', path, { token: token(cluster), body: payload });
      expect(await read()).toEqual({
        cleanup_dead_servers: false,
        last_contact_threshold: '10s',
        dead_server_last_contact_threshold: '24h0m0s',
        max_trailing_logs: 1000,
        min_quorum: 0,
        server_stabilization_time: '10s',
        disable_upgrade_migration: false,
      });
      const noQuorum = await write({ cleanup_dead_servers: true });
      expect(noQuorum.status).toBe(400);
      // `vault/logical_system_raft.go` @ v1.14.9: min_quorum is a uint printed with %#v.
      expect(noQuorum.json).toEqual({
        errors: ['min_quorum must be set when cleanup_dead_servers is set and it should at least be 3; cleanup_dead_servers: true, min_quorum: 0x0'],
      });
      const two = await write({ cleanup_dead_servers: true, min_quorum: 2 });
      expect(two.json).toEqual({
        errors: ['min_quorum must be set when cleanup_dead_servers is set and it should at least be 3; cleanup_dead_servers: true, min_quorum: 0x2'],
      });
      // With cleanup off (the effective value) a threshold under 1m is accepted and persisted.
      expect((await write({ dead_server_last_contact_threshold: '30s' })).status).toBe(204);
      expect(await read()).toMatchObject({ cleanup_dead_servers: false, dead_server_last_contact_threshold: '30s' });
      // Turning cleanup on over the stored 30s: the field was not supplied, so `received: <nil>`.
      expect((await write({ cleanup_dead_servers: true, min_quorum: 3 })).json).toEqual({
        errors: ['dead_server_last_contact_threshold should not be set to less than 1m; received: <nil>'],
      });
      // Supplied: the int seconds of the TypeDurationSecond field.
      expect((await write({ cleanup_dead_servers: true, min_quorum: 3, dead_server_last_contact_threshold: '45s' })).json).toEqual({
        errors: ['dead_server_last_contact_threshold should not be set to less than 1m; received: 45'],
      });
      expect((await write({ disable_upgrade_migration: true })).json).toEqual({ errors: ['disable_upgrade_migration is only available in Vault Enterprise'] });
      expect((await write({})).status).toBe(204);
      const ok = await write({ cleanup_dead_servers: true, min_quorum: 3, dead_server_last_contact_threshold: 300, last_contact_threshold: '1m30s' });
      expect(ok.status).toBe(204);
      expect(await read()).toMatchObject({
        cleanup_dead_servers: true,
        min_quorum: 3,
        dead_server_last_contact_threshold: '5m0s',
        last_contact_threshold: '1m30s',
        max_trailing_logs: 1000,
      });
      expect((await call(url(cluster, 0), 'POST', path, { body: {} })).status).toBe(403);
    });
  });
});
