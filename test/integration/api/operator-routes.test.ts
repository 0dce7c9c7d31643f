import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../shared/app/audit-log.ts';
import { createMetrics } from '../../../shared/app/metrics.ts';
import { clusterStateKey } from '../../../shared/app/cluster-record-layout.ts';
import { harness, apiConfig, type ErrorEnvelope } from './support.ts';

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('operator routes: API keys and scopes', () => {
  it('needs a live key: 401 without, with a malformed, unknown or revoked key; 200 with a valid one', async () => {
    const h = harness();
    const key = await h.key(['read']);
    const { info } = await h.keys.create({ name: 'old', scopes: ['admin'] });
    const bad = [
      undefined,
      'Bearer',
      'Bearer swk_nope',
      `Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`,
      `Bearer ${key.replace(/^swk_[0-9a-f]{12}/, 'swk_000000000000')}`,
    ];
    for (const authorization of bad) {
      const res = await h.app.request('/v1/clusters', authorization ? { headers: { authorization } } : {});
      const body = (await res.json()) as ErrorEnvelope;
      expect([res.status, body.error.code], String(authorization)).toEqual([401, 'unauthorized']);
    }
    expect((await h.app.request('/v1/clusters', { headers: auth(key) })).status).toBe(200);
    expect((await h.app.request('/v1/clusters', { headers: { 'x-api-key': key } })).status).toBe(200);
    await h.keys.revoke(info.id);
    const list = await h.keys.list();
    expect(list.find((k) => k.id === info.id)?.revokedAt).toBeTruthy();
    expect(JSON.stringify(list)).not.toContain(key);
  });

  it('revoked keys stop working at once', async () => {
    const h = harness();
    const { key, info } = await h.keys.create({ name: 'ops', scopes: ['operate'] });
    expect((await h.app.request('/v1/clusters', { headers: auth(key) })).status).toBe(200);
    await h.keys.revoke(info.id);
    expect((await h.app.request('/v1/clusters', { headers: auth(key) })).status).toBe(401);
  });

  it('enforces scopes: read < operate < admin', async () => {
    const h = harness();
    const keys = { read: await h.key(['read']), operate: await h.key(['operate']), admin: await h.key(['admin']) };
    const routes: [string, string, string | undefined, 'read' | 'operate' | 'admin'][] = [
      ['GET', '/v1/clusters', undefined, 'read'],
      ['GET', '/v1/clusters/prod', undefined, 'read'],
      ['GET', '/v1/incidents', undefined, 'read'],
      ['GET', '/v1/silences', undefined, 'read'],
      ['POST', '/v1/clusters/prod/sweep', undefined, 'operate'],
      ['POST', '/v1/clusters/prod/recover', '{"dryRun":true}', 'operate'],
      ['POST', '/v1/silences', '{"cluster":"prod","durationMinutes":60,"comment":"maintenance"}', 'operate'],
      ['GET', '/v1/audit?cluster=prod', undefined, 'admin'],
    ];
    const rank = { read: 0, operate: 1, admin: 2 };
    for (const [method, path, body, needed] of routes) {
      for (const [held, key] of Object.entries(keys) as ['read' | 'operate' | 'admin', string][]) {
        const res = await h.app.request(path, { method, headers: auth(key), ...(body ? { body } : {}) });
        const expected = rank[held] >= rank[needed] ? (method === 'POST' && path === '/v1/silences' ? 201 : 200) : 403;
        expect(res.status, `${held} ${method} ${path}`).toBe(expected);
      }
    }
  });

  it('validates key creation and never stores the key itself', async () => {
    const h = harness();
    await expect(h.keys.create({ name: '', scopes: ['read'] })).rejects.toThrow(/invalid API key request/);
    await expect(h.keys.create({ name: 'x', scopes: [] })).rejects.toThrow(/invalid/);
    const { key, info } = await h.keys.create({ name: 'ci', scopes: ['read', 'read'] });
    expect(key).toMatch(/^swk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(info.scopes).toEqual(['read']);
    const stored = await h.store.get('APIKEY', `KEY#${info.id}`);
    // The secret part is base64url and may itself contain `_`: cut by position, not by `_`.
    const secret = key.slice(`swk_${info.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(stored)).not.toContain(secret);
    await expect(h.keys.revoke('000000000000')).rejects.toThrow(/no API key/);
  });

  it('rate-limits per key with 429 and Retry-After, refilling over time', async () => {
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 5, timeoutMs: 5000 } }) });
    const [a, b] = [await h.key(['read']), await h.key(['read'])];
    const statuses = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await h.app.request('/v1/clusters', { headers: auth(a) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await h.app.request('/v1/clusters', { headers: auth(a) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as ErrorEnvelope).error.code).toBe('rate_limited');
    expect((await h.app.request('/v1/clusters', { headers: auth(b) })).status).toBe(200);
    h.clock.advance(12_000);
    expect((await h.app.request('/v1/clusters', { headers: auth(a) })).status).toBe(200);
  });
});

describe('operator routes: behaviour', () => {
  it('POST /v1/clusters/:id/sweep and /recover call the recovery service; dry run by body or query', async () => {
    const h = harness();
    const key = await h.key(['operate']);
    const post = (path: string, body?: string) => h.app.request(path, { method: 'POST', headers: auth(key), ...(body === undefined ? {} : { body }) });
    expect((await post('/v1/clusters/prod/sweep')).status).toBe(200);
    const dry = await post('/v1/clusters/prod/recover', JSON.stringify({ nodes: ['vault-1'], dryRun: true }));
    expect(await dry.json()).toMatchObject({ cluster: 'prod', dryRun: true, unseal: { nodes: [{ node: 'vault-1', outcome: 'would-unseal' }] } });
    expect((await post('/v1/clusters/prod/recover?dryRun=true')).status).toBe(200);
    expect((await post('/v1/clusters/dev/recover', '')).status).toBe(200);
    expect(h.recovery.calls.map((c) => [c.clusterId, c.action, c.dryRun ?? false, c.nodeIds ?? null, c.trigger])).toEqual([
      ['prod', 'sweep', false, null, 'api'],
      ['prod', 'recover', true, ['vault-1'], 'api'],
      ['prod', 'recover', true, null, 'api'],
      ['dev', 'recover', false, null, 'api'],
    ]);
    const bad = await post('/v1/clusters/prod/recover', '{"nodes":"all"}');
    expect([bad.status, ((await bad.json()) as ErrorEnvelope).error.code]).toEqual([400, 'invalid_input']);
    expect((await post('/v1/clusters/nope/sweep')).status).toBe(404);
    expect(h.recovery.calls).toHaveLength(4);
  });

  it('GET /v1/clusters/:id reads the recorded state', async () => {
    const h = harness();
    const key = await h.key(['read']);
    const k = clusterStateKey('prod');
    await h.store.put({ ...k, data: { nodes: { 'vault-1': { state: 'sealed', since: 1_000, initialized: true } } }, condition: { kind: 'any' } });
    const body = (await (await h.app.request('/v1/clusters/prod', { headers: auth(key) })).json()) as {
      states: Record<string, number>;
      nodes: { id: string; state: string }[];
    };
    expect(body.states).toEqual({ unknown: 2, sealed: 1 });
    expect(body.nodes.find((n) => n.id === 'vault-1')?.state).toBe('sealed');
  });

  it('GET /v1/incidents passes the filter; POST /v1/silences validates and names the key that asked', async () => {
    const h = harness();
    const key = await h.key(['operate']);
    const res = await h.app.request('/v1/incidents?cluster=prod&status=all&limit=5', { headers: auth(key) });
    expect(await res.json()).toEqual({ incidents: [] });
    expect((await h.app.request('/v1/incidents?limit=9999', { headers: auth(key) })).status).toBe(400);

    const silence = { cluster: 'prod', node: 'vault-1', finding: 'node.sealed', durationMinutes: 90, comment: 'patching' };
    const ok = await h.app.request('/v1/silences', { method: 'POST', headers: auth(key), body: JSON.stringify(silence) });
    expect(ok.status).toBe(201);
    const created = ((await ok.json()) as { silence: Record<string, unknown> }).silence;
    expect(created).toMatchObject({
      cluster: 'prod',
      node: 'vault-1',
      finding: 'node.sealed',
      comment: 'patching',
      createdBy: expect.stringMatching(/^apikey:[0-9a-f]{12} \(k-operate\)$/),
    });
    expect(Date.parse(created.expiresAt as string) - Date.parse(created.createdAt as string)).toBe(90 * 60_000);
    for (const body of [
      '{',
      JSON.stringify({ ...silence, durationMinutes: 0 }),
      JSON.stringify({ ...silence, cluster: 'nope' }),
      JSON.stringify({ ...silence, comment: '  ' }),
      JSON.stringify({ ...silence, finding: 'sealwatch.node-sealed' }),
    ]) {
      expect((await h.app.request('/v1/silences', { method: 'POST', headers: auth(key), body })).status).toBeGreaterThanOrEqual(400);
    }
    expect(await h.alerting.silences.list()).toHaveLength(1);
  });

  it('GET /v1/incidents and POST /v1/silences answer 404 not_configured without their services', async () => {
    const h = harness({}, { alerting: false });
    const key = await h.key(['operate']);
    expect(((await (await h.app.request('/v1/incidents', { headers: auth(key) })).json()) as ErrorEnvelope).error.code).toBe('not_configured');
  });

  it('GET /v1/audit?cluster= returns the trail newest first and requires the cluster', async () => {
    const h = harness();
    const audit = createAuditLog({ store: h.store, clock: h.clock });
    for (const node of ['vault-0', 'vault-1']) {
      await audit.record('prod', {
        at: new Date(h.clock.now()).toISOString(),
        trigger: 'api',
        action: 'unseal',
        node,
        shareIndexes: [1, 2],
        wrappers: ['w'],
        outcome: 'unsealed',
        timings: { unwrapMs: 1, submitMs: 1, totalMs: 2 },
        message: 'ok',
      });
      h.clock.advance(1000);
    }
    const key = await h.key(['admin']);
    const body = (await (await h.app.request('/v1/audit?cluster=prod', { headers: auth(key) })).json()) as { events: { node: string }[] };
    expect(body.events.map((e) => e.node)).toEqual(['vault-1', 'vault-0']);
    expect((await h.app.request('/v1/audit', { headers: auth(key) })).status).toBe(400);
    expect((await h.app.request('/v1/audit?cluster=nope', { headers: auth(key) })).status).toBe(404);
  });

  it('answers 503 timeout when a request outlasts the deadline', async () => {
    const slowReader = { list: () => new Promise<readonly object[]>((resolve) => setTimeout(() => resolve([]), 1_000)), acknowledge: async () => ({}) };
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 1000, timeoutMs: 150 } }), incidents: slowReader });
    const key = await h.key(['read']);
    const started = Date.now();
    const res = await h.app.request('/v1/incidents', { headers: auth(key) });
    expect([res.status, ((await res.json()) as ErrorEnvelope).error.code]).toEqual([503, 'timeout']);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('lists recent recoveries on the dashboard, newest first, with their status and outcome', async () => {
    const h = harness({ api: apiConfig({ dashboard: { enabled: true } }) });
    const key = await h.key(['operate']);
    const first = (await (await h.app.request('/v1/clusters/prod/sweep', { method: 'POST', headers: auth(key) })).json()) as { recoveryId: string };
    h.clock.advance(1_000);
    const second = (await (await h.app.request('/v1/clusters/dev/recover', { method: 'POST', headers: auth(key), body: '{"dryRun":true}' })).json()) as {
      recoveryId: string;
    };
    const page = await (await h.app.request('/', { headers: auth(key) })).text();
    const rows = [...page.matchAll(/data-recovery="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      [second.recoveryId, 'done'],
      [first.recoveryId, 'done'],
    ]);
    expect(page).toContain('dev: recover (dry run)');
  });

  it('answers a recovery that outlasts the budget with 202 and its id before the deadline; the worker finishes it', async () => {
    const h = harness({ api: apiConfig({ limits: { bodyBytes: 4096, requestsPerMinute: 1000, timeoutMs: 300 } }) });
    h.recovery.delayMs = 1_000;
    const key = await h.key(['operate']);
    const started = Date.now();
    const res = await h.app.request('/v1/clusters/prod/sweep', { method: 'POST', headers: auth(key) });
    const body = (await res.json()) as { status: string; recoveryId: string };
    expect([res.status, body.status]).toEqual([202, 'accepted']);
    expect(Date.now() - started).toBeLessThan(300);
    await h.queue.drain();
    const record = await h.app.request(`/v1/recoveries/${body.recoveryId}`, { headers: auth(key) });
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({
      id: body.recoveryId,
      status: 'done',
      trigger: 'api',
      attempts: 1,
      results: [{ cluster: 'prod', action: 'sweep' }],
    });
  });
});

describe('GET /v1/openapi.json and GET /metrics', () => {
  it('documents every API route with request schemas from zod', async () => {
    const h = harness();
    // biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked as untyped JSON
    const doc = (await (await h.app.request('/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, m]) => Object.keys(m).map((verb) => `${verb.toUpperCase()} ${p}`))
      .sort();
    const registered = h.app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/') && r.path !== '/v1/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented).toEqual(expect.arrayContaining([...new Set(registered)]));
    expect(doc.paths['/v1/hooks/generic']?.post.requestBody.content['application/json'].schema.properties.action.enum).toEqual(['sweep', 'recover', 'unseal']);
    expect(doc.paths['/v1/silences']?.post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['cluster', 'durationMinutes', 'comment']),
    );
  });

  it('serves Prometheus text with node states, sweeps and requests when metrics are given', async () => {
    const metrics = createMetrics();
    const h = harness({ metrics });
    metrics.recordSweep({
      trigger: 'schedule',
      startedAt: '',
      durationMs: 420,
      clusters: [
        {
          id: 'prod',
          name: 'p',
          summary: {} as never,
          persisted: true,
          actions: [{ kind: 'unseal', nodeId: 'vault-1', outcome: 'wrong-key', message: '', durationMs: 1 }],
          nodes: [{ state: 'active' }, { state: 'sealed' }, { state: 'sealed' }] as never,
        },
      ],
      totals: {} as never,
      timings: {} as never,
      stateWrites: 0,
    });
    metrics.inc('sealwatch_alert_deliveries_total', { channel: 'slack', outcome: 'delivered' });
    await h.app.request('/v1/nothing');
    const res = await h.app.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('sealwatch_nodes{cluster="prod",state="sealed"} 2');
    expect(text).toContain('sealwatch_unseal_failures_total{cluster="prod",outcome="wrong-key"} 1');
    expect(text).toContain('sealwatch_sweep_duration_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('sealwatch_sweep_duration_seconds_bucket{le="0.25"} 0');
    expect(text).toContain('sealwatch_alert_deliveries_total{channel="slack",outcome="delivered"} 1');
    expect(text).toContain('sealwatch_http_requests_total{method="GET",status="404"} 1');
    expect((await harness().app.request('/metrics')).status).toBe(404);
  });
});
