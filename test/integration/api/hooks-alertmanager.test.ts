import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createApp } from '../../../shared/api/create-app.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { apiDepsFromRuntime } from '../../../shared/runtime/api-deps.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';
import { AM_TOKEN, apiConfig, harness, type ErrorEnvelope, type Harness } from './support.ts';

// Real Alertmanager 0.25 webhooks (test/fixtures/alertmanager/README.md says how they were captured).
const FIXTURES = fileURLToPath(new URL('../../fixtures/alertmanager', import.meta.url));
/** The captured Alertmanager bodies (some files wrap the body with capture metadata). */
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const raw = JSON.parse(readFileSync(`${FIXTURES}/${f}`, 'utf8')) as { body?: unknown };
    return { name: f, body: (raw.body ?? raw) as Notification };
  });

interface Notification {
  status: string;
  groupKey: string;
  alerts: { status: string; labels: Record<string, string>; fingerprint: string; startsAt: string }[];
  [k: string]: unknown;
}

/** A captured notification re-labelled for our clusters, as a Vault alert rule would label it. */
function labelled(labels: Record<string, string>[], status = 'firing'): Notification {
  const base = structuredClone(fixtures.find((f) => f.name === 'firing-amtool-alert-add.json')?.body) as Notification;
  const template = base.alerts[0] as Notification['alerts'][number];
  base.status = status;
  base.alerts = labels.map((l, i) => ({ ...template, status, labels: { ...template.labels, ...l }, fingerprint: `fp${i}${JSON.stringify(l).length}` }));
  return base;
}

async function notify(h: Harness | { app: ReturnType<typeof createApp> }, body: unknown, token = AM_TOKEN) {
  const res = await h.app.request('/v1/hooks/alertmanager', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'user-agent': 'Alertmanager/0.25.0' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON answer; each test reads the fields it asserts
  return { status: res.status, body: (await res.json()) as ErrorEnvelope & Record<string, any> };
}

describe('POST /v1/hooks/alertmanager (fixtures and mapping)', () => {
  it('accepts every captured Alertmanager body; alerts without our labels are ignored', async () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
    const h = harness();
    for (const f of fixtures) {
      const { status, body } = await notify(h, f.body);
      expect([f.name, status, body.status]).toEqual([f.name, 200, 'ignored']);
      expect(body.alerts).toBe(f.body.alerts.length);
    }
    expect(h.recovery.calls).toEqual([]);
  });

  it('recovers the clusters and nodes named by vault_cluster / instance labels, once per cluster', async () => {
    const h = harness();
    const { status, body } = await notify(
      h,
      labelled([
        { vault_cluster: 'prod', instance: 'vault-2:8200' },
        { vault_cluster: 'prod', instance: '10.0.0.11:8200' },
        { vault_cluster: 'dev' },
        { vault_cluster: 'staging', instance: 'x' },
      ]),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'done', alerts: 4, firing: 4, unmatched: 1 });
    expect(h.recovery.calls.map((c) => [c.clusterId, c.nodeIds ? [...c.nodeIds].sort() : 'all', c.action, c.trigger])).toEqual([
      ['prod', ['vault-1', 'vault-2'], 'recover', 'alertmanager'],
      ['dev', 'all', 'recover', 'alertmanager'],
    ]);
  });

  it('uses the configured label names', async () => {
    const base = apiConfig();
    const h = harness({ api: { ...base, alertmanager: { token: new Secret(AM_TOKEN), clusterLabel: 'cluster', nodeLabel: 'pod' } } });
    await notify(h, labelled([{ cluster: 'prod', pod: 'vault-0' }, { vault_cluster: 'dev' }]));
    expect(h.recovery.calls.map((c) => [c.clusterId, c.nodeIds])).toEqual([['prod', ['vault-0']]]);
  });

  it('is idempotent: an identical resend gets the same answer and does nothing, a changed alert set acts again', async () => {
    const h = harness();
    const first = labelled([{ vault_cluster: 'prod', instance: 'vault-2' }]);
    const answer = await notify(h, first);
    expect(answer.body).toMatchObject({ status: 'done', recoveryId: expect.stringMatching(/^rcv-/) });
    const resent = await notify(h, structuredClone(first));
    expect([resent.status, resent.body]).toEqual([answer.status, answer.body]);
    const grown = labelled([
      { vault_cluster: 'prod', instance: 'vault-2' },
      { vault_cluster: 'prod', instance: 'vault-0' },
    ]);
    expect((await notify(h, grown)).body.status).toBe('done');
    expect(h.recovery.calls).toHaveLength(2);
  });

  it('takes no action for resolved notifications', async () => {
    const h = harness();
    const { status, body } = await notify(h, labelled([{ vault_cluster: 'prod' }], 'resolved'));
    expect([status, body.status, body.firing]).toEqual([200, 'ignored', 0]);
    expect(h.recovery.calls).toEqual([]);
  });

  it('refuses missing or wrong tokens (401), bad bodies (400) and an unconfigured hook (404), without acting', async () => {
    const h = harness();
    const body = labelled([{ vault_cluster: 'prod' }]);
    const res = await h.app.request('/v1/hooks/alertmanager', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await notify(h, body, 'wrong')).body.error.code).toBe('unauthorized');
    expect((await notify(h, body, `${AM_TOKEN}x`)).status).toBe(401);
    expect((await notify(h, '{"version":')).body.error.code).toBe('invalid_json');
    expect((await notify(h, { ...body, version: '3' })).body.error.code).toBe('invalid_input');
    expect((await notify(h, { ...body, alerts: 'x' })).status).toBe(400);
    const { alertmanager: _off, ...rest } = apiConfig();
    expect((await notify(harness({ api: rest }), body)).body.error.code).toBe('not_configured');
    expect(h.recovery.calls).toEqual([]);
  });
});

describe('POST /v1/hooks/alertmanager (end to end over the simulator)', () => {
  let sim: SimulatedCluster;
  let runtime: Runtime;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    sim = await startSimulatedCluster({ nodes: 3 });
    const key = randomBytes(32);
    const store = createMemoryStateStore({ clock: systemClock });
    runtime = await createRuntime({
      config: {
        state: { kind: 'embedded', embedded: { path: '/unused' } },
        sweep: { concurrency: 4, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
        wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
        // autoUnseal off: only the hook's recovery may unseal, not a sweep on its own.
        clusters: [
          {
            id: 'prod',
            name: 'Prod',
            nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
            tls: { caPem: sim.caPem ?? '' },
            autoUnseal: false,
          },
        ],
        api: apiConfig(),
      },
      clock: systemClock,
      logger: silentLogger,
      store,
    });
    await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: createLocalKeyWrapper({ id: 'local-1', key }) });
    app = createApp(apiDepsFromRuntime(runtime, { version: 't', auth: { mode: 'api-keys' }, serveMetrics: true }));
  });
  afterAll(async () => {
    await runtime?.close();
    await sim?.close();
  });

  it('a firing VaultSealed alert unseals the node and records it in the audit trail and metrics', async () => {
    sim.nodes[2]?.seal();
    expect(sim.nodes[2]?.state().sealed).toBe(true);
    const { status, body } = await notify(
      { app },
      labelled([{ alertname: 'VaultSealed', vault_cluster: 'prod', instance: new URL(sim.nodes[2]?.url ?? '').host }]),
    );
    expect(status).toBe(200);
    expect(body.results[0].unseal.nodes).toEqual([expect.objectContaining({ node: sim.nodes[2]?.id, outcome: 'unsealed' })]);
    expect(sim.nodes[2]?.state().sealed).toBe(false);
    expect(body.results[0].sweep.nodes.find((n: { node: string }) => n.node === sim.nodes[2]?.id)?.state).not.toBe('sealed');
    const audit = await runtime.audit.list('prod');
    expect(audit[0]).toMatchObject({ trigger: 'alertmanager', node: sim.nodes[2]?.id, outcome: 'unsealed' });
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/sealwatch_unseals_total\{cluster="prod"\} 1/);
    expect(metrics).toMatch(/sealwatch_sweeps_total\{trigger="alertmanager"\} 1/);
  });
});
