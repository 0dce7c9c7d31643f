import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../shared/app/metrics.ts';
import { signWebhook } from '../../../shared/core/standard-webhooks.ts';
import { AM_TOKEN, apiConfig, harness, WEBHOOK_KEY } from './support.ts';

// Random methods, paths, headers and bodies against every route: whatever arrives, the answer
// is a JSON envelope or a route's own body, and never a 5xx. Recovery is the recording stub,
// so each request is cheap and the whole run stays within seconds.

const ROUTES = [
  '/healthz',
  '/metrics',
  '/v1/openapi.json',
  '/v1/clusters',
  '/v1/clusters/prod',
  '/v1/clusters/dev/sweep',
  '/v1/clusters/prod/recover',
  '/v1/incidents',
  '/v1/silences',
  '/v1/audit',
  '/v1/hooks/alertmanager',
  '/v1/hooks/generic',
];

const ids = fc.constantFrom('prod', 'dev', 'nope', 'vault-0', 'vault-2', '', 'PROD', '../x', 'a'.repeat(70));
const labels = fc.dictionary(fc.constantFrom('vault_cluster', 'instance', 'alertname', 'x'), fc.oneof(ids, fc.string()), { maxKeys: 4 });
const shaped = fc.oneof(
  fc.record({ cluster: ids, node: fc.option(ids, { nil: undefined }), action: fc.constantFrom('sweep', 'recover', 'unseal', 'x') }, { requiredKeys: [] }),
  fc.record({ nodes: fc.array(ids, { maxLength: 3 }), dryRun: fc.oneof(fc.boolean(), fc.string()) }, { requiredKeys: [] }),
  fc.record({ cluster: ids, node: ids, finding: fc.string(), durationMinutes: fc.oneof(fc.integer(), fc.double()), reason: fc.string() }, { requiredKeys: [] }),
  fc.record(
    {
      version: fc.constantFrom('4', '3', 4),
      groupKey: fc.string(),
      status: fc.constantFrom('firing', 'resolved', 'x'),
      alerts: fc.array(
        fc.record(
          { status: fc.constantFrom('firing', 'resolved'), labels, startsAt: fc.string(), fingerprint: fc.string({ maxLength: 8 }) },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: [] },
  ),
);
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 6, arbitrary: shaped.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(3000)) },
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ROUTES) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...ROUTES),
        fc.constantFrom(
          '?cluster=prod',
          '?cluster=nope&limit=0',
          '?status=all&limit=3',
          '?dryRun=true',
          '?limit=abc',
          '?cluster=%E0%A4',
          '/extra',
          '%2F',
          '?a=1&a=2',
        ),
      )
      .map(([a, b]) => a + b),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom('v1', 'clusters', 'prod', 'hooks', '%', '%25', '..', 'x', ':id', ''), { maxLength: 5 }).map((s) => `/${s.join('/')}`),
  },
);

describe('API fuzzing (fast-check)', () => {
  it('answers 5,000 random requests across every route without a single 5xx', async () => {
    const h = harness({
      api: apiConfig({ limits: { bodyBytes: 2048, requestsPerMinute: 1_000_000, timeoutMs: 10_000 } }),
      metrics: createMetrics(),
    });
    const keys = [await h.key(['read']), await h.key(['operate']), await h.key(['admin'])];
    const statuses = new Map<number, number>();
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('GET', 'POST') },
          { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
        ),
        path,
        body,
        fc.record({
          auth: fc.oneof(fc.constant(undefined), fc.constantFrom(...keys), fc.constant(AM_TOKEN), fc.string({ maxLength: 60 })),
          scheme: fc.constantFrom('Bearer ', 'bearer ', 'Basic ', ''),
          sign: fc.boolean(),
          skewS: fc.integer({ min: -400, max: 400 }),
          webhookId: fc.string({ minLength: 0, maxLength: 20 }),
          contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
        }),
        async (method, target, text, hd) => {
          const headers: Record<string, string> = {};
          if (hd.auth !== undefined) headers.authorization = `${hd.scheme}${hd.auth}`;
          if (hd.contentType) headers['content-type'] = hd.contentType;
          if (hd.sign) {
            const ts = Math.floor(h.clock.now() / 1000) + hd.skewS;
            headers['webhook-id'] = hd.webhookId;
            headers['webhook-timestamp'] = String(ts);
            headers['webhook-signature'] = signWebhook(WEBHOOK_KEY, hd.webhookId, ts, text ?? '');
          }
          const hasBody = text !== undefined && method !== 'GET' && method !== 'HEAD';
          let res: Response;
          try {
            new URL(target, 'http://localhost');
          } catch {
            return;
          }
          res = await h.app.request(target, { method, headers, ...(hasBody ? { body: text } : {}) });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${method} ${target} ${String(text).slice(0, 80)}`).toBeLessThan(500);
          if (res.status >= 400 && method !== 'HEAD') {
            const envelope = (await res.json()) as { error: { code: string; message: string }; requestId: string };
            expect(typeof envelope.error.code).toBe('string');
            expect(envelope.requestId).toBeTruthy();
            expect(JSON.stringify(envelope)).not.toMatch(/\bat .*\.ts:\d+|AM_TOKEN|am-token-0123/);
          }
        },
      ),
      { numRuns: 5_000 },
    );

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(4_500);
    // The run reached the routes' own logic, not only their refusals.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(5);
    expect(h.recovery.calls.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
