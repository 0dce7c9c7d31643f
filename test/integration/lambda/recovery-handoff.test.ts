import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDynamoDbStateStore, ensureStateTable } from '../../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../shared/adapters/embedded-dynamo.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { signWebhook } from '../../../shared/core/standard-webhooks.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';
import { alarmEvent, httpApiEvent, recoverEvent, scheduledEvent, sqsEvent } from '../../support/lambda-events.ts';
import { invoke, invokeClean } from '../../support/lambda-harness.ts';
import { startSqsWire, type SqsWire } from '../../support/sqs-wire-server.ts';

const WEBHOOK_KEY = randomBytes(32);
const TABLE = 'sealwatch-handoff';
// biome-ignore lint/suspicious/noExplicitAny: Lambda handlers of every event type, called as the runtime calls them
type Fn = (event: any, context: any) => Promise<any>;

// Every handler of the stack (api, sweep, worker, events) invoked as Lambda invokes it, with
// AWS's event shapes, over DynamoDB (dynalite), SQS (a wire server) and a simulated Vault
// cluster whose shares are in custody. After each invocation the harness checks that nothing
// the invocation started is still pending: work is either finished or on the queue.
describe('recovery hand-off through the Lambda handlers', () => {
  let dynamo: EmbeddedDynamo;
  let sim: SimulatedCluster;
  let sqs: SqsWire;
  let dir: string;
  let client: DynamoDBClient;
  let store: StateStore;
  let api: Fn;
  let worker: Fn;
  let events: Fn;
  let sweep: Fn;

  const apiInvoke = (event: object) => invokeClean(api, event, { functionName: 'sealwatch-dev-api', timeoutMs: 29_000 });
  const workerInvoke = (event: object) => invokeClean(worker, event, { functionName: 'sealwatch-dev-worker', timeoutMs: 60_000 });

  function signedHook(body: string, id: string) {
    const ts = Math.floor(Date.now() / 1000);
    return httpApiEvent({
      method: 'POST',
      path: '/v1/hooks/generic',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(WEBHOOK_KEY, id, ts, body),
      },
      body,
    });
  }
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answer; each test reads the fields it asserts
  const json = (response: { body: string }) => JSON.parse(response.body) as Record<string, any>;

  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo({ inMemory: true });
    sim = await startSimulatedCluster({ nodes: 3 });
    sqs = await startSqsWire();
    dir = mkdtempSync(join(tmpdir(), 'sealwatch-handoff-'));
    const localKey = randomBytes(32);
    writeFileSync(join(dir, 'ca.pem'), sim.caPem ?? '');
    writeFileSync(
      join(dir, 'sealwatch.yaml'),
      [
        'state:',
        `  dynamodb: { table: "\${env:SEALWATCH_STATE_TABLE}", region: eu-west-1, endpoint: "${dynamo.endpoint}" }`,
        'wrappers:',
        '  - id: local-1',
        '    local: { key: "${env:SEALWATCH_TEST_LOCAL_KEY}" }',
        'api:',
        '  webhooks: { secret: "${env:SEALWATCH_TEST_WEBHOOK_SECRET}" }',
        // A short request deadline, so a slow unseal outlasts the budget within the test.
        '  limits: { timeout: 3s }',
        'clusters:',
        '  - id: prod',
        '    autoUnseal: false',
        '    tls: { caFile: ./ca.pem }',
        '    custody: { default: local-1 }',
        '    nodes:',
        ...sim.nodes.map((n) => `      - { id: ${n.id}, url: "${n.url}" }`),
      ].join('\n'),
    );
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await ensureStateTable(client, TABLE);
    store = createDynamoDbStateStore({ client, table: TABLE, clock: systemClock });
    await putCustody({
      store,
      clusterId: 'prod',
      shares: sim.init?.keys ?? [],
      threshold: 3,
      wrapperFor: createLocalKeyWrapper({ id: 'local-1', key: localKey }),
    });
    vi.stubEnv('SEALWATCH_CONFIG', join(dir, 'sealwatch.yaml'));
    vi.stubEnv('SEALWATCH_STATE_TABLE', TABLE);
    vi.stubEnv('SEALWATCH_LOG_LEVEL', 'silent');
    vi.stubEnv('SEALWATCH_WORK_QUEUE_URL', sqs.url);
    vi.stubEnv('SEALWATCH_TEST_LOCAL_KEY', localKey.toString('hex'));
    vi.stubEnv('SEALWATCH_TEST_WEBHOOK_SECRET', `whsec_${WEBHOOK_KEY.toString('base64')}`);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    // The SDK notes once that the queue URL's host differs from the regional endpoint.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    ({ handler: api } = await import('../../../functions/api/handler.ts'));
    ({ handler: worker } = await import('../../../functions/worker/handler.ts'));
    ({ handler: events } = await import('../../../functions/events/handler.ts'));
    ({ handler: sweep } = await import('../../../functions/sweep/handler.ts'));
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    client?.destroy();
    await sqs?.close();
    await sim?.close();
    await dynamo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hook past its budget answers 202 with a recovery id; the worker finishes it; GET shows the result; a resend gets the same answer', async () => {
    const node = sim.nodes[1];
    if (!node) throw new Error('no node');
    node.seal();
    // The node accepts connections and never answers: the unseal cannot fit the hook's budget
    // (80 % of the 2.5 s left before the 3 s deadline) and is aborted before any share is sent.
    node.setFaults({ hang: true });
    const body = JSON.stringify({ cluster: 'prod', node: node.id, action: 'unseal' });
    const delivery = signedHook(body, 'msg_handoff_1');
    const started = Date.now();
    const first = await apiInvoke(delivery);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(first.statusCode).toBe(202);
    const accepted = json(first);
    expect(accepted).toMatchObject({ status: 'accepted', recoveryId: expect.stringMatching(/^rcv-\d{8}T\d{6}Z-[0-9a-f]{8}$/), results: [] });
    expect(sqs.bodies.map((b) => JSON.parse(b))).toEqual([{ kind: 'recovery', recoveryId: accepted.recoveryId, queuedAt: expect.any(String) }]);

    // The worker gets the message as the SQS event source delivers it.
    node.setFaults({});
    const out = await workerInvoke(sqsEvent(sqs.bodies));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(node.state().sealed).toBe(false);

    const key = await apiKey('read');
    const shown = await apiInvoke(
      httpApiEvent({
        method: 'GET',
        path: `/v1/recoveries/${accepted.recoveryId}`,
        routeKey: 'GET /v1/recoveries/{id}',
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    expect(shown.statusCode).toBe(200);
    expect(json(shown)).toMatchObject({
      id: accepted.recoveryId,
      status: 'done',
      trigger: 'webhook',
      attempts: 1,
      requests: [{ clusterId: 'prod', action: 'unseal', nodeIds: [node.id] }],
      results: [{ cluster: 'prod', action: 'unseal', unseal: { ok: true, nodes: [{ node: node.id, outcome: 'unsealed' }] } }],
    });

    // The sender did not see the 202 and sends the same delivery again: same answer, no new work.
    const resent = await apiInvoke(signedHook(body, 'msg_handoff_1'));
    expect([resent.statusCode, json(resent)]).toEqual([202, accepted]);
    expect(resent.headers['idempotent-replayed']).toBe('true');
    expect(sqs.bodies).toHaveLength(1);
    // And a duplicate SQS delivery of the finished recovery changes nothing.
    expect(await workerInvoke(sqsEvent(sqs.bodies, 2))).toEqual({ batchItemFailures: [] });
    expect((await store.query({ pk: 'RECOVERY' })).items).toHaveLength(1);
  }, 60_000);

  it("a failed handler (the queue refuses the hand-off) leaves no claim behind, so the sender's retry runs", async () => {
    const node = sim.nodes[2];
    if (!node) throw new Error('no node');
    node.seal();
    node.setFaults({ hang: true });
    sqs.refuse = { type: 'OverLimit', status: 400 };
    const body = JSON.stringify({ cluster: 'prod', node: node.id, action: 'unseal' });
    const failed = await apiInvoke(signedHook(body, 'msg_handoff_2'));
    expect(failed.statusCode).toBe(503);
    expect(json(failed).error.code).toMatch(/throttled|unavailable/);

    sqs.refuse = undefined;
    const sent = sqs.bodies.length;
    const retried = await apiInvoke(signedHook(body, 'msg_handoff_2'));
    expect(retried.statusCode).toBe(202);
    expect(sqs.bodies).toHaveLength(sent + 1);
    node.setFaults({});
    expect(await workerInvoke(sqsEvent(sqs.bodies.slice(sent)))).toEqual({ batchItemFailures: [] });
    expect(node.state().sealed).toBe(false);
    // The failed attempt's record says so; the retry's record is done.
    const records = (await store.query<{ status: string; lastError?: { code: string } }>({ pk: 'RECOVERY' })).items.map((i) => i.data);
    expect(records.filter((r) => r.status === 'failed').map((r) => r.lastError?.code)).toEqual(['handoff_failed']);
    expect(records.filter((r) => r.status === 'done')).toHaveLength(2);
  }, 60_000);

  it('the events function follows the same rule: an alarm past its budget goes to the worker, a redelivery is answered once', async () => {
    const node = sim.nodes[0];
    if (!node) throw new Error('no node');
    node.seal();
    node.setFaults({ hang: true });
    const alarm = alarmEvent(`sealwatch/prod/${node.id}`);
    const sent = sqs.bodies.length;
    // A 3 s invocation: the recovery cannot finish inside it.
    const first = await invokeClean(events, alarm, { functionName: 'sealwatch-dev-events', timeoutMs: 3_000 });
    expect(first).toMatchObject({ status: 'accepted', recoveryId: expect.stringMatching(/^rcv-/) });
    expect(sqs.bodies).toHaveLength(sent + 1);
    const again = await invokeClean(events, alarm, { functionName: 'sealwatch-dev-events', timeoutMs: 3_000 });
    expect(again).toEqual(first);
    expect(sqs.bodies).toHaveLength(sent + 1);
    node.setFaults({});
    expect(await workerInvoke(sqsEvent(sqs.bodies.slice(sent)))).toEqual({ batchItemFailures: [] });
    expect(node.state().sealed).toBe(false);

    // A quick custom event finishes inside the invocation.
    const done = await invokeClean(events, recoverEvent({ cluster: 'prod', action: 'sweep' }), { functionName: 'sealwatch-dev-events', timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'done', results: [{ cluster: 'prod', action: 'sweep' }] });
  }, 60_000);

  it('the scheduled sweep and the liveness/readiness probes leave nothing pending either', async () => {
    const report = await invokeClean(sweep, scheduledEvent(), { functionName: 'sealwatch-dev-sweep', timeoutMs: 60_000 });
    expect(report).toMatchObject({ mode: 'single', totals: { clusters: 1, nodes: 3 } });
    const live = await apiInvoke(httpApiEvent({ method: 'GET', path: '/healthz' }));
    expect([live.statusCode, json(live).ok]).toEqual([200, true]);
    const ready = await apiInvoke(httpApiEvent({ method: 'GET', path: '/readyz' }));
    expect([ready.statusCode, json(ready)]).toEqual([200, { ok: true, version: expect.any(String), checks: { config: 'ok', stateStore: 'ok' } }]);
  }, 60_000);

  it("an unseal cut mid-attempt leaves Vault progress: the worker recognises the dead operation's attempt, resets it and unseals", async () => {
    const node = sim.nodes[1];
    if (!node) throw new Error('no node');
    node.seal();
    // Slow answers: the request's attempt gets a share in before the budget runs out.
    node.setFaults({ latencyMs: 700 });
    const sent = sqs.bodies.length;
    const first = await apiInvoke(signedHook(JSON.stringify({ cluster: 'prod', node: node.id, action: 'unseal' }), 'msg_handoff_3'));
    expect(first.statusCode).toBe(202);
    node.setFaults({});
    // Vault holds the aborted attempt's progress; that attempt was recorded with its (now gone)
    // operation before its first share, so the worker resets it at once instead of waiting it out.
    expect(node.state().progress).toBeGreaterThan(0);
    const out = await workerInvoke(sqsEvent(sqs.bodies.slice(sent)));
    expect(out.batchItemFailures).toEqual([]);
    expect(node.state()).toMatchObject({ sealed: false });
    expect(node.requestLog.some((e) => e.path === '/v1/sys/unseal' && /"reset"\s*:\s*true/.test(e.body))).toBe(true);
    const record = json(
      await apiInvoke(
        httpApiEvent({ method: 'GET', path: `/v1/recoveries/${json(first).recoveryId}`, headers: { authorization: `Bearer ${await apiKey('read')}` } }),
      ),
    );
    expect(record).toMatchObject({ status: 'done', attempts: 1 });
  }, 60_000);

  it('drops queue messages that can never succeed (unknown recovery, malformed body) instead of retrying them', async () => {
    const run = await invoke(
      worker,
      sqsEvent(['{"kind":"recovery","recoveryId":"rcv-20260101T000000Z-00000000","queuedAt":"2026-01-01T00:00:00Z"}', 'not json']),
      { functionName: 'sealwatch-dev-worker', timeoutMs: 60_000 },
    );
    expect(run.pending).toEqual([]);
    expect(run.result).toEqual({ batchItemFailures: [] });
  }, 60_000);

  async function apiKey(scope: 'read' | 'operate'): Promise<string> {
    const { createApiKeyService } = await import('../../../shared/app/api-keys.ts');
    return (await createApiKeyService({ store, clock: systemClock }).create({ name: `harness-${scope}`, scopes: [scope] })).key;
  }
});
