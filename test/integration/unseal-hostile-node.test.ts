import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnseal } from '../../functions/cli/commands/unseal.ts';
import { formatReport } from '../../functions/cli/format-report.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { createCustodyService } from '../../shared/app/custody-service.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createAlerting } from '../../shared/app/notify.ts';
import { createSweepService } from '../../shared/app/sweep.ts';
import type { SweepCluster, SweepReport } from '../../shared/app/sweep-types.ts';
import type { AlertChannel, Notification } from '../../shared/ports/alert-channel.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { arrayLogger, decodeShare, keySubmissions, putCustody, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';
import { describeLeaks, scanForLeaks, type Haystack, type KnownSecret } from '../support/leak-scan.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';

// A node with a certificate from the cluster's CA but another identity: a node of ANOTHER
// cluster issued by the same CA (a shared corporate CA), listed first. It is sealed, fits the
// custody's t/n, takes the shares, refuses them — and, being hostile, echoes shares of the real
// cluster (ones it was never sent) in its error texts and in `version`. It must block only
// itself: the cluster's own sealed nodes are unsealed in the same sweep. And nothing it says may
// carry a share or the token into state, audit, outbox, alerts, logs, CLI or API output.

let real: SimulatedCluster;
let foreign: SimulatedCluster;
let store: StateStore;
let h: UnsealHarness;
const logs: string[] = [];
const outputs: Haystack[] = [];
const record = (source: string, value: unknown) => outputs.push({ source, text: typeof value === 'string' ? value : JSON.stringify(value) });

beforeAll(async () => {
  real = await startSimulatedCluster({ nodes: 3, unsealed: false, profile: 'vault-1.19' });
  foreign = await startSimulatedCluster({ nodes: 1, unsealed: false, profile: 'vault-1.19', ca: real.ca, nodeIdPrefix: 'other-' });
  store = createMemoryStateStore({ clock: systemClock });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([real?.close(), foreign?.close()]);
});

describe('a same-CA node of another cluster, listed first and hostile', () => {
  it('blocks only itself; the real nodes are unsealed in the same sweep; nothing it echoes leaks', { timeout: 30_000 }, async () => {
    const init = real.init!;
    const keys = init.keys.map(decodeShare);
    const hostile = foreign.nodes[0]!;
    // Echoes shares 4 and 5 (never unwrapped: only 3 are needed) and the root token, in several encodings.
    const echoed = `${keys[3]!.toString('hex')} ${keys[4]!.toString('base64')} ${keys[2]!.toString('base64url')} ${init.rootToken}`;
    hostile.setFaults({ echo: { errorsSuffix: ` (debug: ${echoed})`, version: `1.19.5+${keys[4]!.toString('hex').toUpperCase()}` } });

    const { logger } = arrayLogger(logs);
    const wrapper = createLocalKeyWrapper({ id: 'local-1', key: randomBytes(32) });
    const cluster: SweepCluster = {
      id: 'prod',
      name: 'prod',
      nodes: [{ id: hostile.id, url: hostile.url }, ...real.nodes.map((n) => ({ id: n.id, url: n.url }))],
      tls: { caPem: real.caPem! },
    };
    await putCustody({ store, clusterId: 'prod', shares: init.keys, threshold: 3, wrapperFor: wrapper });
    h = unsealHarness({ wrappers: [wrapper], store, logs });

    const sent: Notification[] = [];
    const channel: AlertChannel = { id: 'rec', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 200 }) };
    const alerting = createAlerting({
      store,
      clock: systemClock,
      logger,
      channels: [channel],
      clusters: ['prod'],
      alerts: { routes: [], openAfter: { critical: 1, warning: 1 }, resolveAfter: 2, remindEveryMs: 3_600_000, giveUpAfterMs: 86_400_000 },
    });
    const sweep = createSweepService({
      clusters: [cluster],
      vault: h.vault,
      store,
      leases: createLeaseManager({ store, clock: systemClock }),
      clock: systemClock,
      logger,
      concurrency: 4,
      nodeTimeoutMs: 2_000,
      autoUnseal: async () => true,
      execute: h.service.executor,
      beginAfterSweep: () => alerting.beginAfterSweep(),
    });

    const first: SweepReport = await sweep.run({ trigger: 'test' });
    record('sweep 1', first);
    record('sweep 1 text', formatReport(first));
    const outcomes = Object.fromEntries(first.clusters[0]!.actions.map((a) => [a.nodeId, a.outcome]));
    expect(outcomes).toEqual({ [hostile.id]: 'wrong-key', 'vault-0': 'unsealed', 'vault-1': 'unsealed', 'vault-2': 'unsealed' });
    expect(real.nodes.every((n) => !n.state().sealed)).toBe(true);
    expect(hostile.state().sealed).toBe(true);
    expect(keySubmissions(hostile)).toHaveLength(3);

    // Later runs leave the hostile node alone and block nothing else.
    const second = await sweep.run({ trigger: 'test' });
    record('sweep 2', second);
    expect(second.clusters[0]!.actions.map((a) => [a.nodeId, a.outcome])).toEqual([[hostile.id, 'blocked']]);
    const unseal = await h.service.unsealCluster({ cluster, trigger: 'cli' });
    record('unseal', unseal);
    record('unseal text', formatUnseal(unseal));
    expect(keySubmissions(hostile)).toHaveLength(3);

    const custody = createCustodyService({
      clusters: [cluster],
      wrappers: { get: (id) => (id === wrapper.id ? wrapper : undefined), ids: () => [wrapper.id], facts: () => [] },
      store,
      vault: h.vault,
      clock: systemClock,
      leases: createLeaseManager({ store, clock: systemClock }),
      audit: createAuditLog({ store, clock: systemClock }),
      logger,
    });
    record('keys status', await custody.status('prod'));
    record('audit', await h.audit.list('prod'));
    record('incidents', await alerting.incidents.list({ all: true }));
    record('outbox', await alerting.outbox.list());
    record('notifications', sent);
    const app = createApp({
      clusters: [cluster],
      store,
      logger,
      version: 'test',
      clock: systemClock,
      auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
      audit: createAuditLog({ store, clock: systemClock }),
    });
    for (const path of ['/v1/clusters', '/v1/clusters/prod', '/v1/clusters/prod/audit', '/v1/incidents']) {
      const res = await app.request(path);
      record(`GET ${path} (${res.status})`, await res.text());
    }
    const items: Haystack[] = [];
    for (const pk of ['CLUSTER#prod', 'OUTBOX', 'ALERTS']) {
      let cursor: string | undefined;
      do {
        const page = await store.query<unknown>({ pk, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) items.push({ source: `item ${pk}/${item.sk}`, text: JSON.stringify(item) });
        cursor = page.cursor;
      } while (cursor);
    }

    // The haystacks are real: the hostile node's refusal and version went through everything.
    const all = [...outputs, ...items, ...logs.map((text, i) => ({ source: `log ${i + 1}`, text }))];
    expect(items.some((i) => i.source.includes('UNSEAL_GUARD#'))).toBe(true);
    expect(sent.some((n) => n.findingId === 'unseal.wrong-key' && n.node === hostile.id)).toBe(true);
    expect(all.some((x) => String(x.text).includes('[redacted]'))).toBe(true);
    expect(all.some((x) => String(x.text).includes('(debug: '))).toBe(true);

    const secrets: KnownSecret[] = [
      ...keys.map((value, i) => ({ label: `share ${i + 1}`, value })),
      ...(foreign.init?.keys ?? []).map((k, i) => ({ label: `foreign share ${i + 1}`, value: decodeShare(k) })),
      { label: 'root token', value: init.rootToken },
    ];
    const leaks = scanForLeaks(secrets, all);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });
});
