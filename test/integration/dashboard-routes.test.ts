import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { mountDashboard, type DashboardOptions } from '../../shared/api/dashboard/mount-dashboard.tsx';
import { createRateLimiter } from '../../shared/api/middleware/rate-limit.ts';
import { createApiKeyService, type ApiKeyService } from '../../shared/app/api-keys.ts';
import { createAuditLog, type AuditLog } from '../../shared/app/audit-log.ts';
import { incidentsKey } from '../../shared/app/incident-service.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createSilenceStore } from '../../shared/app/silences.ts';
import { writeHeartbeat } from '../../shared/app/sweep-heartbeat.ts';
import { clusterStateKey } from '../../shared/app/cluster-record-layout.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import type { ClusterRecord, NodeRecord } from '../../shared/core/cluster-record.ts';
import type { ClusterIncidents, IncidentEntry } from '../../shared/core/incidents/types.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { FakeClock } from '../support/fake-clock.ts';

// The dashboard route over a real (memory) state store and the real API key service: who may
// see it, what it shows, and that nothing it renders can inject markup.

const START = Date.parse('2026-11-22T15:00:00Z');
const clock = new FakeClock({ start: START });
let store: StateStore;
let keys: ApiKeyService;
let audit: AuditLog;
let readKey: string;
let revokedKey: string;

const clusters: SweepCluster[] = [
  {
    id: 'prod',
    name: 'Production <script>alert(1)</script>',
    nodes: [
      { id: 'vault-0', url: 'https://10.0.0.1:8200' },
      { id: 'vault-1', url: 'https://10.0.0.2:8200' },
      { id: 'vault-2', url: 'https://10.0.0.3:8200' },
    ],
  },
];

function record(state: NodeRecord['state']): NodeRecord {
  return {
    state,
    since: clock.now() - 60_000,
    initialized: true,
    sealType: 'shamir',
    threshold: 3,
    shares: 5,
    progress: 0,
    version: '1.19.0',
    clusterId: 'abc',
    errorReason: null,
  };
}

beforeAll(async () => {
  store = createMemoryStateStore({ clock });
  keys = createApiKeyService({ store, clock });
  audit = createAuditLog({ store, clock });
  readKey = (await keys.create({ name: 'viewer', scopes: ['read'] })).key;
  const revoked = await keys.create({ name: 'old', scopes: ['admin'] });
  revokedKey = revoked.key;
  await keys.revoke(revoked.info.id);
  // vault-0 was sealed and repaired by sealwatch in the sweep that saw it.
  const repaired: NodeRecord = { ...record('active'), previousState: 'sealed', previousSince: clock.now() - 61_000, changedBy: 'sealwatch' };
  const data: ClusterRecord = { nodes: { 'vault-0': repaired, 'vault-1': record('sealed') } };
  await store.put({ ...clusterStateKey('prod'), data, condition: { kind: 'any' } });
  await writeHeartbeat(store, 'prod', {
    at: new Date(clock.now() - 30_000).toISOString(),
    trigger: 'schedule',
    summary: {
      nodes: 3,
      byState: {} as never,
      activeCount: 1,
      sealedCount: 1,
      unreachableCount: 0,
      clusterIds: ['abc'],
      versions: ['1.19.0'],
      activeNodes: ['vault-0'],
    },
    findings: [
      {
        id: 'raft.failure-tolerance',
        severity: 'critical',
        cluster: 'prod',
        message: 'cannot lose another voter',
        evidence: { failureTolerance: 0, voters: 3, expected: 1 },
      },
    ],
  });
  // Custody: 3-of-5 with every share under one local wrapper (the layout keys status warns about).
  const repo = createCustodyRepository(store);
  await repo.putMeta(
    'prod',
    { kind: 'unseal', threshold: 3, shares: 5, shareLength: 33, keyCheck: 'x', createdAt: '2026-11-01T00:00:00.000Z', generation: 1 },
    { kind: 'any' },
  );
  for (let index = 1; index <= 5; index++)
    await repo.putShare('prod', { index, wrapper: 'local-1', keyId: 'k', ciphertext: 'AA==', wrappedAt: '2026-11-01T00:00:00.000Z' });
  await createSilenceStore({ store, clock }).add({
    cluster: 'prod',
    node: 'vault-1',
    finding: 'node.sealed',
    forMs: 3_600_000,
    comment: 'CHG-1',
    createdBy: 'alice',
  });
  // The incident service's item: one open incident, one condition still pending (not shown).
  const entry = (findingId: string, status: IncidentEntry['status'], message: string): IncidentEntry => ({
    dedupKey: `sealwatch:prod:vault-1:${findingId}`,
    cluster: 'prod',
    node: 'vault-1',
    findingId,
    status,
    severity: 'critical',
    message,
    evidence: {},
    hits: 1,
    healthy: 0,
    firstSeenAt: '2026-11-22T14:59:00.000Z',
    ...(status === 'open' ? { openedAt: '2026-11-22T14:59:00.000Z' } : {}),
    notified: true,
  });
  const incidents: ClusterIncidents = {
    entries: {
      a: entry('node.sealed', 'open', 'vault-1 is <b>sealed</b>'),
      b: entry('node.version-skew', 'pending', 'pending condition'),
    },
  };
  await store.put({ ...incidentsKey('prod'), data: incidents, condition: { kind: 'any' } });
  await audit.record('prod', {
    at: '2026-11-22T14:58:00.000Z',
    trigger: 'webhook',
    action: 'unseal',
    node: 'vault-2',
    shareIndexes: [1, 2, 4],
    wrappers: ['local-1'],
    outcome: 'unsealed',
    timings: { unwrapMs: 2, submitMs: 9, totalMs: 12.4 },
    message: 'unsealed',
  });
  await audit.record('prod', {
    at: '2026-11-22T14:59:00.000Z',
    trigger: 'schedule',
    action: 'unseal',
    node: 'vault-1',
    shareIndexes: [],
    wrappers: ['local-1'],
    outcome: 'wrong-key',
    timings: { unwrapMs: 2, submitMs: 9, totalMs: 30 },
    message: 'the node rejected the shares',
  });
});

afterAll(async () => {
  await store?.close();
});

function appWith(overrides: Partial<DashboardOptions> = {}) {
  const app = new Hono();
  mountDashboard(app, {
    enabled: true,
    clusters,
    store,
    keys,
    clock,
    version: '9.9.9',
    audit,
    wrapperFacts: () => [{ id: 'local-1', kind: 'local', provider: 'local:test' }],
    ...overrides,
  });
  return app;
}

const basic = (key: string, user = 'ops') => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

describe('dashboard access', () => {
  it('asks for credentials without a key, with a Basic challenge and no page content', async () => {
    const res = await appWith().request('/');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="sealwatch dashboard"/);
    const body = await res.text();
    expect(body).not.toContain('vault-0');
  });

  it.each([
    ['a wrong key', () => basic('swk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    ['a revoked key', () => basic(revokedKey)],
    ['an empty password', () => basic('')],
    ['garbage', () => 'Basic %%%'],
    ['another scheme', () => `Digest ${readKey}`],
  ])('refuses %s with 401', async (_name, header) => {
    const res = await appWith().request('/', { headers: { authorization: header() } });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('vault-1');
  });

  it('accepts a read key as the Basic password (any user name) and as a Bearer token', async () => {
    for (const authorization of [basic(readKey), basic(readKey, ''), `Bearer ${readKey}`]) {
      const res = await appWith().request('/', { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it("spends the key's rate budget: past it, 429 with Retry-After", async () => {
    const app = appWith({ limiter: createRateLimiter({ perMinute: 2, clock }) });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request('/', { headers: { authorization: basic(readKey) } })).status);
    expect(statuses).toEqual([200, 200, 429]);
    clock.advance(60_000);
    expect((await app.request('/', { headers: { authorization: basic(readKey) } })).status).toBe(200);
  });

  it('serves without credentials only when no key service is given (demo, in-process tests)', async () => {
    const res = await appWith({ keys: null }).request('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-node="vault-0"');
  });

  it('is not registered at all when disabled', async () => {
    const res = await appWith({ enabled: false }).request('/', { headers: { authorization: basic(readKey) } });
    expect(res.status).toBe(404);
  });

  it('validates its options once', () => {
    expect(() => appWith({ refreshSeconds: 1 })).toThrow(/refreshSeconds/);
  });
});

describe('dashboard content', () => {
  // The access tests move the shared clock (rate budgets); the page's relative times need it fixed.
  beforeEach(() => clock.set(START));
  it('shows every node with its state and colour, the cluster line, incidents, findings and one table of recoveries', async () => {
    const res = await appWith({ refreshSeconds: 15 }).request('/', { headers: { authorization: basic(readKey) } });
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="refresh" content="15"/);
    expect(html).toMatch(/data-node="vault-0" data-state="active" data-stale="false" style="background:#2e7d32/);
    expect(html).toMatch(/data-node="vault-1" data-state="sealed" data-stale="false" style="background:#c62828/);
    // Never swept: shown as unknown rather than left out.
    expect(html).toMatch(/data-node="vault-2" data-state="unknown"/);
    // The repaired seal is visible on the tile, with exact times on hover.
    expect(html).toMatch(
      /data-transition="sealed-&gt;active">was sealed <time datetime="2026-11-22T14:58:59.000Z" title="2026-11-22T14:58:59.000Z">1 min ago<\/time> → unsealed by sealwatch/,
    );
    expect(html).toMatch(
      /active: <b>vault-0<\/b> · voters: 3 · failure tolerance: 0 · versions: 1.19.0 · last sweep: <time datetime="2026-11-22T14:59:30.000Z" title="2026-11-22T14:59:30.000Z">30 s ago<\/time>/,
    );
    expect(html).not.toContain('id="stale-banner"');
    const incidents = html.slice(html.indexOf('id="incidents"'), html.indexOf('id="findings"'));
    expect(incidents).toContain('data-finding="node.sealed"');
    expect(incidents).toMatch(/silenced by sil-[0-9a-f]+ \(alice\)/);
    expect(html).not.toContain('node.version-skew');
    expect(html).toContain('1 sealed, 1 open incident');
    const findings = html.slice(html.indexOf('id="findings"'), html.indexOf('id="recoveries"'));
    expect(findings.indexOf('raft.failure-tolerance')).toBeLessThan(findings.indexOf('custody.single-provider-compromise'));
    expect(findings.indexOf('custody.single-provider-compromise')).toBeGreaterThan(0);
    // The sealed node is an open finding too (derived from its state, as the alerting layer does).
    expect(findings).toMatch(/data-finding="node.sealed"><td class="sev-critical">critical<\/td><td>prod\/vault-1<\/td>/);
    // One table of recent actions (no duplicated unseal table), newest first.
    expect(html.match(/<table>/g)).toHaveLength(3);
    const trail = html.slice(html.indexOf('id="actions"'));
    expect(trail.indexOf('wrong-key')).toBeGreaterThan(0);
    expect(trail.indexOf('wrong-key')).toBeLessThan(trail.indexOf('unsealed'));
    expect(trail).toContain('prod/vault-2');
  });

  it('shows a stale banner and greys every tile when the last sweep is older than 2 × the interval', async () => {
    const app = appWith({ sweepIntervalMs: 60_000 });
    clock.advance(91_000); // last sweep 121 s ago: just past 2 × 60 s
    const html = await (await app.request('/', { headers: { authorization: basic(readKey) } })).text();
    expect(html).toContain('id="stale-banner"');
    expect(html).toMatch(/Stale: prod last swept 2 min ago/);
    expect(html.match(/class="node stale"/g)).toHaveLength(3);
    expect(html).toContain('1 stale');
    // One interval late is not stale yet.
    clock.set(START + 30_000);
    expect(await (await app.request('/', { headers: { authorization: basic(readKey) } })).text()).not.toContain('id="stale-banner"');
  });

  it('escapes names and messages', async () => {
    const html = await (await appWith().request('/', { headers: { authorization: basic(readKey) } })).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<b>sealed</b>');
  });

  it('reads the audit trail from the store when no audit log is passed', async () => {
    const app = new Hono();
    mountDashboard(app, { enabled: true, clusters, store, keys, clock, version: '1' });
    const html = await (await app.request('/', { headers: { authorization: basic(readKey) } })).text();
    expect(html.slice(html.indexOf('id="actions"'))).toContain('wrong-key');
  });
});
