import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events/handler.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { PUBLIC_FAILURE_MESSAGES } from '../../shared/app/public-failure.ts';
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
        clusters: [
          {
            id: 'prod',
            name: 'Prod',
            nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
            tls: { caPem: sim.caPem ?? '' },
            autoUnseal: false,
          },
        ],
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
    expect(result).toMatchObject({
      status: 'done',
      results: [{ cluster: 'prod', action: 'recover', unseal: { ok: true, nodes: [{ node: node?.id, outcome: 'unsealed' }] } }],
    });
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
    const result = swept.results[0];
    if (!result || 'error' in result) throw new Error('the sweep failed');
    expect(result.unseal).toBeUndefined();
    expect(result.sweep?.nodes.map((n) => n.state).filter((s) => s === 'sealed')).toEqual([]);
  });

  it('ignores events that name no configured cluster, and fails the invocation when recovery itself breaks', async () => {
    expect(
      await handler({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'other', state: { value: 'ALARM' } } }),
    ).toMatchObject({ status: 'ignored' });
    let calls = 0;
    const deps = {
      clusters: runtime.clusters,
      logger: silentLogger,
      store: createMemoryStateStore({ clock: systemClock }),
      clock: systemClock,
      recovery: {
        run: async () => {
          calls += 1;
          throw new UnavailableError('state store unreachable');
        },
      },
    };
    const broken = createEventsHandler(async () => deps);
    const event = { id: 'evt-broken', 'detail-type': 'sealwatch.recover', detail: { cluster: 'prod' } };
    // The record keeps a fixed text (the error itself is logged with the recovery id).
    const failed = `recovery of prod failed: ${PUBLIC_FAILURE_MESSAGES.unavailable}`;
    await expect(broken(event)).rejects.toThrow(failed);
    // The failed attempt left no idempotency record: EventBridge's retry of the same event runs.
    await expect(broken(event)).rejects.toThrow(failed);
    expect(calls).toBe(2);
  });

  it('handles a redelivered event once: the same id gets the first answer and recovers nothing again', async () => {
    const event = { id: 'evt-dup', source: 'ops', 'detail-type': 'sealwatch.recover', detail: { cluster: 'prod', action: 'sweep' } };
    const records = async () => (await runtime.store.query({ pk: 'RECOVERY' })).items.length;
    const before = await records();
    const first = await handler(event);
    const again = await handler(event);
    expect(first).toMatchObject({ status: 'done', recoveryId: expect.stringMatching(/^rcv-/) });
    expect(again).toEqual(first);
    expect(await records()).toBe(before + 1);
  });
});
