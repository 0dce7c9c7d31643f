// Pins the Enterprise-only health rules (Vault `http/sys_health.go` getSysHealth @ v1.14.9; rule 5: DR secondary → 472,
// rule 6: performance standby → 473 unless perfstandbyok) on nodes given those roles.
import { beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, url, useCluster } from './http.ts';

describe('health of Vault Enterprise replication roles (1.16 profile)', () => {
  // vault-0 active, vault-1 performance standby, vault-2 DR secondary.
  const get = useCluster({ profile: 'vault-1.16', nodes: 3 });
  let cluster: SimulatedCluster;
  const health = (i: number, query = '') => call(url(cluster, i), 'GET', `sys/health${query}`);

  beforeAll(() => {
    cluster = get();
    cluster.makeActive('vault-0');
    cluster.nodes[1]?.setEnterpriseRole('perf-standby');
    cluster.nodes[2]?.setEnterpriseRole('dr-secondary');
  });

  it('default codes: 473 performance standby, 472 DR secondary', async () => {
    expect((await health(1)).status).toBe(473);
    expect((await health(2)).status).toBe(472);
  });

  it('perfstandbyok=true answers activecode; standbyok does not apply to a performance standby', async () => {
    expect((await health(1, '?perfstandbyok=true')).status).toBe(200);
    expect((await health(1, '?standbyok=true')).status).toBe(473);
    expect((await health(1, '?performancestandbycode=299')).status).toBe(299);
  });

  it('drsecondarycode overrides 472; perfstandbyok does not apply to a DR secondary', async () => {
    expect((await health(2, '?drsecondarycode=299')).status).toBe(299);
    expect((await health(2, '?perfstandbyok=true&standbyok=true')).status).toBe(472);
  });

  it('bodies: performance_standby, replication_dr_mode and enterprise say so', async () => {
    expect(body(await health(1))).toMatchObject({ standby: true, performance_standby: true, replication_dr_mode: 'disabled', enterprise: true });
    expect(body(await health(2))).toMatchObject({ performance_standby: false, replication_dr_mode: 'secondary', enterprise: true });
    expect(body(await health(0))).toMatchObject({ performance_standby: false, replication_dr_mode: 'disabled', enterprise: false });
  });

  it('a sealed performance standby answers 503 like any sealed node', async () => {
    cluster.nodes[1]?.seal();
    expect((await health(1)).status).toBe(503);
    expect(body(await health(1))).toMatchObject({ sealed: true, performance_standby: false });
  });
});

describe('OpenBao has no Enterprise replication roles', () => {
  it('refuses them', async () => {
    const cluster = await startSimulatedCluster({ nodes: 1, profile: 'openbao-2.6', tls: false });
    try {
      expect(() => cluster.nodes[0]?.setEnterpriseRole('perf-standby')).toThrow(/openbao-2.6 has no Enterprise/);
    } finally {
      await cluster.close();
    }
  });
});
