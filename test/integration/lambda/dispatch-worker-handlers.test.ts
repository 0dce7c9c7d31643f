import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureStateTable } from '../../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../shared/adapters/embedded-dynamo.ts';
import { startSimulatedFleet, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { scheduledEvent, sqsEvent } from '../../support/lambda-events.ts';
import { invokeClean } from '../../support/lambda-harness.ts';

/** An SQS endpoint speaking the JSON protocol's SendMessageBatch, recording what it accepted. */
async function startSqsWire(): Promise<{ server: Server; url: string; bodies: string[]; requests: number }> {
  const state = { bodies: [] as string[], requests: 0 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      state.requests += 1;
      const target = String(req.headers['x-amz-target'] ?? '');
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target !== 'AmazonSQS.SendMessageBatch') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: target }));
        return;
      }
      const input = JSON.parse(raw) as { Entries: { Id: string; MessageBody: string }[] };
      state.bodies.push(...input.Entries.map((e) => e.MessageBody));
      res.end(
        JSON.stringify({
          Successful: input.Entries.map((e, i) => ({
            Id: e.Id,
            MessageId: `m-${state.bodies.length}-${i}`,
            MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
          })),
          Failed: [],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, url: `http://127.0.0.1:${port}/111122223333/sealwatch-test-work` });
}

// The scheduled `sweep` Lambda (functions/dispatch) and the `worker` Lambda as AWS runs them:
// config from SEALWATCH_CONFIG, state in DynamoDB (dynalite), work through the real SQS client.
describe('functions/dispatch and functions/worker handlers', () => {
  let dynamo: EmbeddedDynamo;
  let fleet: SimulatedCluster[];
  let sqs: Awaited<ReturnType<typeof startSqsWire>>;
  let dir: string;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo({ inMemory: true });
    fleet = await startSimulatedFleet({ clusters: 3, nodesPerCluster: 2, tls: false });
    sqs = await startSqsWire();
    dir = mkdtempSync(join(tmpdir(), 'sealwatch-fanout-lambda-'));
    writeFileSync(
      join(dir, 'sealwatch.yaml'),
      [
        'state:',
        '  dynamodb: { table: "${env:SEALWATCH_STATE_TABLE}", region: eu-west-1, endpoint: "' + dynamo.endpoint + '" }',
        'scaleOut: { clusterThreshold: 2 }',
        'clusters:',
        ...fleet.flatMap((c, i) => [`  - id: c${i}`, '    nodes:', ...c.nodes.map((n) => `      - { id: ${n.id}, url: "${n.url}", insecureHttp: true }`)]),
      ].join('\n'),
    );
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await ensureStateTable(client, 'sealwatch-fanout');
    vi.stubEnv('SEALWATCH_CONFIG', join(dir, 'sealwatch.yaml'));
    vi.stubEnv('SEALWATCH_STATE_TABLE', 'sealwatch-fanout');
    vi.stubEnv('SEALWATCH_LOG_LEVEL', 'silent');
    vi.stubEnv('SEALWATCH_WORK_QUEUE_URL', sqs.url);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    client?.destroy();
    await new Promise((resolve) => sqs?.server.close(resolve));
    await Promise.all((fleet ?? []).map((c) => c.close()));
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dispatches one message per cluster past the threshold; the worker sweeps each into the table', async () => {
    // The SDK notes once that the queue URL's host differs from the regional endpoint.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dispatch = await import('../../../functions/sweep/handler.ts');
    // The scheduled event as EventBridge delivers it; nothing may be left running after it returns.
    const result = await invokeClean(dispatch.handler, scheduledEvent(), { functionName: 'sealwatch-dev-sweep', timeoutMs: 60_000 });
    warn.mockRestore();
    expect(result).toMatchObject({ mode: 'fan-out', clusters: 3 });
    const messages = sqs.bodies.map((b) => JSON.parse(b) as { clusterId: string; dispatchId: string; kind: string });
    expect(messages.map((m) => m.clusterId).sort()).toEqual(['c0', 'c1', 'c2']);
    expect(new Set(messages.map((m) => m.dispatchId)).size).toBe(1);
    // Dispatching swept nothing itself.
    const before = (await client.send(new ScanCommand({ TableName: 'sealwatch-fanout' }))).Items ?? [];
    const isRecord = (i: (typeof before)[number]) => i.pk?.S === 'CLUSTERS' && i.sk?.S?.startsWith('CLUSTER#') === true;
    expect(before.filter(isRecord)).toEqual([]);

    const worker = await import('../../../functions/worker/handler.ts');
    const out = await invokeClean(worker.handler, sqsEvent(sqs.bodies), { functionName: 'sealwatch-dev-worker', timeoutMs: 60_000 });
    expect(out).toEqual({ batchItemFailures: [] });
    const items = (await client.send(new ScanCommand({ TableName: 'sealwatch-fanout' }))).Items ?? [];
    expect(
      items
        .filter(isRecord)
        .map((i) => i.sk?.S)
        .sort(),
    ).toEqual(['CLUSTER#c0', 'CLUSTER#c1', 'CLUSTER#c2']);
  }, 60_000);

  it('the dispatch handler sweeps named clusters in-process when invoked with clusterIds', async () => {
    const dispatch = await import('../../../functions/sweep/handler.ts');
    const sent = sqs.bodies.length;
    const result = await dispatch.handler({ clusterIds: ['c1'] });
    expect(result).toMatchObject({ mode: 'single', totals: { clusters: 1, nodes: 2 } });
    expect(sqs.bodies.length).toBe(sent);
  }, 60_000);
});
