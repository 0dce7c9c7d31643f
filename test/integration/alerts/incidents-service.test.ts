import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createAlerting, observationsOf } from '../../../shared/app/notify.ts';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import type { AlertsConfig } from '../../../shared/config/types.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import type { AlertChannel, DeliveryResult, Notification } from '../../../shared/ports/alert-channel.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { nodeReport, sweepReport } from '../../support/sweep-report-fixture.ts';
import { countingStore } from '../../../shared/app/counting-store.ts';

// createAlerting as the sweep drives it (beginAfterSweep, then finish with the report): sweep
// reports in, notifications to recording channels out, state in a memory store.

const MIN = 60_000;

function recorder(id: string, answer: () => DeliveryResult = () => ({ ok: true, status: 200 })) {
  const sent: Notification[] = [];
  const channel: AlertChannel = { id, kind: 'webhook', send: async (n) => (sent.push(n), answer()) };
  return { channel, sent };
}

function setup(alerts?: Partial<AlertsConfig>, channels = [recorder('a')]) {
  const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  const store = countingStore(createMemoryStateStore({ clock }));
  const alerting = createAlerting({
    store,
    clock,
    logger: silentLogger,
    channels: channels.map((c) => c.channel),
    clusters: ['prod', 'dev'],
    random: () => 0.5,
    ...(alerts
      ? { alerts: { routes: [], openAfter: { critical: 1, warning: 2 }, resolveAfter: 2, remindEveryMs: 60 * MIN, giveUpAfterMs: 24 * 60 * MIN, ...alerts } }
      : {}),
  });
  /** One sweep a minute later. */
  const sweep = async (r: SweepReport) => {
    clock.advance(MIN);
    const before = store.writeCount();
    await alerting.beginAfterSweep().finish(r);
    return store.writeCount() - before;
  };
  return { clock, store, alerting, sweep, channels };
}

describe('observationsOf', () => {
  it('derives node.sealed / node.unreachable unless a check already reported them, and info for unsealed nodes', () => {
    const own: Finding = { id: 'node.sealed', severity: 'warning', cluster: 'prod', node: 'v1', message: 'x', evidence: {} };
    const obs = observationsOf(
      sweepReport([
        {
          id: 'prod',
          findings: [own],
          nodes: [
            nodeReport('v1', 'sealed'),
            nodeReport('v2', 'sealed'),
            nodeReport('v3', 'unreachable'),
            nodeReport('v4', 'active', { unsealedBy: 'sealwatch' }),
          ],
        },
      ]),
    );
    expect(obs.clusters).toEqual(['prod']);
    expect(obs.findings.map((f) => [f.node, f.id, f.severity])).toEqual([
      ['v1', 'node.sealed', 'warning'],
      ['v2', 'node.sealed', 'critical'],
      ['v3', 'node.unreachable', 'warning'],
    ]);
    expect(obs.events.map((e) => [e.node, e.id, e.severity])).toEqual([['v4', 'node.unsealed', 'info']]);
  });
});

describe('createAlerting.beginAfterSweep', () => {
  it('pages once, writes nothing while nothing changes, reminds hourly, resolves once', async () => {
    const { sweep, channels } = setup();
    const sent = channels[0]?.sent ?? [];
    const sealed = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'sealed')] }]);
    expect(await sweep(sealed)).toBeGreaterThan(0);
    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
    expect(await sweep(sealed)).toBe(0);
    expect(await sweep(sealed)).toBe(0);
    for (let i = 0; i < 58; i++) await sweep(sealed);
    expect(sent.map((n) => n.kind)).toEqual(['trigger', 'reminder']);
    const healthy = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'active')] }]);
    await sweep(healthy);
    await sweep(healthy);
    expect(sent.map((n) => n.kind)).toEqual(['trigger', 'reminder', 'resolve']);
    expect(new Set(sent.map((n) => n.dedupKey))).toEqual(new Set(['sealwatch:prod:v1:node.sealed']));
    expect(await sweep(healthy)).toBe(0);
  });

  it('reads the silences only in a sweep that sees a condition; a silence still mutes it', async () => {
    const { store, sweep, alerting, channels } = setup();
    const sent = channels[0]?.sent ?? [];
    const partitions: string[] = [];
    const realQuery = store.query;
    store.query = (request) => (partitions.push(request.pk), realQuery(request));
    const healthy = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'active')] }]);

    await sweep(healthy);
    expect(partitions).not.toContain('SILENCES');

    await alerting.silences.add({ cluster: 'prod', forMs: 30 * MIN, comment: 'maintenance', createdBy: 'alice' });
    partitions.length = 0;
    await sweep(sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'sealed')] }]));
    expect(partitions).toContain('SILENCES');
    expect(sent).toEqual([]);
  });

  it('sees a silence made while the nodes are observed, between begin and finish', async () => {
    const { alerting, clock, channels } = setup();
    const sent = channels[0]?.sent ?? [];
    const sweep = async (r: SweepReport, during?: () => Promise<unknown>) => {
      clock.advance(MIN);
      const after = alerting.beginAfterSweep();
      await during?.();
      await after.finish(r);
    };
    const sealed = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'sealed')] }]);
    await sweep(sealed);
    await sweep(sealed);
    expect(sent.map((n) => n.kind)).toEqual(['trigger']);
    const healthy = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'active')] }]);
    await sweep(healthy);
    await sweep(healthy);
    expect(sent.map((n) => n.kind)).toEqual(['trigger', 'resolve']);
    // A silence added while the nodes are observed mutes this sweep's page already.
    await sweep(sweepReport([{ id: 'dev', nodes: [nodeReport('d1', 'sealed')] }]), () =>
      alerting.silences.add({ cluster: 'dev', forMs: 30 * MIN, comment: 'dev rebuild', createdBy: 'alice' }),
    );
    expect(sent.map((n) => `${n.kind} ${n.cluster}`)).toEqual(['trigger prod', 'resolve prod']);
  });

  it('abandoned (a sweep stopped without a report), it waits for the outbox listing it began and sends nothing', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
    const store = createMemoryStateStore({ clock });
    let openOutbox = () => {};
    const outboxGate = new Promise<void>((resolve) => (openOutbox = resolve));
    const gated: typeof store = {
      ...store,
      query: async (request) => {
        if (request.pk === 'OUTBOX') await outboxGate;
        return store.query(request);
      },
    };
    const { channel, sent } = recorder('a');
    const alerting = createAlerting({ store: gated, clock, logger: silentLogger, channels: [channel], clusters: ['prod'] });
    let settled = false;
    const abandoning = alerting
      .beginAfterSweep()
      .abandon()
      .then(() => void (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    openOutbox();
    await abandoning;
    expect(settled).toBe(true);
    expect(sent).toEqual([]);
  });

  it('a silence mutes the page; routes pick channels by severity and cluster; info goes only where routed', async () => {
    const pager = recorder('pager');
    const chat = recorder('chat');
    const { sweep, alerting } = setup(
      {
        routes: [
          { channels: ['pager'], minSeverity: 'critical', clusters: ['prod'] },
          { channels: ['chat'], minSeverity: 'info' },
        ],
      },
      [pager, chat],
    );
    await alerting.silences.add({ cluster: 'dev', forMs: 30 * MIN, comment: 'dev rebuild', createdBy: 'alice' });
    await sweep(
      sweepReport([
        { id: 'prod', nodes: [nodeReport('v1', 'sealed'), nodeReport('v2', 'active', { unsealedBy: 'sealwatch' })] },
        { id: 'dev', nodes: [nodeReport('d1', 'sealed')] },
      ]),
    );
    expect(pager.sent.map((n) => `${n.kind} ${n.dedupKey}`)).toEqual(['trigger sealwatch:prod:v1:node.sealed']);
    expect(chat.sent.map((n) => `${n.kind} ${n.dedupKey}`).sort()).toEqual(['info sealwatch:prod:v2:node.unsealed', 'trigger sealwatch:prod:v1:node.sealed']);
    const listed = await alerting.incidents.list();
    expect(listed.map((i) => [i.dedupKey, i.notified])).toEqual([
      ['sealwatch:dev:d1:node.sealed', false],
      ['sealwatch:prod:v1:node.sealed', true],
    ]);
  });

  it('a channel that rejects deliveries raises alerts.delivery-failed, sent to the other channels', async () => {
    const broken = recorder('broken', () => ({ ok: false, retryable: false, status: 403, error: 'action_prohibited' }));
    const good = recorder('good');
    const { sweep, alerting } = setup(undefined, [broken, good]);
    const sealed = sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'sealed')] }]);
    await sweep(sealed);
    await sweep(sealed); // delivery-failed is a warning: seen twice before it opens
    await sweep(sealed);
    const failed = good.sent.filter((n) => n.findingId === 'alerts.delivery-failed');
    expect(failed.map((n) => n.kind)).toEqual(['trigger']);
    expect(failed[0]?.evidence).toMatchObject({ channels: ['broken'] });
    expect(broken.sent.filter((n) => n.findingId === 'alerts.delivery-failed')).toEqual([]);
    const open = await alerting.incidents.list();
    expect(
      open
        .find((i) => i.findingId === 'node.sealed')
        ?.deliveries.map((d) => `${d.channel} ${d.state}`)
        .sort(),
    ).toEqual(['broken failed', 'good delivered']);
  });
});

describe('concurrent evaluations', () => {
  it('two evaluators of the same sweep result leave one trigger in the outbox', async () => {
    const clockA = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
    const clockB = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) + 1 });
    const store = createMemoryStateStore({ clock: clockA });
    const make = (clock: FakeClock) =>
      createAlerting({ store, clock, logger: silentLogger, channels: [recorder('a').channel, recorder('b').channel], clusters: ['prod'] });
    const [a, b] = [make(clockA), make(clockB)];
    const observations = observationsOf(sweepReport([{ id: 'prod', nodes: [nodeReport('v1', 'sealed')] }]));
    const results = await Promise.all([a.incidents.process(observations), b.incidents.process(observations)]);
    // Both evaluated a trigger (different instants, so different ids); only the winner's stays.
    expect(results.map((r) => r.notifications.map((n) => n.kind))).toEqual([['trigger'], ['trigger']]);
    const entries = await a.outbox.list();
    expect(entries.map((e) => e.data.channel).sort()).toEqual(['a', 'b']);
    expect(new Set(entries.map((e) => e.data.notification.id)).size).toBe(1);
    expect(results.reduce((sum, r) => sum + r.enqueued, 0)).toBe(2);
  });
});
