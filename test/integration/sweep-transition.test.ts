import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { observationsOf } from '../../shared/app/notify.ts';
import type { NodeReport } from '../../shared/app/sweep-types.ts';
import { Secret } from '../../shared/config/secret.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { putCustody } from '../support/custody-fixture.ts';

// A node sealed and unsealed by sealwatch within one sweep is a transition that happened:
// the sweep report, the API and the alerting layer all show `sealed → <state> by sealwatch`
// with when the seal was detected and when it was repaired.

let sim: SimulatedCluster;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 3 });
  const key = randomBytes(32);
  const store = createMemoryStateStore({ clock: systemClock });
  runtime = await createRuntime({
    config: {
      state: { kind: 'embedded', embedded: { path: '/unused' } },
      sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
      wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
      clusters: [{ id: 'prod', name: 'Prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })), tls: { caPem: sim.caPem ?? '' } }],
    },
    clock: systemClock,
    logger: silentLogger,
    store,
  });
  await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
  app = createApp(apiDepsFromRuntime(runtime, { version: 't', auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' }, serveMetrics: true }));
});

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
});

describe('a seal repaired within the sweep that saw it', () => {
  it('is a transition in the report, the API, the metrics and the alerting layer', async () => {
    const first = await runtime.sweep.run({ trigger: 'test' });
    const target = sim.nodes[2];
    if (!target) throw new Error('no node');
    const before = first.clusters[0]?.nodes.find((n) => n.id === target.id) as NodeReport;
    expect(before.state).toMatch(/^(active|standby)$/);

    target.seal();
    const report = await runtime.sweep.run({ trigger: 'test' });
    const node = report.clusters[0]?.nodes.find((n) => n.id === target.id) as NodeReport;
    expect(target.state().sealed).toBe(false);
    expect(node).toMatchObject({ state: before.state, previousState: 'sealed', transition: true, unsealedBy: 'sealwatch', passedThrough: { state: 'sealed' } });
    const detectedAt = Date.parse(node.passedThrough?.detectedAt ?? '');
    const repairedAt = Date.parse(node.passedThrough?.leftAt ?? '');
    expect(detectedAt).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
    expect(repairedAt).toBeGreaterThanOrEqual(detectedAt);
    // `since` is the repair time, not the time the node first became standby.
    expect(node.since).toBe(node.passedThrough?.leftAt);
    expect(Date.parse(node.since)).toBeGreaterThan(Date.parse(before.since));
    expect(report.totals).toMatchObject({ transitions: 1, unsealed: 1, repaired: 1 });

    // The API shows the last transition of the node from the recorded state.
    const detail = (await (await app.request('/v1/clusters/prod')).json()) as { nodes: Record<string, unknown>[] };
    expect(detail.nodes.find((n) => n.id === target.id)).toMatchObject({
      state: before.state,
      since: node.since,
      previousState: 'sealed',
      previousSince: node.passedThrough?.detectedAt,
      changedBy: 'sealwatch',
    });

    // The alerting layer: an informational event (no incident, no page) that tells the story.
    const observations = observationsOf(report);
    expect(observations.findings.filter((f) => f.node === target.id)).toEqual([]);
    expect(observations.events).toEqual([
      expect.objectContaining({
        id: 'node.unsealed',
        severity: 'info',
        node: target.id,
        evidence: expect.objectContaining({ previousState: 'sealed', detectedAt: node.passedThrough?.detectedAt, unsealedAt: node.since }),
      }),
    ]);
    expect(await runtime.alerting.incidents.list({ all: true })).toEqual([]);

    // The next sweep sees nothing new: no transition, and the recorded one stays.
    const third = await runtime.sweep.run({ trigger: 'test' });
    const again = third.clusters[0]?.nodes.find((n) => n.id === target.id) as NodeReport;
    expect(again).toMatchObject({ transition: false, since: node.since });
    expect(again.passedThrough).toBeUndefined();
    expect(third.totals).toMatchObject({ transitions: 0, repaired: 0 });
    expect(third.clusters[0]?.persisted).toBe(false);
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/^sealwatch_last_sweep_timestamp_seconds\{cluster="prod"\} \d{10}$/m);
  });
});
