import { afterEach, describe, expect, it } from 'vitest';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import type { UnsealNodeResult } from '../../shared/app/unseal-types.ts';
import { startImpostorNode, startSimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, unsealHarness } from '../support/custody-fixture.ts';

// A dry run prints the plan; the real run executes the same plan. On one scenario with every
// kind of node — sealed, unsealed, waiting for its retry after a rejection, unreachable through
// TLS — the dry run's actions equal what the real run then does, node by node.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const action = (n: UnsealNodeResult) => [n.nodeId, n.outcome === 'would-unseal' ? 'unsealed' : n.outcome, n.shareIndexes];

describe('one plan for the dry run and the real run', () => {
  it('the dry run names exactly the actions the real run performs', async () => {
    const [sim, impostor] = await Promise.all([startSimulatedCluster({ nodes: 4, unsealed: false }), startImpostorNode()]);
    open.push(sim, impostor);
    const [sealed, up, waiting, other] = sim.nodes;
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper] });
    open.push(h);
    await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
    // `up` is unsealed by hand; `waiting` rejected a threshold a moment ago (its retry is not due).
    await h.service.unsealNode({
      cluster: { id: 'prod', name: 'prod', nodes: [{ id: up!.id, url: up!.url }], tls: { caPem: sim.caPem! } },
      nodeId: up!.id,
      trigger: 'setup',
    });
    const now = new Date().toISOString();
    await createCustodyRepository(h.store).putGuard('prod', {
      generation: 1,
      nodeId: waiting!.id,
      rejections: 1,
      blocked: false,
      reason: 'rejected',
      status: 500,
      vaultError: 'x',
      shareIndexes: [1, 2, 3],
      wrappers: ['local-a'],
      firstAt: now,
      lastAt: now,
    });
    const cluster = {
      id: 'prod',
      name: 'prod',
      nodes: [...[sealed, up, waiting, other].map((n) => ({ id: n!.id, url: n!.url })), { id: 'imposter', url: impostor.url }],
      tls: { caPem: sim.caPem! },
    };

    const dry = await h.service.unsealCluster({ cluster, trigger: 'cli', dryRun: true });
    expect(sim.nodes.map((n) => keySubmissions(n).length)).toEqual([0, 3, 0, 0]);
    const real = await h.service.unsealCluster({ cluster, trigger: 'cli' });

    expect(dry.nodes.map(action)).toEqual(real.nodes.map(action));
    expect(real.nodes.map((n) => n.outcome)).toEqual(['unsealed', 'not-sealed', 'retry-later', 'unsealed', 'refused']);
    expect(dry.findings.map((f) => f.id).sort()).toEqual(real.findings.map((f) => f.id).sort());
    expect(keySubmissions(impostor)).toEqual([]);
  });
});
