import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';

// The API over real sweep results: a simulated cluster is swept once, then every route is read.
describe('HTTP API (createApp)', () => {
  let cluster: SimulatedCluster;
  let runtime: Runtime;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 3 });
    cluster.nodes[2]?.seal();
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
    runtime = await createRuntime({
      config: {
        state: { kind: 'embedded', embedded: { path: '/unused' } },
        sweep: { concurrency: 4, nodeTimeoutMs: 2000, intervalSeconds: 60 },
        wrappers: [],
        clusters: [
          {
            id: 'prod',
            name: 'Production',
            nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
            tls: { caPem: cluster.caPem ?? '' },
          },
        ],
      },
      clock,
      logger: silentLogger,
      store: createMemoryStateStore({ clock }),
    });
    app = createApp({
      clusters: runtime.clusters,
      store: runtime.store,
      logger: silentLogger,
      version: '9.9.9',
      clock: runtime.clock,
      auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
      audit: runtime.audit,
    });
  });
  afterAll(async () => {
    await runtime.close();
    await cluster.close();
  });

  it('GET /healthz answers ok with the version', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: '9.9.9' });
  });

  it('lists configured clusters as unknown before the first sweep, with the recorded states after it', async () => {
    const before = (await (await app.request('/v1/clusters')).json()) as { clusters: unknown[] };
    // Never swept: no last sweep, and stale (the states are not current).
    expect(before.clusters).toEqual([
      { id: 'prod', name: 'Production', nodeCount: 3, states: { unknown: 3 }, lastSweepAt: null, lastSweepAgeSeconds: null, stale: true },
    ]);

    const report = await runtime.sweep.run({ trigger: 'test' });
    const after = (await (await app.request('/v1/clusters')).json()) as {
      clusters: { states: Record<string, number>; lastSweepAt: string; stale: boolean; lastSweepAgeSeconds: number }[];
    };
    expect(after.clusters[0]?.states).toEqual({ active: 1, standby: 1, sealed: 1 });
    expect(after.clusters[0]?.stale).toBe(false);
    expect(after.clusters[0]?.lastSweepAgeSeconds).toBeLessThan(5);
    expect(Date.parse(after.clusters[0]?.lastSweepAt ?? '')).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
  });

  it('GET /v1/clusters/:id shows every node with its state and facts', async () => {
    const res = await app.request('/v1/clusters/prod');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { nodes: { id: string; state: string; threshold: number | null; version: string | null }[] };
    expect(body.nodes.map((n) => [n.id, n.state])).toEqual([
      ['vault-0', 'active'],
      ['vault-1', 'standby'],
      ['vault-2', 'sealed'],
    ]);
    expect(body.nodes[2]).toMatchObject({ threshold: 3, version: cluster.nodes[2]?.state().version });
  });

  it('answers unknown clusters and routes with the JSON error envelope and a request id', async () => {
    for (const path of ['/v1/clusters/nope', '/v1/nothing']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string }; requestId: string };
      expect(body.error.code).toBe('not_found');
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('turns an internal failure into a 500 envelope without the error text or a stack', async () => {
    const broken = createApp({
      clusters: runtime.clusters,
      store: {
        ...runtime.store,
        get: async () => {
          throw new Error('secret-ish internal detail at /x/y.ts:1');
        },
        getMany: async () => {
          throw new Error('secret-ish internal detail at /x/y.ts:1');
        },
      },
      logger: silentLogger,
      version: '1',
      clock: runtime.clock,
      auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
      audit: runtime.audit,
    });
    const res = await broken.request('/v1/clusters');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('internal detail');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal' } });
  });
});
