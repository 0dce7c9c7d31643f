import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createSlackAlertChannel } from '../../../shared/adapters/slack-alert-channel.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { Secret } from '../../../shared/config/secret.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';
import { describeLeaks, scanForLeaks } from '../../support/leak-scan.ts';
import { startSinkServer, type SinkServer } from '../../support/sink-server.ts';

// The acceptance scenario: a node flapping sealed/unsealed on every sweep pages once, through the
// real Slack adapter into a recording sink; nothing the sink received carries key material.

const key = randomBytes(32);
let sim: SimulatedCluster;
let sink: SinkServer;
let store: StateStore;
let runtime: Runtime;

beforeAll(async () => {
  [sim, sink] = await Promise.all([startSimulatedCluster({ nodes: 3 }), startSinkServer()]);
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
    // Sweeps only detect; the test unseals between sweeps to make the node flap.
    clusters: [
      {
        id: 'prod',
        name: 'prod',
        autoUnseal: false,
        nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
        tls: { caPem: sim.caPem ?? '' },
      },
    ],
  };
  store = createMemoryStateStore({ clock: systemClock });
  const slack = createSlackAlertChannel({ id: 'slack', webhookUrl: new Secret(`${sink.url}/services/T000/B000/hooksecretpath`) });
  runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, store, alertChannels: [slack] });
  await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
});

afterAll(async () => {
  await runtime?.close();
  await store?.close();
  await sink?.close();
  await sim?.close();
});

describe('a flapping node', () => {
  it('opens one incident and sends one page over six flapping sweeps, then resolves once', async () => {
    const cluster = runtime.clusters[0];
    const node = sim.nodes[1];
    if (!cluster || !node) throw new Error('fixture');
    const sealedSeen: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      if (i % 2 === 0) node.seal();
      else expect((await runtime.unseal.unsealCluster({ cluster, trigger: 'test' })).ok).toBe(true);
      const report = await runtime.sweep.run({ trigger: 'test' });
      sealedSeen.push(report.clusters[0]?.nodes.find((n) => n.id === node.id)?.state === 'sealed');
    }
    expect(sealedSeen).toEqual([true, false, true, false, true, false]);

    const pages = sink.requests.map((r) => JSON.parse(r.body) as { text: string });
    expect(pages).toHaveLength(1);
    expect(pages[0]?.text).toContain(node.id);
    const [open] = await runtime.alerting.incidents.list();
    expect(open).toMatchObject({ dedupKey: `sealwatch:prod:${node.id}:node.sealed`, status: 'open', severity: 'critical' });
    expect(open?.deliveries).toMatchObject([{ channel: 'slack', kind: 'trigger', state: 'delivered', attempts: 1, lastStatus: 200 }]);

    // Healthy twice in a row (the last flapping sweep was the first): resolved, one message.
    await runtime.sweep.run({ trigger: 'test' });
    expect(sink.requests).toHaveLength(2);
    expect(sink.requests[1]?.body).toMatch(/resolved/i);
    expect(await runtime.alerting.incidents.list({ all: true })).toEqual([]);

    // Steady state: nothing changed, so the sweep writes only its lease (acquire + release) and
    // the cluster's last-sweep heartbeat; nothing for alerting.
    const steady = await runtime.sweep.run({ trigger: 'test' });
    expect(steady.stateWrites).toBe(3);
    expect(sink.requests).toHaveLength(2);
  });

  it('puts no share, key or root token in anything the sink received', () => {
    const secrets = [
      ...(sim.init?.keys ?? []).map((k, i) => ({ label: `share ${i + 1}`, value: Buffer.from(k, 'hex') })),
      ...(sim.init?.keys ?? []).map((k, i) => ({ label: `share ${i + 1} text`, value: k })),
      { label: 'wrapper key', value: key },
      ...(sim.rootToken ? [{ label: 'root token', value: sim.rootToken }] : []),
    ];
    const haystacks = sink.requests.map((r, i) => ({ source: `sink request ${i}`, text: `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}` }));
    expect(haystacks.length).toBeGreaterThan(0);
    const leaks = scanForLeaks(secrets, haystacks);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });
});
