import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createApp } from '../../../shared/api/create-app.ts';
import { OPERATIONS } from '../../../shared/api/openapi/operations.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { signWebhook } from '../../../shared/core/standard-webhooks.ts';
import { UnavailableError } from '../../../shared/errors.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { apiDepsFromRuntime } from '../../../shared/runtime/api-deps.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';
import type { MemoryWorkQueue } from '../../../shared/adapters/memory-work-queue.ts';
import { wireRecoveryJobs } from '../../../shared/runtime/recovery-wiring.ts';
import { AM_TOKEN, apiConfig, RecordingRecovery, WEBHOOK_KEY } from './support.ts';

// The OpenAPI document against the real API: `redocly lint` (the users' tool) finds no problem
// in it, and every answer of every route — successes and refusals, produced by the app as
// `sealwatch serve` builds it over a simulated cluster — validates against the schema the
// document gives for that route, status and content type.

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document and answers are walked as untyped JSON
type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ORIGIN = 'http://127.0.0.1:8080';

let sim: SimulatedCluster;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let doc: Json;
const keys: Record<'read' | 'operate' | 'admin', string> = { read: '', operate: '', admin: '' };
/** `METHOD /template status` of every answer checked, to prove each operation was exercised. */
const checked = new Set<string>();

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 3 });
  const key = randomBytes(32);
  const store = createMemoryStateStore({ clock: systemClock });
  runtime = await createRuntime({
    config: {
      state: { kind: 'embedded', embedded: { path: '/unused' } },
      sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
      wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
      // Only the API's own requests may unseal here, never a sweep on its own.
      clusters: [
        {
          id: 'prod',
          name: 'Prod',
          nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
          tls: { caPem: sim.caPem ?? '' },
          autoUnseal: false,
        },
      ],
      api: apiConfig({ dashboard: { enabled: true } }),
    },
    clock: systemClock,
    logger: silentLogger,
    store,
  });
  await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
  app = createApp(apiDepsFromRuntime(runtime, { version: '1.2.3', auth: { mode: 'api-keys' }, serveMetrics: true }));
  for (const scope of ['read', 'operate', 'admin'] as const) keys[scope] = (await runtime.apiKeys.create({ name: `contract-${scope}`, scopes: [scope] })).key;
  doc = (await (await app.request(`${ORIGIN}/v1/openapi.json`)).json()) as Json;
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
});

function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (schema && typeof schema === 'object') {
    const ref = (schema as Json).$ref;
    if (typeof ref === 'string') return inline(doc.components.schemas[ref.replace('#/components/schemas/', '')]);
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
  }
  return schema;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** Asserts `res` is an answer the document describes for `method template`, and returns its body. */
// biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON, checked against the schema
async function conforms(res: Response, method: string, template: string): Promise<{ status: number; text: string; json: any }> {
  const operation = doc.paths[template]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const described = operation.responses[String(res.status)];
  expect(described, `${method} ${template} documents status ${res.status}`).toBeDefined();
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const media = Object.entries(described.content ?? {}).find(([t]) => t.split(';')[0]?.trim() === type);
  expect(media, `${method} ${template} ${res.status} documents content type ${type}`).toBeDefined();
  const text = await res.text();
  let json: unknown = null;
  if (type === 'application/json') {
    json = JSON.parse(text);
    const validate = ajv.compile(inline((media as [string, Json])[1].schema) as object);
    const ok = validate(json);
    expect(ok, `${method} ${template} ${res.status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 800)}`).toBe(true);
  }
  checked.add(`${method} ${template} ${res.status}`);
  return { status: res.status, text, json };
}

const auth = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });
const call = (method: string, path: string, key?: string, body?: string, headers: Record<string, string> = {}) =>
  app.request(`${ORIGIN}${path}`, { method, headers: key ? auth(key, headers) : headers, ...(body === undefined ? {} : { body }) });

describe('the OpenAPI document', () => {
  it('passes `redocly lint` (recommended rules) with no error and no warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealwatch-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['node_modules/@redocly/cli/bin/cli.js', 'lint', '--format=json', file],
          { timeout: 60_000, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
          (error, stdout, stderr) => {
            // Exit status 1 means problems were found: the JSON report says which.
            if (error && !stdout) reject(new Error(`redocly failed: ${error.message}\n${stderr}`));
            else resolve(stdout);
          },
        );
      });
      const report = JSON.parse(out.slice(out.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('describes exactly the routes the app registers, with an operationId each and the served origin', () => {
    const registered = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(Object.entries(doc.paths as Json).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`)));
    expect([...registered].sort()).toEqual([...documented].sort());
    const ids = OPERATIONS.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([{ url: ORIGIN, description: expect.any(String) }]);
    expect(doc.components.securitySchemes.apiKeyHeader).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }));
    expect(doc.paths['/v1/hooks/alertmanager'].post.responses['202']).toBeDefined();
    expect(Object.keys(doc.paths['/v1/clusters/{id}/recover'].post.responses)).toEqual(expect.arrayContaining(['400', '413', '429', '503']));
  });
});

describe('real answers of every route validate against the document', () => {
  it('service routes and the dashboard', async () => {
    expect((await conforms(await call('GET', '/healthz'), 'GET', '/healthz')).json).toEqual({ ok: true, version: '1.2.3' });
    expect((await conforms(await call('GET', '/healthz?verbose=1'), 'GET', '/healthz')).status).toBe(400);
    expect((await conforms(await call('GET', '/readyz'), 'GET', '/readyz')).json).toEqual({
      ok: true,
      version: '1.2.3',
      checks: { config: 'ok', stateStore: 'ok' },
    });
    expect((await conforms(await call('GET', '/v1/openapi.json'), 'GET', '/v1/openapi.json')).status).toBe(200);
    const metrics = await conforms(await call('GET', '/metrics'), 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    const basic = { authorization: `Basic ${Buffer.from(`viewer:${keys.read}`).toString('base64')}` };
    expect((await conforms(await app.request(`${ORIGIN}/`, { headers: basic }), 'GET', '/')).text).toContain('data-node=');
    expect((await conforms(await call('GET', '/'), 'GET', '/')).status).toBe(401);
  });

  it('a sealed node: clusters, recovery (strict input: no unseal on a misspelt dryRun), incidents and acknowledgement', async () => {
    const sealed = sim.nodes[1];
    if (!sealed) throw new Error('no node');
    await runtime.sweep.run({ trigger: 'test' });
    sealed.seal();
    await runtime.sweep.run({ trigger: 'test' });
    const list = await conforms(await call('GET', '/v1/clusters', keys.read), 'GET', '/v1/clusters');
    expect(list.json.clusters[0]).toMatchObject({ id: 'prod', stale: false, states: { sealed: 1 } });
    const one = await conforms(await call('GET', '/v1/clusters/prod', keys.read), 'GET', '/v1/clusters/{id}');
    expect(one.json.nodes.find((n: Json) => n.id === sealed.id)).toMatchObject({ state: 'sealed', previousState: expect.any(String) });
    expect((await conforms(await call('GET', '/v1/clusters/nope', keys.read), 'GET', '/v1/clusters/{id}')).status).toBe(404);
    expect((await conforms(await call('GET', '/v1/clusters'), 'GET', '/v1/clusters')).status).toBe(401);

    // Strict input: the misspelt field and the non-boolean query are refused by name, nothing is unsealed.
    sealed.requestLog.length = 0;
    const misspelt = await conforms(await call('POST', '/v1/clusters/prod/recover', keys.operate, '{"dryrun":true}'), 'POST', '/v1/clusters/{id}/recover');
    expect([misspelt.status, misspelt.json.error.code]).toEqual([400, 'invalid_input']);
    expect(misspelt.json.error.message).toContain('"dryrun"');
    const numeric = await conforms(await call('POST', '/v1/clusters/prod/recover?dryRun=1', keys.operate), 'POST', '/v1/clusters/{id}/recover');
    expect([numeric.status, numeric.json.error.message]).toEqual([400, expect.stringContaining('dryRun')]);
    const unknownQuery = await conforms(await call('POST', '/v1/clusters/prod/recover?dry-run=true', keys.operate), 'POST', '/v1/clusters/{id}/recover');
    expect([unknownQuery.status, unknownQuery.json.error.message]).toEqual([400, expect.stringContaining('"dry-run"')]);
    expect(sealed.requestLog.filter((r) => r.path.startsWith('/v1/sys/unseal'))).toEqual([]);
    expect(sealed.state().sealed).toBe(true);
    expect((await conforms(await call('POST', '/v1/clusters/prod/recover', keys.read, '{}'), 'POST', '/v1/clusters/{id}/recover')).status).toBe(403);
    const tooBig = await conforms(
      await call('POST', '/v1/clusters/prod/recover', keys.operate, JSON.stringify({ nodes: ['x'.repeat(300_000)] })),
      'POST',
      '/v1/clusters/{id}/recover',
    );
    expect(tooBig.status).toBe(413);

    const unknownNode = await conforms(
      await call('POST', '/v1/clusters/prod/recover', keys.operate, '{"nodes":["vault-9"]}'),
      'POST',
      '/v1/clusters/{id}/recover',
    );
    expect([unknownNode.status, unknownNode.json.error.message]).toEqual([400, expect.stringContaining('"vault-9"')]);

    // `autoUnseal: false` here: a whole-cluster recover plans no unseal (as `sealwatch recover`);
    // naming the node asks for its unseal whatever autoUnseal says.
    const dry = await conforms(
      await call('POST', '/v1/clusters/prod/recover?dryRun=true', keys.operate, JSON.stringify({ nodes: [sealed.id] })),
      'POST',
      '/v1/clusters/{id}/recover',
    );
    expect(dry.json.unseal.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ node: sealed.id, outcome: 'would-unseal' })]));
    expect(sealed.state().sealed).toBe(true);
    // Every recovery leaves a record, readable with the read scope.
    const record = await conforms(await call('GET', `/v1/recoveries/${dry.json.recoveryId}`, keys.read), 'GET', '/v1/recoveries/{id}');
    expect(record.json).toMatchObject({
      id: dry.json.recoveryId,
      status: 'done',
      trigger: 'api',
      requests: [{ clusterId: 'prod', action: 'recover', dryRun: true }],
      attempts: 0,
    });
    expect((await conforms(await call('GET', '/v1/recoveries/rcv-20261207T072700Z-0a1b2c3d', keys.read), 'GET', '/v1/recoveries/{id}')).status).toBe(404);
    const malformed = await conforms(await call('GET', '/v1/recoveries/..%2Fetc', keys.read), 'GET', '/v1/recoveries/{id}');
    expect([malformed.status, malformed.json.error.code]).toEqual([400, 'invalid_input']);
    expect((await conforms(await call('GET', `/v1/recoveries/${dry.json.recoveryId}`), 'GET', '/v1/recoveries/{id}')).status).toBe(401);
    expect((await conforms(await call('GET', `/v1/recoveries/${dry.json.recoveryId}?verbose=1`, keys.read), 'GET', '/v1/recoveries/{id}')).status).toBe(400);

    const incidents = await conforms(await call('GET', '/v1/incidents', keys.read), 'GET', '/v1/incidents');
    const incident = incidents.json.incidents.find((i: Json) => i.findingId === 'node.sealed');
    expect(incident).toMatchObject({ status: 'open', silencedBy: null });
    expect((await conforms(await call('GET', '/v1/incidents?status=closed', keys.read), 'GET', '/v1/incidents')).status).toBe(400);
    const path = `/v1/incidents/${encodeURIComponent(incident.dedupKey)}/ack`;
    const acked = await conforms(await call('POST', path, keys.operate, '{"comment":"on it"}'), 'POST', '/v1/incidents/{key}/ack');
    expect(acked.json.incident.acknowledged).toMatchObject({ by: expect.stringContaining('contract-operate'), comment: 'on it' });
    expect(
      (await conforms(await call('POST', '/v1/incidents/sealwatch:prod:-:node.removed/ack', keys.operate), 'POST', '/v1/incidents/{key}/ack')).status,
    ).toBe(404);
    expect((await conforms(await call('POST', '/v1/incidents/nonsense/ack', keys.operate), 'POST', '/v1/incidents/{key}/ack')).status).toBe(400);

    const recovered = await conforms(
      await call('POST', '/v1/clusters/prod/recover', keys.operate, JSON.stringify({ dryRun: false, nodes: [sealed.id] })),
      'POST',
      '/v1/clusters/{id}/recover',
    );
    expect(recovered.json.unseal.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ node: sealed.id, outcome: 'unsealed' })]));
    expect(sealed.state().sealed).toBe(false);
    expect((await conforms(await call('POST', '/v1/clusters/prod/sweep', keys.operate), 'POST', '/v1/clusters/{id}/sweep')).status).toBe(200);
  }, 30_000);

  it('silences: create, list, refuse unknown fields and findings, delete', async () => {
    const body = { cluster: 'prod', node: sim.nodes[0]?.id, finding: 'node.sealed', durationMinutes: 30, comment: 'CHG-42 patching' };
    const created = await conforms(await call('POST', '/v1/silences', keys.operate, JSON.stringify(body)), 'POST', '/v1/silences');
    expect(created.json.silence).toMatchObject({ comment: 'CHG-42 patching', createdBy: expect.stringContaining('contract-operate') });
    const withReason = await conforms(await call('POST', '/v1/silences', keys.operate, JSON.stringify({ ...body, reason: 'x' })), 'POST', '/v1/silences');
    expect(withReason.json.error.message).toContain('"reason"');
    expect(
      (await conforms(await call('POST', '/v1/silences', keys.operate, JSON.stringify({ ...body, finding: 'node.seald' })), 'POST', '/v1/silences')).status,
    ).toBe(400);
    expect((await conforms(await call('POST', '/v1/silences', keys.operate, '{'), 'POST', '/v1/silences')).json.error.code).toBe('invalid_json');
    expect(
      (await conforms(await call('POST', '/v1/silences', keys.operate, JSON.stringify({ ...body, cluster: 'nope' })), 'POST', '/v1/silences')).status,
    ).toBe(404);
    const listed = await conforms(await call('GET', '/v1/silences', keys.read), 'GET', '/v1/silences');
    expect(listed.json.silences.map((s: Json) => s.id)).toContain(created.json.silence.id);
    const removed = await conforms(await call('DELETE', `/v1/silences/${created.json.silence.id}`, keys.operate), 'DELETE', '/v1/silences/{id}');
    expect(removed.json.removed.id).toBe(created.json.silence.id);
    expect((await conforms(await call('DELETE', `/v1/silences/${created.json.silence.id}`, keys.operate), 'DELETE', '/v1/silences/{id}')).status).toBe(404);
    expect((await conforms(await call('DELETE', '/v1/silences/x', keys.operate), 'DELETE', '/v1/silences/{id}')).status).toBe(400);
    expect((await conforms(await call('DELETE', `/v1/silences/sil-00`, keys.read), 'DELETE', '/v1/silences/{id}')).status).toBe(403);
    const audit = await conforms(await call('GET', '/v1/audit?cluster=prod', keys.admin), 'GET', '/v1/audit');
    expect(audit.json.events.map((e: Json) => `${e.action} ${e.outcome}`)).toEqual(
      expect.arrayContaining(['silence silence-added', 'silence silence-removed', 'incident-ack acknowledged']),
    );
    expect((await conforms(await call('GET', '/v1/audit?cluster=prod', keys.read), 'GET', '/v1/audit')).status).toBe(403);
    expect((await conforms(await call('GET', '/v1/audit', keys.admin), 'GET', '/v1/audit')).status).toBe(400);
    expect((await conforms(await call('GET', '/v1/audit?cluster=nope', keys.admin), 'GET', '/v1/audit')).status).toBe(404);
  });

  it('hooks', async () => {
    const am = JSON.stringify({
      version: '4',
      groupKey: 'g',
      status: 'firing',
      receiver: 'sealwatch',
      externalURL: 'http://am',
      alerts: [{ status: 'firing', labels: { alertname: 'Other' }, startsAt: '2026-12-07T00:00:00Z', fingerprint: 'f1' }],
    });
    const hook = (token: string) => app.request(`${ORIGIN}/v1/hooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: am });
    expect((await conforms(await hook(AM_TOKEN), 'POST', '/v1/hooks/alertmanager')).json.status).toBe('ignored');
    expect((await conforms(await hook('wrong'), 'POST', '/v1/hooks/alertmanager')).status).toBe(401);

    const body = JSON.stringify({ cluster: 'prod', action: 'sweep' });
    const id = `msg_${randomBytes(4).toString('hex')}`;
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(WEBHOOK_KEY, id, ts, body),
    };
    const generic = () => app.request(`${ORIGIN}/v1/hooks/generic`, { method: 'POST', headers, body });
    const first = await conforms(await generic(), 'POST', '/v1/hooks/generic');
    expect(first.json).toMatchObject({ status: 'done', recoveryId: expect.stringMatching(/^rcv-/), results: [{ cluster: 'prod', action: 'sweep' }] });
    // The same delivery resent: the stored answer again, marked, and nothing done twice.
    const resent = await generic();
    expect(resent.headers.get('idempotent-replayed')).toBe('true');
    expect((await conforms(resent, 'POST', '/v1/hooks/generic')).json).toEqual(first.json);
    const otherBody = JSON.stringify({ cluster: 'prod', action: 'recover' });
    const reused = await app.request(`${ORIGIN}/v1/hooks/generic`, {
      method: 'POST',
      headers: { ...headers, 'webhook-signature': signWebhook(WEBHOOK_KEY, id, ts, otherBody) },
      body: otherBody,
    });
    expect((await conforms(reused, 'POST', '/v1/hooks/generic')).json.error.code).toBe('replayed');
    expect((await conforms(await app.request(`${ORIGIN}/v1/hooks/generic`, { method: 'POST', body }), 'POST', '/v1/hooks/generic')).status).toBe(401);
  });

  it('recoveries past the budget: 202 with a recovery id from the cluster routes and both hooks; the worker finishes them', async () => {
    const recovery = new RecordingRecovery();
    recovery.delayMs = 1_500;
    const { jobs, local } = wireRecoveryJobs({ recovery, store: runtime.store, clock: systemClock, logger: silentLogger });
    // A 2 s request deadline: the budget is 80 % of what is left before the answer is due.
    const api = apiConfig({ limits: { bodyBytes: 256 * 1024, requestsPerMinute: 10_000, timeoutMs: 2_000 } });
    const slow = createApp({ ...apiDepsFromRuntime(runtime, { version: '1.2.3', auth: { mode: 'api-keys' }, serveMetrics: false }), api, jobs });
    const post = (path: string, body?: string, headers: Record<string, string> = auth(keys.operate)) =>
      slow.request(`${ORIGIN}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
    const ids: string[] = [];
    for (const [path, template, body] of [
      ['/v1/clusters/prod/sweep', '/v1/clusters/{id}/sweep', undefined],
      ['/v1/clusters/prod/recover', '/v1/clusters/{id}/recover', '{"dryRun":true}'],
    ] as const) {
      const accepted = await conforms(await post(path, body), 'POST', template);
      expect([accepted.status, accepted.json]).toEqual([202, { status: 'accepted', recoveryId: expect.stringMatching(/^rcv-/), results: [] }]);
      ids.push(accepted.json.recoveryId);
    }
    const nodeId = sim.nodes[0]?.id ?? '';
    const am = JSON.stringify({
      version: '4',
      groupKey: 'slow',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'VaultSealed', vault_cluster: 'prod', instance: nodeId },
          startsAt: '2026-12-07T00:00:00Z',
          fingerprint: 'f9',
        },
      ],
    });
    const amAnswer = await conforms(await post('/v1/hooks/alertmanager', am, { authorization: `Bearer ${AM_TOKEN}` }), 'POST', '/v1/hooks/alertmanager');
    expect([amAnswer.status, amAnswer.json]).toEqual([
      202,
      { status: 'accepted', recoveryId: expect.any(String), results: [], alerts: 1, firing: 1, unmatched: 0 },
    ]);
    ids.push(amAnswer.json.recoveryId);
    const body = JSON.stringify({ cluster: 'prod', node: nodeId, action: 'unseal' });
    const id = `msg_${randomBytes(4).toString('hex')}`;
    const ts = Math.floor(Date.now() / 1000);
    const signed = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(WEBHOOK_KEY, id, ts, body) };
    const hookAnswer = await conforms(await post('/v1/hooks/generic', body, signed), 'POST', '/v1/hooks/generic');
    expect([hookAnswer.status, hookAnswer.json.status]).toEqual([202, 'accepted']);
    ids.push(hookAnswer.json.recoveryId);

    await (local as MemoryWorkQueue).drain();
    for (const recoveryId of ids) {
      const record = await conforms(await slow.request(`${ORIGIN}/v1/recoveries/${recoveryId}`, { headers: auth(keys.read) }), 'GET', '/v1/recoveries/{id}');
      expect(record.json).toMatchObject({ id: recoveryId, status: 'done', attempts: 1, results: [expect.objectContaining({ cluster: 'prod' })] });
    }
  }, 30_000);

  it('a recovery that fails on our side: the cluster route answers a fixed 5xx, the hook summary and the record a fixed text', async () => {
    const secretish = 'DynamoDB PutItem on table sealwatch-prod-state failed for RECOVERY rcv-x at https://dynamodb.eu-west-1.amazonaws.com';
    const recovery = new RecordingRecovery();
    const { jobs } = wireRecoveryJobs({ recovery, store: runtime.store, clock: systemClock, logger: silentLogger });
    const failing = createApp({ ...apiDepsFromRuntime(runtime, { version: '1.2.3', auth: { mode: 'api-keys' }, serveMetrics: false }), jobs });
    for (const [error, status, code] of [
      [new UnavailableError(secretish), 503, 'unavailable'],
      [new Error(`boom ${secretish}`), 500, 'internal'],
    ] as const) {
      recovery.failWith = error;
      const answer = await conforms(
        await failing.request(`${ORIGIN}/v1/clusters/prod/sweep`, { method: 'POST', headers: auth(keys.operate) }),
        'POST',
        '/v1/clusters/{id}/sweep',
      );
      expect([answer.status, answer.json.error.code]).toEqual([status, code]);
      expect(Object.keys(answer.json).sort()).toEqual(['error', 'requestId']);

      const body = JSON.stringify({ cluster: 'prod', action: 'sweep' });
      const id = `msg_${randomBytes(4).toString('hex')}`;
      const ts = Math.floor(Date.now() / 1000);
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(WEBHOOK_KEY, id, ts, body) };
      // Authenticated and valid: 200 with the failure in results (the sender should not retry into it).
      const hook = await conforms(await failing.request(`${ORIGIN}/v1/hooks/generic`, { method: 'POST', headers, body }), 'POST', '/v1/hooks/generic');
      expect(hook.json).toMatchObject({ status: 'done', results: [{ cluster: 'prod', error: { code: status === 503 ? 'unavailable' : 'internal' } }] });
      const record = await conforms(
        await failing.request(`${ORIGIN}/v1/recoveries/${hook.json.recoveryId}`, { headers: auth(keys.read) }),
        'GET',
        '/v1/recoveries/{id}',
      );
      expect(record.json.results[0].error.message).toBe(hook.json.results[0].error.message);
      for (const text of [answer.text, hook.text, record.text]) {
        for (const leak of ['sealwatch-prod-state', 'RECOVERY rcv', 'amazonaws', 'DynamoDB', 'boom']) expect(text).not.toContain(leak);
      }
    }
  });

  it('429 and the 5xx of a state-store outage: a code, a fixed message and the request id only', async () => {
    const limited = createApp({
      ...apiDepsFromRuntime(runtime, { version: 't', auth: { mode: 'api-keys' }, serveMetrics: false }),
      api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 1, timeoutMs: 5000 } }),
    });
    await limited.request(`${ORIGIN}/v1/clusters`, { headers: auth(keys.read) });
    const res = await limited.request(`${ORIGIN}/v1/clusters`, { headers: auth(keys.read) });
    expect([(await conforms(res, 'GET', '/v1/clusters')).status, res.headers.get('retry-after')]).toEqual([429, expect.stringMatching(/^\d+$/)]);

    const secretish = 'DynamoDB GetItem on table sealwatch-prod-state failed for CLUSTER#prod STATE at https://dynamodb.eu-west-1.amazonaws.com';
    const down: StateStore = {
      ...runtime.store,
      get: async () => {
        throw new UnavailableError(secretish);
      },
      getMany: async () => {
        throw new UnavailableError(secretish);
      },
    };
    const broken: StateStore = {
      ...runtime.store,
      getMany: async () => {
        throw new Error(`boom ${secretish}`);
      },
    };
    for (const [store, status, code] of [
      [down, 503, 'unavailable'],
      [broken, 500, 'internal'],
    ] as const) {
      const outage = createApp({
        clusters: runtime.clusters,
        store,
        logger: silentLogger,
        version: 't',
        clock: runtime.clock,
        auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
        audit: runtime.audit,
      });
      const answer = await conforms(await outage.request(`${ORIGIN}/v1/clusters`), 'GET', '/v1/clusters');
      expect([answer.status, answer.json.error.code]).toEqual([status, code]);
      expect(Object.keys(answer.json).sort()).toEqual(['error', 'requestId']);
      for (const leak of ['sealwatch-prod-state', 'CLUSTER#', 'amazonaws', 'DynamoDB', 'boom']) expect(answer.text).not.toContain(leak);
    }
    // Readiness says which check failed, and only that.
    const notReady = await conforms(
      await createApp({
        clusters: runtime.clusters,
        store: down,
        logger: silentLogger,
        version: 't',
        clock: runtime.clock,
        auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
        audit: runtime.audit,
      }).request(`${ORIGIN}/readyz`),
      'GET',
      '/readyz',
    );
    expect([notReady.status, notReady.json]).toEqual([503, { ok: false, version: 't', checks: { config: 'ok', stateStore: 'unavailable' } }]);
  });

  it('exercised a success of every documented operation', () => {
    for (const op of OPERATIONS) {
      const ok = [...checked].some((c) => c.startsWith(`${op.method.toUpperCase()} ${op.path} 2`));
      expect(ok, `${op.method.toUpperCase()} ${op.path} answered 2xx in these tests`).toBe(true);
    }
  });
});
