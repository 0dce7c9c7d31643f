// Raft join / remove-peer / configuration (Vault `http/sys_raft.go`, `vault/raft.go`, `vault/logical_system_raft.go` @ v1.14.9) and the cluster controls.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, keys, token, unsealWith, url, withCluster } from './http.ts';

type Server = { node_id: string; leader: boolean; voter: boolean; protocol_version: string; address: string };

async function raftServers(cluster: SimulatedCluster, via = 0): Promise<Server[]> {
  const res = await call(url(cluster, via), 'GET', 'sys/storage/raft/configuration', { token: token(cluster) });
  expect(res.status).toBe(200);
  return (body(res)['data'] as { config: { servers: Server[] } }).config.servers;
}

function refused(base: string): Promise<boolean> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const join = (base: string, payload: unknown) => call(base, 'POST', 'sys/storage/raft/join', { body: payload });

describe('raft join', () => {
  it('a new node joins through the active node, then needs the cluster shares', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      cluster.makeActive('vault-0');
      const added = await cluster.addNode();
      expect(added.id).toBe('vault-3');
      expect(added.state()).toMatchObject({ initialized: false, sealed: true });
      expect((await raftServers(cluster)).map((s) => s.node_id)).toEqual(['vault-0', 'vault-1', 'vault-2']);

      const viaStandby = await join(added.url, { leader_api_addr: url(cluster, 1) });
      expect(viaStandby.status).toBe(500);
      expect(viaStandby.json).toEqual({ errors: ['failed to join raft cluster: failed to get raft challenge'] });
      const joined = await join(added.url, { leader_api_addr: `${url(cluster, 0)}/` });
      expect(joined.status).toBe(200);
      expect(joined.json).toEqual({ joined: true });
      expect(body(await call(added.url, 'GET', 'sys/seal-status'))).toMatchObject({ initialized: true, sealed: true, t: 3, n: 5 });
      expect(body(await unsealWith(added.url, keys(cluster).slice(1, 4)))).toMatchObject({ sealed: false, cluster_id: cluster.clusterId });
      const servers = await raftServers(cluster, 3);
      expect(servers.map((s) => [s.node_id, s.leader, s.voter, s.protocol_version])).toEqual([
        ['vault-0', true, true, '3'],
        ['vault-1', false, true, '3'],
        ['vault-2', false, true, '3'],
        ['vault-3', false, true, '3'],
      ]);
      // An initialized raft node: join is a no-op that still says joined.
      expect((await join(url(cluster, 1), { leader_api_addr: 'https://elsewhere:8200' })).json).toEqual({ joined: true });
    });
  });

  it('validation: non_voter, bad auto_join_scheme, malformed JSON; retry answers joined:false and joins later', async () => {
    await withCluster({ nodes: 1 }, async (cluster) => {
      const fresh = await cluster.addNode();
      expect((await join(fresh.url, { leader_api_addr: url(cluster, 0), non_voter: true })).json).toEqual({ errors: ['non-voting nodes not allowed'] });
      expect((await join(fresh.url, { auto_join: 'provider=aws', auto_join_scheme: 'ftp' })).json).toEqual({
        errors: ['invalid scheme "ftp"; must either be http or https'],
      });
      expect((await call(fresh.url, 'POST', 'sys/storage/raft/join', { rawBody: '{' })).status).toBe(400);
      expect((await call(fresh.url, 'GET', 'sys/storage/raft/join')).status).toBe(405);
      expect((await join(fresh.url, { leader_api_addr: url(cluster, 0), retry: true })).json).toEqual({ joined: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fresh.state().initialized).toBe(true);
    });
  });

  it('auto-unseal joiners unseal on their own; non-raft storage refuses joins', async () => {
    await withCluster({ nodes: 1, sealType: 'awskms' }, async (cluster) => {
      const fresh = await cluster.addNode();
      expect((await join(fresh.url, { leader_api_addr: url(cluster, 0) })).json).toEqual({ joined: true });
      expect(fresh.state()).toMatchObject({ initialized: true, sealed: false, active: false });
    });
    await withCluster({ nodes: 2, storageType: 'dynamodb' }, async (cluster) => {
      const res = await join(url(cluster, 1), { leader_api_addr: url(cluster, 0) });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ errors: ['raft backend not in use'] });
    });
  });
});

describe('remove-peer', () => {
  it('validation, unknown ids, and what a removed node reports on 1.19', async () => {
    await withCluster({ nodes: 3, profile: 'vault-1.19', removedNodeJoinError: 'simulated: removed node cannot rejoin' }, async (cluster) => {
      const active = url(cluster, 0);
      const remove = (payload: unknown, t?: string) =>
        call(active, 'POST', 'sys/storage/raft/remove-peer', { body: payload, ...(t === undefined ? {} : { token: t }) });
      // go-multierror form (`vault/request_handling.go` @ v1.14.9; same in the 1.16+ code).
      expect((await remove({ server_id: 'vault-2' })).json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
      const missing = await remove({}, token(cluster));
      expect(missing.status).toBe(400);
      expect(missing.json).toEqual({ errors: ['no server id provided'] });
      expect((await remove({ server_id: 'ghost' }, token(cluster))).status).toBe(204);
      // Forwarded from a standby like any logical request.
      const removed = await call(url(cluster, 1), 'PUT', 'sys/storage/raft/remove-peer', { token: token(cluster), body: { server_id: 'vault-2' } });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expect((await raftServers(cluster)).map((s) => s.node_id)).toEqual(['vault-0', 'vault-1']);
      expect(cluster.nodes[2]?.state()).toMatchObject({ removed: true, sealed: true, initialized: true });
      expect(body(await call(url(cluster, 2), 'GET', 'sys/seal-status'))).toMatchObject({ removed_from_cluster: true, sealed: true });
      expect((await call(url(cluster, 2), 'GET', 'sys/health')).status).toBe(530);
      const rejoin = await join(url(cluster, 2), { leader_api_addr: active });
      expect(rejoin.status).toBe(500);
      expect(rejoin.json).toEqual({ errors: ['simulated: removed node cannot rejoin'] });
    });
  });

  it('before 1.19 a removed node just leaves the configuration', async () => {
    await withCluster({ nodes: 3, profile: 'vault-1.16' }, async (cluster) => {
      await call(url(cluster, 0), 'POST', 'sys/storage/raft/remove-peer', { token: token(cluster), body: { server_id: 'vault-2' } });
      expect((await raftServers(cluster)).map((s) => s.node_id)).toEqual(['vault-0', 'vault-1']);
      const status = body(await call(url(cluster, 2), 'GET', 'sys/seal-status'));
      expect(status).not.toHaveProperty('removed_from_cluster');
      expect((await call(url(cluster, 2), 'GET', 'sys/health')).status).not.toBe(530);
    });
  });
});

describe('cluster controls: kill, restart, wipe, leadership', () => {
  it('kill refuses connections and moves leadership; restart listens on the same port, sealed', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      cluster.makeActive('vault-0');
      await cluster.kill('vault-0');
      expect(await refused(url(cluster, 0))).toBe(true);
      const next = cluster.activeNode();
      expect(next?.id).not.toBe('vault-0');
      expect(next).not.toBeNull();
      await cluster.restart('vault-0');
      expect((await call(url(cluster, 0), 'GET', 'sys/health')).status).toBe(503);
      expect(() => cluster.makeActive('vault-0')).toThrow();
      await unsealWith(url(cluster, 0), keys(cluster).slice(0, 3));
      cluster.makeActive('vault-0');
      expect(cluster.activeNode()?.id).toBe('vault-0');
    });
  });

  it('without quorum there is no active node: a surviving standby is leaderless (474 on 1.19)', async () => {
    await withCluster({ nodes: 3, profile: 'vault-1.19' }, async (cluster) => {
      cluster.makeActive('vault-2');
      await cluster.kill('vault-1');
      expect(cluster.activeNode()?.id).toBe('vault-2');
      await cluster.kill('vault-2');
      expect(cluster.activeNode()).toBeNull();
      // vault-0 had heartbeated to the lost leader: its HA connection is now unhealthy.
      expect((await call(url(cluster, 0), 'GET', 'sys/health')).status).toBe(474);
      expect(body(await call(url(cluster, 0), 'GET', 'sys/health'))).toMatchObject({
        standby: true,
        ha_connection_healthy: false,
        replication_performance_mode: 'unknown',
      });
      const forwarded = await call(url(cluster, 0), 'GET', 'sys/ha-status', { token: token(cluster) });
      expect(forwarded.status).toBe(500);
      expect(forwarded.json).toEqual({ errors: ['local node not active but active cluster node not found'] });
      // `http/handler.go` @ v1.14.9 handleRequestForwarding: the empty leader address is answered
      // before forwardRequest looks at X-Vault-No-Request-Forwarding.
      const noForwarding = await call(url(cluster, 0), 'GET', 'sys/ha-status', { headers: { 'x-vault-no-request-forwarding': '1' } });
      expect(noForwarding.status).toBe(500);
      expect(noForwarding.json).toEqual({ errors: ['local node not active but active cluster node not found'] });
    });
  });

  it('wipe: a fresh uninitialized node on the same URL, out of raft (or kept as a failed peer)', async () => {
    await withCluster({ nodes: 4 }, async (cluster) => {
      cluster.makeActive('vault-0');
      const before = url(cluster, 3);
      await cluster.wipe('vault-3');
      expect(url(cluster, 3)).toBe(before);
      expect(body(await call(before, 'GET', 'sys/init'))).toEqual({ initialized: false });
      expect(cluster.nodes[3]?.state()).toMatchObject({ initialized: false, sealed: true, removed: false });
      expect((await raftServers(cluster)).map((s) => s.node_id)).toEqual(['vault-0', 'vault-1', 'vault-2']);
      await cluster.wipe('vault-2', { keepInRaftConfig: true });
      expect((await raftServers(cluster)).map((s) => s.node_id)).toEqual(['vault-0', 'vault-1', 'vault-2']);
      expect(body(await call(url(cluster, 2), 'GET', 'sys/seal-status'))).toMatchObject({ initialized: false });
    });
  });
});
