import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { incidentsKey } from '../../../shared/app/incident-service.ts';
import { createAlerting } from '../../../shared/app/notify.ts';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import type { AlertChannel, Notification } from '../../../shared/ports/alert-channel.ts';
import { UnavailableError } from '../../../shared/errors.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { nodeReport, sweepReport } from '../../support/sweep-report-fixture.ts';

// Incidents live in one partition (pk INCIDENTS), read by key for up to 16 clusters and by one
// Query of the partition beyond; sealwatch 0.1.0 kept them at pk CLUSTER#<id> sk INCIDENTS. An
// upgrade moves them once and keeps their state: an incident open before the upgrade is not
// paged again.

const MIN = 60_000;

/** One node per cluster; `sealed` names the cluster whose node is sealed (`none`: all active). */
function sealedReport(clusterIds: readonly string[], sealed: string): SweepReport {
  return sweepReport(clusterIds.map((id) => ({ id, nodes: [nodeReport('v1', id === sealed ? 'sealed' : 'active')] })));
}

/** The store with a count of the calls the incident reads make. */
function counting(store: StateStore) {
  const calls = { query: 0, getManyKeys: 0, formerDeletes: 0 };
  const counted = new Proxy(store, {
    get(target, prop) {
      if (prop === 'query') return (request: Parameters<StateStore['query']>[0]) => ((calls.query += 1), target.query(request));
      if (prop === 'getMany') return (keys: Parameters<StateStore['getMany']>[0]) => ((calls.getManyKeys += keys.length), target.getMany(keys));
      if (prop === 'delete')
        return (...args: Parameters<StateStore['delete']>) => ((calls.formerDeletes += args[1] === 'INCIDENTS' ? 1 : 0), target.delete(...args));
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { counted, calls };
}

function setup(clusterIds: string[]) {
  const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  const raw = createMemoryStateStore({ clock });
  const { counted, calls } = counting(raw);
  const sent: Notification[] = [];
  const channel: AlertChannel = { id: 'pager', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 200 }) };
  const start = () =>
    createAlerting({
      store: counted,
      clock,
      logger: silentLogger,
      channels: [channel],
      clusters: clusterIds,
      random: () => 0.5,
      alerts: { routes: [], openAfter: { critical: 1, warning: 1 }, resolveAfter: 2, remindEveryMs: 60 * MIN, giveUpAfterMs: 24 * 60 * MIN },
    });
  let alerting = start();
  const sweep = async (r: SweepReport) => {
    clock.advance(MIN);
    await alerting.beginAfterSweep().finish(r);
  };
  /**
   * Puts the cluster's incidents back where 0.1.0 kept them, as an installation before the upgrade
   * has them, and starts alerting afresh over that store: the upgraded process.
   */
  const toFormerLayout = async (clusterId: string) => {
    const key = incidentsKey(clusterId);
    const item = await raw.get(key.pk, key.sk);
    if (!item) throw new Error(`no incidents for ${clusterId}`);
    await raw.put({ pk: `CLUSTER#${clusterId}`, sk: 'INCIDENTS', data: item.data, condition: { kind: 'absent' } });
    await raw.delete(key.pk, key.sk);
    await raw.delete('INCIDENTS', '#layout');
    alerting = start();
    return alerting;
  };
  return { raw, calls, sent, sweep, toFormerLayout, clock };
}

describe.each([
  ['few clusters, read by key', ['prod', 'dev']],
  ['many clusters, one Query', Array.from({ length: 40 }, (_, i) => (i === 0 ? 'prod' : `c${i}`))],
])('incidents in one partition (%s)', (_name, clusterIds) => {
  it('moves the former items once and keeps their incidents open without paging again', async () => {
    const { raw, sent, sweep, toFormerLayout } = setup(clusterIds);
    const sealed = sealedReport(clusterIds, 'prod');
    await sweep(sealed);
    expect(sent.map((n) => `${n.kind} ${n.dedupKey}`)).toEqual(['trigger sealwatch:prod:v1:node.sealed']);
    const alerting = await toFormerLayout('prod');

    await sweep(sealed);
    // Still open, not opened again.
    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
    expect(await raw.get('CLUSTER#prod', 'INCIDENTS')).toBeNull();
    const moved = await raw.get<{ entries: object }>(incidentsKey('prod').pk, incidentsKey('prod').sk);
    expect(moved).not.toBeNull();
    expect(Object.keys(moved?.data.entries ?? {})).toEqual(['sealwatch:prod:v1:node.sealed']);
    expect(await raw.get('INCIDENTS', '#layout')).not.toBeNull();
    expect((await alerting.incidents.list()).map((i) => i.dedupKey)).toEqual(['sealwatch:prod:v1:node.sealed']);

    // Resolves as usual from the new place.
    const healthy = sealedReport(clusterIds, 'none');
    await sweep(healthy);
    await sweep(healthy);
    expect(sent.map((n) => n.kind)).toEqual(['trigger', 'resolve']);
  });
});

describe('acknowledging right after an upgrade', () => {
  it('finds the incident still in its 0.1.0 place: the acknowledgement moves the items first', async () => {
    const { sent, sweep, toFormerLayout } = setup(['prod', 'dev']);
    await sweep(sealedReport(['prod', 'dev'], 'prod'));
    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
    const alerting = await toFormerLayout('prod');
    const acked = await alerting.incidents.acknowledge({ dedupKey: 'sealwatch:prod:v1:node.sealed', by: 'alice' });
    expect(acked.acknowledged?.by).toBe('alice');
  });
});

describe('the move during a sweep', () => {
  it('is begun while the nodes are observed, before the report is in, and pages nobody again', async () => {
    const { raw, sent, sweep, toFormerLayout } = setup(['prod', 'dev']);
    await sweep(sealedReport(['prod', 'dev'], 'prod'));
    const alerting = await toFormerLayout('prod');

    const begun = alerting.beginAfterSweep();
    // Nothing else runs: the move completes from `beginAfterSweep` alone.
    await vi.waitFor(async () => expect(await raw.get('INCIDENTS', '#layout')).not.toBeNull());
    expect(await raw.get('CLUSTER#prod', 'INCIDENTS')).toBeNull();
    await begun.finish(sealedReport(['prod', 'dev'], 'prod'));

    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
    expect((await alerting.incidents.list()).map((i) => i.dedupKey)).toEqual(['sealwatch:prod:v1:node.sealed']);
  });
});

describe('a move whose new write fails', () => {
  it('puts the former item back, so the next try moves the incident instead of losing it', async () => {
    const { raw, sweep, toFormerLayout, clock } = setup(['prod', 'dev']);
    await sweep(sealedReport(['prod', 'dev'], 'prod'));
    await toFormerLayout('prod');
    const target = incidentsKey('prod');
    let failures = 1;
    // The store throttles the move's one write into the incidents partition, once.
    const throttled = new Proxy(raw, {
      get(store, prop) {
        if (prop === 'put')
          return (request: Parameters<StateStore['put']>[0]) => {
            if (failures > 0 && request.pk === target.pk && request.sk === target.sk) {
              failures -= 1;
              return Promise.reject(new UnavailableError('PutItem: throttled'));
            }
            return store.put(request);
          };
        const value = Reflect.get(store, prop);
        return typeof value === 'function' ? value.bind(store) : value;
      },
    });
    const alerting = createAlerting({ store: throttled, clock, logger: silentLogger, channels: [], clusters: ['prod', 'dev'] });

    await expect(alerting.incidents.prepare()).rejects.toBeInstanceOf(UnavailableError);
    expect(await raw.get(target.pk, target.sk)).toBeNull();
    const restored = await raw.get<{ entries: object }>('CLUSTER#prod', 'INCIDENTS');
    expect(Object.keys(restored?.data.entries ?? {})).toEqual(['sealwatch:prod:v1:node.sealed']);
    expect(await raw.get('INCIDENTS', '#layout')).toBeNull();

    await alerting.incidents.prepare();
    expect(await raw.get('CLUSTER#prod', 'INCIDENTS')).toBeNull();
    const moved = await raw.get<{ entries: object }>(target.pk, target.sk);
    expect(Object.keys(moved?.data.entries ?? {})).toEqual(['sealwatch:prod:v1:node.sealed']);
  });
});

describe('an incident read and a sweep that both find the move to do', () => {
  it('share one move instead of running two side by side', async () => {
    const { raw, calls, sent, sweep, toFormerLayout } = setup(['prod', 'dev']);
    await sweep(sealedReport(['prod', 'dev'], 'prod'));
    const alerting = await toFormerLayout('prod');

    // An operator lists incidents just as a sweep starts: both find the move still to do.
    const listing = alerting.incidents.list();
    const begun = alerting.beginAfterSweep();
    const listed = await listing;
    await begun.finish(sealedReport(['prod', 'dev'], 'prod'));

    // One move: the former item was deleted once, by the one mover, and the read saw it moved.
    expect(calls.formerDeletes).toBe(1);
    expect(listed.map((i) => i.dedupKey)).toEqual(['sealwatch:prod:v1:node.sealed']);
    expect(await raw.get('CLUSTER#prod', 'INCIDENTS')).toBeNull();
    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
  });
});

describe('incident reads of a sweep', () => {
  it('are one Query of the incidents partition, not a key per cluster, once the layout is moved', async () => {
    const clusterIds = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const { calls, sweep } = setup(clusterIds);
    await sweep(sealedReport(clusterIds, 'none')); // the first sweep looks for former items once
    const before = { ...calls };
    await sweep(sealedReport(clusterIds, 'none'));
    expect(calls.query - before.query).toBeGreaterThanOrEqual(1);
    // The incident reads name no cluster key (other queries, e.g. silences and the outbox, may run too).
    expect(calls.getManyKeys - before.getManyKeys).toBe(0);
  });
});
