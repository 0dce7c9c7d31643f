import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImpostorNode, startSimulatedCluster, type ImpostorNode, type SimulatedCluster } from '../../shared/simulator/index.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import { keySubmissions, putCustody, randomLocalWrapper, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';

// A node must prove it is the cluster's before it gets a share: its certificate must chain to
// the cluster CA, and its seal status must fit the custody (t, n, seal type). Every impostor
// here is sealed and would accept shares; none may receive one.

const wrapper = randomLocalWrapper('local-a');
let sim: SimulatedCluster;
let tlsImpostor: ImpostorNode;
let thresholdImpostor: ImpostorNode;
let sharesImpostor: ImpostorNode;
let autoImpostor: ImpostorNode;
let h: UnsealHarness;

beforeAll(async () => {
  [sim, tlsImpostor, thresholdImpostor, sharesImpostor, autoImpostor] = await Promise.all([
    startSimulatedCluster({ nodes: 1, unsealed: false }),
    startImpostorNode(),
    startImpostorNode({ init: { shares: 5, threshold: 2 } }),
    startImpostorNode({ init: { shares: 4, threshold: 3 } }),
    startImpostorNode({ sealType: 'awskms', profile: 'vault-1.19' }),
  ]);
  h = unsealHarness({ wrappers: [wrapper] });
  await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([sim, tlsImpostor, thresholdImpostor, sharesImpostor, autoImpostor].map((x) => x?.close()));
});

/** The cluster `prod` with one node at `url`, its CA pinned to `caPem`. */
function prodWith(url: string, caPem: string): SweepCluster {
  return { id: 'prod', name: 'prod', nodes: [{ id: 'vault-x', url }], tls: { caPem } };
}

describe('impostors never receive a share', () => {
  it('refuses a node whose certificate does not chain to the cluster CA', async () => {
    // Same API, sealed, 3-of-5 like the real cluster: only its certificate gives it away.
    const result = await h.service.unsealNode({ cluster: prodWith(tlsImpostor.url, sim.caPem ?? ''), nodeId: 'vault-x', trigger: 'test' });
    expect(result.outcome).toBe('refused');
    expect(result.findings.map((f) => f.id)).toEqual(['unseal.tls-refused']);
    expect(result.message).toMatch(/certificate/i);
    expect(keySubmissions(tlsImpostor)).toEqual([]);
    expect(tlsImpostor.requestLog.filter((e) => e.path === '/v1/sys/unseal')).toEqual([]);
    expect(tlsImpostor.state().sealed).toBe(true);
  });

  it.each([
    ['another threshold', () => thresholdImpostor, ['t']],
    ['another share count', () => sharesImpostor, ['n']],
    ['an auto-unseal seal', () => autoImpostor, ['recovery_seal', 'type']],
  ])('refuses a node reporting %s, naming the field', async (_what, impostor, fields) => {
    const node = impostor();
    // Its CA is pinned here, so TLS passes: the seal status is the only line of defence.
    const result = await h.service.unsealNode({ cluster: prodWith(node.url, node.caPem), nodeId: 'vault-x', trigger: 'test' });
    expect(result.outcome).toBe('custody-mismatch');
    expect(result.findings[0]?.evidence.fields).toEqual(fields);
    expect(keySubmissions(node)).toEqual([]);
    expect(node.state().sealed).toBe(true);
  });

  it('the genuine node is unsealed with the same custody', async () => {
    const genuine = sim.nodes[0];
    if (!genuine) throw new Error('no node');
    const result = await h.service.unsealNode({ cluster: prodWith(genuine.url, sim.caPem ?? ''), nodeId: 'vault-x', trigger: 'test' });
    expect(result.outcome).toBe('unsealed');
    expect(keySubmissions(genuine)).toHaveLength(3);
  });
});
