import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import type { AlertChannel, Notification } from '../../../shared/ports/alert-channel.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';

// GET /metrics counts alert deliveries by channel and outcome, from real sweeps.
describe('alert delivery metrics', () => {
  let cluster: SimulatedCluster;
  let runtime: Runtime;
  const sent: Notification[] = [];
  const accepting: AlertChannel = { id: 'pager', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 202 }) };
  const refusing: AlertChannel = { id: 'chat', kind: 'slack', send: async () => ({ ok: false, retryable: false, status: 400, error: 'invalid_payload' }) };

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 3 });
    cluster.nodes[2]?.seal();
    runtime = await createRuntime({
      config: {
        state: { kind: 'embedded', embedded: { path: '/unused' } },
        sweep: { concurrency: 4, nodeTimeoutMs: 2000, intervalSeconds: 60 },
        wrappers: [],
        clusters: [
          { id: 'prod', name: 'prod', nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })), tls: { caPem: cluster.caPem ?? '' } },
        ],
      },
      clock: systemClock,
      logger: silentLogger,
      store: createMemoryStateStore({ clock: systemClock }),
      alertChannels: [accepting, refusing],
    });
  });
  afterAll(async () => {
    await runtime.close();
    await cluster.close();
  });

  it('counts each channel outcome of the page a sealed node causes', async () => {
    await runtime.sweep.run({ trigger: 'test' });
    expect(sent.map((n) => [n.kind, n.findingId, n.node])).toEqual([['trigger', 'node.sealed', 'vault-2']]);
    const text = runtime.metrics.render();
    expect(text).toContain('sealwatch_alert_deliveries_total{channel="pager",outcome="delivered"} 1');
    expect(text).toContain('sealwatch_alert_deliveries_total{channel="chat",outcome="failed"} 1');
  });
});
