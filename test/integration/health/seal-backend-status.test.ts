import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import { createSealBackendInspector } from '../../../shared/app/inspectors/seal-backend-inspector.ts';
import { createLeaseManager } from '../../../shared/app/lease-manager.ts';
import { createSweepService } from '../../../shared/app/sweep.ts';
import { startSimulatedCluster, type SimulatedCluster, type VaultProfileName } from '../../../shared/simulator/index.ts';
import { sweepClusterOf } from '../../support/custody-fixture.ts';

// seal.backend-unhealthy from sys/seal-backend-status, through a real sweep over simulated
// clusters: asked only of unsealed auto-unseal nodes on versions that have the endpoint.

const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
const store = createMemoryStateStore({ clock: systemClock });
let sims: Record<string, SimulatedCluster>;

const setups: [string, VaultProfileName, 'awskms' | 'shamir'][] = [
  ['kms-119', 'vault-1.19', 'awskms'],
  ['kms-114', 'vault-1.14', 'awskms'],
  ['shamir-119', 'vault-1.19', 'shamir'],
  ['bao-26', 'openbao-2.6', 'awskms'],
];

beforeAll(async () => {
  const started = await Promise.all(setups.map(([, profile, sealType]) => startSimulatedCluster({ nodes: 3, profile, sealType, tls: false, unsealed: true })));
  sims = Object.fromEntries(setups.map(([id], i) => [id, started[i]!]));
});
afterAll(async () => {
  await vault.close();
  await store.close();
  await Promise.all(Object.values(sims ?? {}).map((s) => s.close()));
});

function sweep() {
  return createSweepService({
    clusters: setups.map(([id]) => sweepClusterOf(sims[id]!, id)),
    vault,
    store,
    leases: createLeaseManager({ store, clock: systemClock }),
    clock: systemClock,
    logger: silentLogger,
    concurrency: 16,
    nodeTimeoutMs: 3_000,
    inspectors: [createSealBackendInspector({ vault })],
  });
}

const backendRequests = (sim: SimulatedCluster) => sim.nodes.flatMap((n) => n.requestLog).filter((e) => e.path === '/v1/sys/seal-backend-status').length;

describe('seal-backend inspector', () => {
  it('reports each unsealed node whose KMS seal is unhealthy, and asks only where the endpoint can exist', async () => {
    const healthy = await sweep().run({ trigger: 'test' });
    for (const cluster of healthy.clusters) expect(cluster.findings ?? []).toEqual([]);
    expect(backendRequests(sims['kms-119']!)).toBe(3);
    expect(backendRequests(sims['kms-114']!)).toBe(0);
    expect(backendRequests(sims['shamir-119']!)).toBe(0);
    // OpenBao has no such endpoint: asked, 403 from the logical sys/ handler, nothing reported.
    expect(backendRequests(sims['bao-26']!)).toBe(3);

    for (const id of ['kms-119', 'kms-114', 'bao-26']) sims[id]!.setKmsAvailable(false);
    const report = await sweep().run({ trigger: 'test' });
    const byId = Object.fromEntries(report.clusters.map((c) => [c.id, c]));
    expect(byId['kms-119']!.nodes.every((n) => n.sealed === false)).toBe(true);
    const findings = byId['kms-119']!.findings ?? [];
    expect(findings.map((f) => `${f.id}:${f.severity}:${f.node}`).sort()).toEqual(
      sims['kms-119']!.nodes.map((n) => `seal.backend-unhealthy:critical:${n.id}`).sort(),
    );
    expect(findings[0]?.evidence['unhealthyBackends']).toEqual(['awskms']);
    expect(typeof findings[0]?.evidence['unhealthySince']).toBe('string');
    expect(byId['kms-114']!.findings ?? []).toEqual([]);
    expect(byId['bao-26']!.findings ?? []).toEqual([]);
  });
});
