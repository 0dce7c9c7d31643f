import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events/handler.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { Secret } from '../../shared/config/secret.ts';
import { UnavailableError } from '../../shared/errors.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { putCustody } from '../support/custody-fixture.ts';

// The events Lambda over the real runtime: EventBridge events become targeted recoveries of
// simulated clusters with shares in custody.
describe('functions/events handler', () => {
  let sim: SimulatedCluster;
  let runtime: Runtime;
  let handler: ReturnType<typeof createEventsHandler>;

  beforeAll(async () => {
    sim = await startSimulatedCluster({ nodes: 3 });
    const key = randomBytes(32);
    const store = createMemoryStateStore({ clock: systemClock });
    runtime = await createRuntime({
      config: {
        state: { kind: 'embedded', embedded: { path: '/unused' } },
        sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
        wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
        clusters: [{ id: 'prod', name: 'Prod', nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })), tls: { caPem: sim.caPem ?? '' }, autoUnseal: false }],
      },
      clock: systemClock,
      logger: silentLogger,
      store,
    });
    await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
    handler = createEventsHandler(async () => runtime);
  });
  afterAll(async () => {
    await runtime?.close();
    await sim?.close();
  });

  it('a CloudWatch alarm sealwatch/prod/<node> in ALARM unseals that node and sweeps the cluster', async () => {
    const node = sim.nodes[1];
    node?.seal();
    const result = await handler({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: { alarmName: `sealwatch/prod/${node?.id}`, state: { value: 'ALARM' } },
    });
    expect(result).toMatchObject({ status: 'done', results: [{ cluster: 'prod', action: 'recover', unseal: { ok: true, nodes: [{ node: node?.id, outcome: 'unsealed' }] } }] });
    expect(node?.state().sealed).toBe(false);
    expect((await runtime.audit.list('prod'))[0]).toMatchObject({ trigger: 'eventbridge', node: node?.id });
  });

  it('an Auto Scaling launch with lifecycle metadata recovers the named node; sealwatch.recover sweeps', async () => {
    sim.nodes[0]?.seal();
    const launch = await handler({
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance-launch Lifecycle Action',
      detail: { EC2InstanceId: 'i-0123', AutoScalingGroupName: 'vault', NotificationMetadata: JSON.stringify({ cluster: 'prod', node: sim.nodes[0]?.id }) },
    });
    expect(launch).toMatchObject({ status: 'done', results: [{ unseal: { nodes: [{ node: sim.nodes[0]?.id, outcome: 'unsealed' }] } }] });
    const swept = await handler({ source: 'ops', 'detail-type': 'sealwatch.recover', detail: { cluster: 'prod', action: 'sweep' } });
    expect(swept).toMatchObject({ status: 'done', results: [{ action: 'sweep' }] });
    if (swept.status !== 'done') throw new Error('not done');
    expect(swept.results[0]?.unseal).toBeUndefined();
    expect(swept.results[0]?.sweep?.nodes.map((n) => n.state).filter((s) => s === 'sealed')).toEqual([]);
  });

  it('ignores events that name no configured cluster, and fails the invocation when recovery itself breaks', async () => {
    expect(await handler({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'other', state: { value: 'ALARM' } } })).toMatchObject({ status: 'ignored' });
    const broken = createEventsHandler(async () => ({
      clusters: runtime.clusters,
      logger: silentLogger,
      recovery: { run: async () => { throw new UnavailableError('state store unreachable'); } },
    }));
    await expect(broken({ 'detail-type': 'sealwatch.recover', detail: { cluster: 'prod' } })).rejects.toThrow(/state store unreachable/);
  });
});
