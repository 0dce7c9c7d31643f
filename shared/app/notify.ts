import { randomBytes } from 'node:crypto';
import type { Finding } from '../core/finding.ts';
import { resolveAlertsConfig } from '../core/incidents/policy.ts';
import type { Observations } from '../core/incidents/types.ts';
import type { AlertsConfig } from '../config/types.ts';
import { describeError, NotFoundError } from '../errors.ts';
import type { AlertChannel, Notification } from '../ports/alert-channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import { createIncidentService, type IncidentService } from './incident-service.ts';
import { createOutbox, deliveryFindings, type Outbox } from './outbox.ts';
import { createOutboxDrain, type DrainOutcome, type DrainResult, type OutboxDrain } from './outbox-drain.ts';
import { createSilenceStore, type SilenceStore } from './silences.ts';
import type { SweepReport } from './sweep-types.ts';

/** How long a sweep spends delivering; the rest waits for the next drain (the serve timer or next sweep). */
const SWEEP_DRAIN_BUDGET_MS = 20_000;

export interface Alerting {
  incidents: IncidentService;
  silences: SilenceStore;
  outbox: Outbox;
  drain: OutboxDrain;
  /**
   * Alerting's part of one sweep, begun when the sweep starts: the outbox is listed while the nodes are observed
   * (what was pending then, and the delivery failures to report), and a store that still has
   * incident items in the former layout has them moved; `finish` does the rest once the
   * report is complete (incidents are read then, and the silences if the sweep saw a condition, so
   * an acknowledgement or silence made during the sweep counts): incidents evaluated, the outbox
   * written, then drained.
   * `abandon` waits for the early read when the sweep stops
   * without a report, so nothing is left running. Never throws.
   */
  beginAfterSweep(): { finish(report: SweepReport): Promise<void>; abandon(): Promise<void> };
  /**
   * Sends a `kind: 'test'` notification to one channel through the outbox and drains it now
   * (waiting up to `waitMs` for retries). Throws NotFoundError for an unknown channel.
   */
  sendTest(channelId: string, options?: { waitMs?: number }): Promise<DrainResult['outcomes']>;
}

export interface AlertingOptions {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** `alerts` from the config; absent means the documented defaults. */
  alerts?: AlertsConfig;
  channels: readonly AlertChannel[];
  clusters: readonly string[];
  /** Jitter source for retries (tests inject one). */
  random?: () => number;
  deliveryTimeoutMs?: number;
  /** Told every delivery outcome (the runtime counts them for `GET /metrics`). */
  onDelivery?: (outcome: DrainOutcome) => void;
  /** Where silences and acknowledgements are audited (default: the audit log in `store`). */
  audit?: AuditLog;
}

/** Incidents, silences, outbox and drain over one state store, ready for the sweep to call. */
export function createAlerting(options: AlertingOptions): Alerting {
  const { store, clock, logger } = options;
  const alerts = resolveAlertsConfig(options.alerts);
  const channels = [...options.channels];
  const outbox = createOutbox({ store, clock, giveUpAfterMs: alerts.giveUpAfterMs });
  const audit = options.audit ?? createAuditLog({ store, clock });
  const silences = createSilenceStore({ store, clock, audit });
  const incidents = createIncidentService({
    store,
    clock,
    logger,
    alerts,
    outbox,
    silences,
    clusters: options.clusters,
    channelIds: () => channels.map((c) => c.id),
    audit,
  });
  const drain = createOutboxDrain({
    outbox,
    channels: () => channels,
    clock,
    logger,
    giveUpAfterMs: alerts.giveUpAfterMs,
    ...(options.random ? { random: options.random } : {}),
    ...(options.deliveryTimeoutMs ? { deliveryTimeoutMs: options.deliveryTimeoutMs } : {}),
    ...(options.onDelivery ? { onOutcome: options.onDelivery } : {}),
  });

  /** Evaluates one sweep's report with reads begun earlier (or now), writes the outbox, drains it. */
  async function finishAfterSweep(report: SweepReport, listing: Promise<Awaited<ReturnType<Outbox['list']>>>): Promise<void> {
    try {
      const entries = await listing;
      const failures = deliveryFindings(entries);
      const observations = observationsOf(report, failures);
      const { notifications, enqueued } = await incidents.process(observations);
      if (notifications.length > 0) logger.info('incidents.notified', { notifications: notifications.length, enqueued });
      // Nothing pending before and nothing enqueued now: the drain would only list the outbox again.
      if (enqueued > 0 || entries.some((e) => e.data.state === 'pending')) await drain.run({ budgetMs: SWEEP_DRAIN_BUDGET_MS });
    } catch (error) {
      // Alerting trouble must not fail the sweep; the outbox keeps what was written for the next drain.
      logger.error('alerts.after_sweep_failed', { error: describeError(error) });
    }
  }

  return {
    incidents,
    silences,
    outbox,
    drain,
    beginAfterSweep() {
      const entries = outbox.list();
      // The one-time move of incident items (a fresh or upgraded store) while the nodes are
      // observed; `finish` reads the incidents after it. A failure here is retried by the read.
      const prepared = incidents.prepare().catch((error: unknown) => logger.warn('incidents.prepare_failed', { error: describeError(error) }));
      // Awaited by `finish` or `abandon`; marked handled so a failure before then is not an
      // unhandled rejection.
      entries.catch(() => undefined);
      return {
        finish: async (report) => {
          await prepared;
          return finishAfterSweep(report, entries);
        },
        abandon: async () => void (await Promise.all([entries.catch(() => undefined), prepared])),
      };
    },
    async sendTest(channelId, testOptions = {}) {
      if (!channels.some((c) => c.id === channelId)) {
        throw new NotFoundError(`no channel "${channelId}" is configured (known: ${channels.map((c) => c.id).join(', ') || 'none'})`);
      }
      const now = new Date(clock.now()).toISOString();
      const notification: Notification = {
        id: `sealwatch:test:${channelId}#test#${now}#${randomBytes(3).toString('hex')}`,
        kind: 'test',
        dedupKey: `sealwatch:test:-:alerts.test`,
        severity: 'info',
        title: 'sealwatch test notification',
        message: 'A test notification from sealwatch: this channel is configured and reachable.',
        cluster: 'test',
        findingId: 'alerts.test',
        evidence: { channel: channelId },
        openedAt: now,
        occurredAt: now,
      };
      await outbox.enqueue(notification, [channelId]);
      const only = (entry: { notification: Notification }) => entry.notification.id === notification.id;
      const outcomes: DrainResult['outcomes'] = [];
      const deadline = clock.now() + (testOptions.waitMs ?? 0);
      for (;;) {
        const result = await drain.run({ only });
        outcomes.push(...result.outcomes);
        if (result.nextDueAt === null || result.nextDueAt > deadline) return outcomes;
        await clock.sleep(Math.max(0, result.nextDueAt - clock.now()));
      }
    },
  };
}

/**
 * What one sweep report says for incidents: the clusters it looked at, their findings, plus
 * node findings derived from node states unless a health check already reported the same
 * (node, id) — sealed → `node.sealed` (critical), unreachable → `node.unreachable` (warning) —
 * and the delivery failures of those clusters. A node unsealed by sealwatch is an `info` event.
 */
export function observationsOf(report: SweepReport, failures: readonly Finding[] = []): Observations {
  const findings: Finding[] = [];
  const events: Finding[] = [];
  const observed = new Set(report.clusters.map((c) => c.id));
  for (const cluster of report.clusters) {
    const own = cluster.findings ?? [];
    findings.push(...own);
    const reported = new Set(own.map((f) => `${f.node ?? ''}\u0000${f.id}`));
    const derive = (node: string, id: string, severity: Finding['severity'], message: string, evidence: Finding['evidence']) => {
      if (!reported.has(`${node}\u0000${id}`)) findings.push({ id, severity, cluster: cluster.id, node, message, evidence });
    };
    for (const node of cluster.nodes) {
      if (node.state === 'sealed') {
        derive(node.id, 'node.sealed', 'critical', `${node.id} is sealed`, { httpStatus: node.httpStatus, since: node.since });
      } else if (node.state === 'unreachable') {
        derive(node.id, 'node.unreachable', 'warning', `${node.id} is unreachable${node.error ? ` (${node.error.reason})` : ''}`, {
          reason: node.error?.reason ?? null,
          since: node.since,
        });
      }
      if (node.unsealedBy === 'sealwatch') {
        // The transition of this sweep (sealed → unsealed by sealwatch), with when the seal was
        // detected and when it was repaired, so the notification tells the whole story.
        const detectedAt = node.passedThrough?.state === 'sealed' ? node.passedThrough.detectedAt : null;
        events.push({
          id: 'node.unsealed',
          severity: 'info',
          cluster: cluster.id,
          node: node.id,
          message: detectedAt
            ? `${node.id} was sealed (detected ${detectedAt}) and sealwatch unsealed it at ${node.since}; now ${node.state}`
            : `${node.id} was sealed and sealwatch unsealed it`,
          evidence: { state: node.state, previousState: node.previousState, detectedAt, unsealedAt: node.since, durationMs: node.unseal?.durationMs ?? null },
        });
      }
    }
  }
  findings.push(...failures.filter((f) => observed.has(f.cluster)));
  return { clusters: [...observed], findings, events };
}
