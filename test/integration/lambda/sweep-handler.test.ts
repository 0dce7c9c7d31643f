import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureStateTable } from '../../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../shared/adapters/embedded-dynamo.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';

// The scheduled Lambda as AWS runs it: config file from SEALWATCH_CONFIG, state in DynamoDB
// (dynalite here, through the real SDK and the default credential chain from env variables).
describe('functions/sweep handler', () => {
  let dynamo: EmbeddedDynamo;
  let cluster: SimulatedCluster;
  let dir: string;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo({ inMemory: true });
    cluster = await startSimulatedCluster({ nodes: 3 });
    dir = mkdtempSync(join(tmpdir(), 'sealwatch-lambda-'));
    writeFileSync(join(dir, 'ca.pem'), cluster.caPem ?? '');
    writeFileSync(
      join(dir, 'sealwatch.yaml'),
      [
        'state:',
        '  dynamodb: { table: "${env:SEALWATCH_STATE_TABLE}", region: eu-west-1, endpoint: "' + dynamo.endpoint + '" }',
        'clusters:',
        '  - id: prod',
        '    tls: { caFile: ./ca.pem }',
        '    nodes:',
        ...cluster.nodes.map((n) => `      - { id: ${n.id}, url: "${n.url}" }`),
      ].join('\n'),
    );
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await ensureStateTable(client, 'sealwatch-test');
    vi.stubEnv('SEALWATCH_CONFIG', join(dir, 'sealwatch.yaml'));
    vi.stubEnv('SEALWATCH_STATE_TABLE', 'sealwatch-test');
    vi.stubEnv('SEALWATCH_LOG_LEVEL', 'silent');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    client.destroy();
    await cluster.close();
    await dynamo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sweeps, writes the cluster record to the table, and writes only the lease and its last-sweep heartbeat when nothing changed', async () => {
    const { handler: scheduled } = await import('../../../functions/sweep/handler.ts');
    // One cluster is far below scaleOut.clusterThreshold: the schedule sweeps in-process.
    const handler = async (event: object) => {
      const result = await scheduled(event);
      if (result.mode !== 'single') throw new Error(`expected an in-process sweep, got ${result.mode}`);
      return result;
    };
    const first = await handler({});
    expect(first.totals).toMatchObject({ clusters: 1, nodes: 3 });
    expect(first.totals.byState).toMatchObject({ active: 1, standby: 2 });
    const items = (await client.send(new ScanCommand({ TableName: 'sealwatch-test' }))).Items ?? [];
    // A table sealwatch did not create: the first sweep looked for records of the earlier layout
    // (`CLUSTER#prod` / `STATE`) and marked the move as done.
    expect(items.map((i) => `${i.pk?.S} ${i.sk?.S}`)).toEqual(expect.arrayContaining(['CLUSTERS CLUSTER#prod', 'CLUSTERS #layout', 'SWEPT sweep#0']));

    cluster.nodes[1]?.seal();
    const second = await handler({});
    expect(second.totals.transitions).toBe(1);
    const third = await handler({});
    expect(third.totals.transitions).toBe(0);
    // Lease taken and released, plus the cluster's last-sweep heartbeat; no record rewritten.
    expect(third.stateWrites).toBe(3);
  });
});
