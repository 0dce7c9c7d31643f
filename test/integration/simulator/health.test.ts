// Pins `GET|HEAD /v1/sys/health` (Vault `http/sys_health.go` @ v1.14.9): codes per state, overrides, bodies per version.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, token, url, useCluster } from './http.ts';

const NOW = 1_740_000_000_000;

describe('health on Vault 1.19 (raft): one node per state', () => {
  // vault-0 active, vault-1 standby, vault-2 standby with unhealthy HA connection,
  // vault-3 sealed, vault-4 uninitialized (wiped), vault-5 removed.
  const get = useCluster({ profile: 'vault-1.19', nodes: 6, now: () => NOW });
  let cluster: SimulatedCluster;
  const health = (i: number, query = '', method = 'GET') => call(url(cluster, i), method, `sys/health${query}`);

  beforeAll(async () => {
    cluster = get();
    cluster.makeActive('vault-0');
    cluster.nodes[2]?.setHaUnhealthy(true);
    cluster.nodes[3]?.seal();
    await cluster.wipe('vault-4');
    const removal = await call(url(cluster, 0), 'POST', 'sys/storage/raft/remove-peer', { token: token(cluster), body: { server_id: 'vault-5' } });
    expect(removal.status).toBe(204);
  });

  it('default codes: 200 active, 429 standby, 474 HA-unhealthy standby, 503 sealed, 501 uninitialized, 530 removed', async () => {
    const codes = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => (await health(i)).status));
    expect(codes).toEqual([200, 429, 474, 503, 501, 530]);
  });

  it('active body: Vault 1.19 CE fields in struct order', async () => {
    const res = await health(0);
    expect(res.headers['cache-control']).toBe('no-store');
    const b = body(res);
    expect(Object.keys(b)).toEqual([
      'initialized',
      'sealed',
      'standby',
      'performance_standby',
      'replication_performance_mode',
      'replication_dr_mode',
      'server_time_utc',
      'version',
      'enterprise',
      'cluster_name',
      'cluster_id',
      'echo_duration_ms',
      'clock_skew_ms',
      'replication_primary_canary_age_ms',
      'removed_from_cluster',
    ]);
    expect(b).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: 1_740_000_000,
      enterprise: false,
      cluster_id: cluster.clusterId,
      removed_from_cluster: false,
    });
  });

  it('standbys report the forwarding heartbeat; the unhealthy one says so', async () => {
    const healthy = body(await health(1));
    expect(healthy).toMatchObject({ standby: true, ha_connection_healthy: true, replication_performance_mode: 'disabled' });
    expect(typeof healthy['last_request_forwarding_heartbeat_ms']).toBe('number');
    expect(body(await health(2))).toMatchObject({ standby: true, ha_connection_healthy: false });
    expect(body(await health(0))).not.toHaveProperty('ha_connection_healthy');
  });

  it('sealed and uninitialized nodes report standby:true and unknown replication, no cluster fields', async () => {
    for (const i of [3, 4]) {
      const b = body(await health(i));
      expect(b).toMatchObject({ sealed: true, standby: true, replication_performance_mode: 'unknown', replication_dr_mode: 'unknown' });
      expect(b).not.toHaveProperty('cluster_id');
    }
    expect(body(await health(4))['initialized']).toBe(false);
    expect(body(await health(5))).toMatchObject({ removed_from_cluster: true, sealed: true });
  });

  it('every status code can be overridden', async () => {
    expect((await health(1, '?standbyok=true')).status).toBe(200);
    expect((await health(1, '?standbyok=true&activecode=203')).status).toBe(203);
    expect((await health(1, '?standbycode=299')).status).toBe(299);
    expect((await health(0, '?activecode=204')).status).toBe(204);
    expect((await health(2, '?haunhealthycode=298')).status).toBe(298);
    expect((await health(3, '?sealedcode=297')).status).toBe(297);
    expect((await health(4, '?uninitcode=296')).status).toBe(296);
    expect((await health(5, '?removedcode=295')).status).toBe(295);
  });

  it("the Go client's all-2xx query makes every state 299 but the active's", async () => {
    const q = '?uninitcode=299&sealedcode=299&standbycode=299&drsecondarycode=299&performancestandbycode=299&removedcode=299&haunhealthycode=299';
    const codes = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => (await health(i, q)).status));
    expect(codes).toEqual([200, 299, 299, 299, 299, 299]);
  });

  it('weak bools: 1/t/T/True are true, empty is false', async () => {
    for (const v of ['1', 't', 'T', 'True', 'TRUE']) expect((await health(1, `?standbyok=${v}`)).status).toBe(200);
    expect((await health(1, '?standbyok=')).status).toBe(429);
    expect((await health(1, '?standbyok=0')).status).toBe(429);
  });

  it('bad values → 400 {"errors":[]} (GET) and a bare 400 (HEAD); unknown params ignored', async () => {
    for (const q of ['?standbyok=maybe', '?perfstandbyok=yes', '?sealedcode=abc', '?activecode=2.5', '?removedcode=x']) {
      const res = await health(0, q);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [] });
    }
    const head = await health(0, '?standbycode=abc', 'HEAD');
    expect(head.status).toBe(400);
    expect(head.text).toBe('');
    expect((await health(0, '?whatever=abc')).status).toBe(200);
  });

  it('HEAD: same status, no body, JSON content type', async () => {
    const heads = await Promise.all([0, 1, 3, 4, 5].map((i) => health(i, '', 'HEAD')));
    expect(heads.map((r) => r.status)).toEqual([200, 429, 503, 501, 530]);
    for (const r of heads) {
      expect(r.text).toBe('');
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('other methods → 405 {"errors":[]}', async () => {
    const res = await call(url(cluster, 0), 'POST', 'sys/health');
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ errors: [] });
  });
});

describe('health on Vault 1.16 and 1.14', () => {
  const v116 = useCluster({ profile: 'vault-1.16', nodes: 2 });
  const v114 = useCluster({ profile: 'vault-1.14', nodes: 2 });

  it('1.16 adds enterprise/echo/clock/canary; no 1.19 removal fields; standby canary filled', async () => {
    const active = body(await call(url(v116(), 0), 'GET', 'sys/health'));
    expect(active).toMatchObject({ enterprise: false, echo_duration_ms: 0, clock_skew_ms: 0, replication_primary_canary_age_ms: 0 });
    expect(active).not.toHaveProperty('removed_from_cluster');
    const standby = body(await call(url(v116(), 1), 'GET', 'sys/health'));
    expect(standby['replication_primary_canary_age_ms']).toBeGreaterThan(0);
    expect(standby).not.toHaveProperty('ha_connection_healthy');
  });

  it('1.14 has none of the 1.16+ fields', async () => {
    const b = body(await call(url(v114(), 0), 'GET', 'sys/health'));
    for (const key of ['enterprise', 'echo_duration_ms', 'clock_skew_ms', 'replication_primary_canary_age_ms', 'removed_from_cluster']) {
      expect(b).not.toHaveProperty(key);
    }
    expect(b).toHaveProperty('performance_standby', false);
  });

  it('before 1.19 removedcode/haunhealthycode are unknown parameters (ignored even when malformed)', async () => {
    expect((await call(url(v116(), 1), 'GET', 'sys/health?removedcode=abc&haunhealthycode=x')).status).toBe(429);
  });
});

describe('health on OpenBao 2.6', () => {
  const bao = useCluster({ profile: 'openbao-2.6', nodes: 2 });

  it('trimmed body: no performance_standby, enterprise or removal fields', async () => {
    const b = body(await call(url(bao(), 0), 'GET', 'sys/health'));
    for (const key of ['performance_standby', 'enterprise', 'removed_from_cluster', 'echo_duration_ms']) expect(b).not.toHaveProperty(key);
    expect(b).toMatchObject({ initialized: true, sealed: false, standby: false });
  });

  it('honours only standbyok/activecode/standbycode/sealedcode/uninitcode', async () => {
    const standby = url(bao(), 1);
    expect((await call(standby, 'GET', 'sys/health?standbycode=288')).status).toBe(288);
    expect((await call(standby, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    // Not honoured, so neither applied nor validated.
    expect((await call(standby, 'GET', 'sys/health?perfstandbyok=garbage&removedcode=abc&haunhealthycode=1&drsecondarycode=x')).status).toBe(429);
  });
});
