import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createAlerting } from '../../shared/app/notify.ts';
import { createSweepService } from '../../shared/app/sweep.ts';
import type { AlertChannel, Notification } from '../../shared/ports/alert-channel.ts';
import { startSimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// A blocked node can never be unsealed by sealwatch, so its incident must not resolve while the
// block stands (blocked runs raise the standing finding again instead of nothing), and must
// resolve once the custody is replaced and the node unseals.

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

describe('the wrong-key incident', () => {
  it('stays open while the block stands, resolves after the right custody unseals the node', async () => {
    const config = { shares: 3, threshold: 2 };
    const [sim, other] = await Promise.all([
      startSimulatedCluster({ nodes: 1, unsealed: false, init: config }),
      startSimulatedCluster({ nodes: 1, unsealed: false, init: config }),
    ]);
    open.push(sim, other);
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper] });
    open.push(h);
    await putCustody({ store: h.store, clusterId: 'prod', shares: other.init?.keys ?? [], threshold: 2, wrapperFor: wrapper, generation: 1 });

    const sent: Notification[] = [];
    const channel: AlertChannel = { id: 'rec', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 200 }) };
    const alerting = createAlerting({
      store: h.store,
      clock: systemClock,
      logger: silentLogger,
      channels: [channel],
      clusters: ['prod'],
      alerts: { routes: [], openAfter: { critical: 1, warning: 1 }, resolveAfter: 2, remindEveryMs: 3_600_000, giveUpAfterMs: 86_400_000 },
    });
    const sweep = createSweepService({
      clusters: [sweepClusterOf(sim, 'prod')],
      vault: h.vault,
      store: h.store,
      leases: createLeaseManager({ store: h.store, clock: systemClock }),
      clock: systemClock,
      logger: silentLogger,
      concurrency: 4,
      nodeTimeoutMs: 2_000,
      autoUnseal: async () => true,
      execute: h.service.executor,
      beginAfterSweep: () => alerting.beginAfterSweep(),
    });
    const wrongKey = () => sent.filter((n) => n.findingId === 'unseal.wrong-key').map((n) => n.kind);

    for (let i = 0; i < 5; i++) await sweep.run();
    expect(keySubmissions(sim.nodes[0]!)).toHaveLength(2);
    expect(wrongKey()).toEqual(['trigger']);
    const incidents = await alerting.incidents.list();
    expect(incidents.find((e) => e.findingId === 'unseal.wrong-key')).toMatchObject({ status: 'open', severity: 'critical' });

    // The right shares (generation 2) lift the block; the node unseals; the incident resolves.
    await putCustody({ store: h.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 2, wrapperFor: wrapper, generation: 2 });
    for (let i = 0; i < 3; i++) await sweep.run();
    expect(sim.nodes[0]?.state().sealed).toBe(false);
    expect(wrongKey()).toEqual(['trigger', 'resolve']);
  });
});
