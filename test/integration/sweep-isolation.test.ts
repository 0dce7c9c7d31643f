import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createDynamoDbStateStore, ensureStateTable } from '../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../shared/adapters/embedded-dynamo.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createAlerting } from '../../shared/app/notify.ts';
import { createSweepService } from '../../shared/app/sweep.ts';
import type { AlertChannel, Notification } from '../../shared/ports/alert-channel.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { readHeartbeats } from '../../shared/app/sweep-heartbeat.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// One malformed state item must not stop anyone else's sweep or alerts: here the custody record
// of cluster `broken` is not JSON (written straight into the table, as a bad restore or a hand
// edit would). The other cluster is swept, unsealed and alerted as usual; `broken` gets a
// finding naming the item.

let dynamo: EmbeddedDynamo;
let raw: DynamoDBClient;
let store: StateStore;
let good: SimulatedCluster;
let bad: SimulatedCluster;
const TABLE = 'sealwatch';

beforeAll(async () => {
  [dynamo, good, bad] = await Promise.all([
    startEmbeddedDynamo({ inMemory: true }),
    startSimulatedCluster({ nodes: 2, unsealed: false }),
    startSimulatedCluster({ nodes: 1, unsealed: false }),
  ]);
  const clientOptions = { endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  raw = new DynamoDBClient(clientOptions);
  await ensureStateTable(raw, TABLE, { clock: systemClock });
  store = createDynamoDbStateStore({ client: new DynamoDBClient(clientOptions), table: TABLE, clock: systemClock });
}, 30_000);

afterAll(async () => {
  await store?.close();
  raw?.destroy();
  await Promise.all([dynamo?.close(), good?.close(), bad?.close()]);
});

describe('failure isolation', () => {
  it('a non-JSON custody item in one cluster: the other is swept, unsealed and alerted; the broken one has a finding naming the item', async () => {
    const wrapper = randomLocalWrapper('local-a');
    const h = unsealHarness({ wrappers: [wrapper], store });
    await putCustody({ store, clusterId: 'good', shares: good.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
    await putCustody({ store, clusterId: 'broken', shares: bad.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
    await raw.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'CLUSTER#broken' }, sk: { S: 'CUSTODY' }, v: { N: '2' }, data: { S: '{"kind":"unseal",' } } }),
    );

    const sent: Notification[] = [];
    const channel: AlertChannel = { id: 'rec', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 200 }) };
    const alerting = createAlerting({
      store,
      clock: systemClock,
      logger: silentLogger,
      channels: [channel],
      clusters: ['good', 'broken'],
      alerts: { routes: [], openAfter: { critical: 1, warning: 1 }, resolveAfter: 2, remindEveryMs: 3_600_000, giveUpAfterMs: 86_400_000 },
    });
    const custody = createCustodyRepository(store);
    const sweep = createSweepService({
      clusters: [sweepClusterOf(bad, 'broken'), sweepClusterOf(good, 'good')],
      vault: h.vault,
      store,
      leases: createLeaseManager({ store, clock: systemClock }),
      clock: systemClock,
      logger: silentLogger,
      concurrency: 4,
      nodeTimeoutMs: 2_000,
      autoUnseal: async (id) => (await custody.meta(id)) !== null,
      execute: h.service.executor,
      beginAfterSweep: () => alerting.beginAfterSweep(),
    });

    // The good cluster also has a node that is down: its alert must go out as usual.
    await good.kill(good.nodes[1]!.id);
    const report = await sweep.run();
    const byId = Object.fromEntries(report.clusters.map((c) => [c.id, c]));
    expect(byId['good']?.actions.map((a) => a.outcome)).toEqual(['unsealed']);
    expect(byId['good']?.nodes.map((n) => n.sealed)).toEqual([false, null]);
    expect(byId['good']?.nodes[1]?.state).toBe('unreachable');
    expect(good.nodes[0]?.state().sealed).toBe(false);
    expect(byId['broken']?.findings).toMatchObject([{ id: 'sealwatch.cluster-failed', severity: 'critical' }]);
    expect(byId['broken']?.findings?.[0]?.message).toContain('CLUSTER#broken CUSTODY');
    expect(byId['broken']?.nodes.map((n) => n.state)).toEqual(['sealed']);
    expect(keySubmissions(bad.nodes[0]!)).toEqual([]);
    // Both were looked at, so both have this sweep's heartbeat; the broken one's carries its failure.
    const [goodBeat, brokenBeat] = await readHeartbeats(store, ['good', 'broken']);
    expect(goodBeat?.at).toBe(brokenBeat?.at);
    expect(brokenBeat?.findings.map((f) => f.id)).toEqual(['sealwatch.cluster-failed']);
    // Alerting ran for both: the broken cluster's finding and the good cluster's down node.
    expect(sent.map((n) => `${n.cluster}:${n.findingId}`)).toEqual(expect.arrayContaining(['broken:sealwatch.cluster-failed', 'good:node.unreachable']));
    await h.close();
  });
});
