import type { Notification, NotificationKind } from './notification.ts';
import type { Finding, Severity } from '../finding.ts';
import { dedupKeyOf } from './dedup-key.ts';
import { isSilenced } from './silence.ts';
import type { ClusterIncidents, Evaluation, IncidentEntry, IncidentPolicy, IncidentsState, Observations } from './types.ts';

/**
 * One step of the incident lifecycle, pure. For every condition of the observed clusters:
 * - seen: pending until seen `openAfter[severity]` sweeps in a row, then open (→ `trigger`);
 *   a severity change of an open incident → `update`; an open critical incident not notified
 *   for `remindEveryMs` → `reminder`;
 * - not seen: a pending one is dropped (the count is of consecutive sweeps); an open one
 *   resolves after `resolveAfter` healthy sweeps in a row (→ `resolve`), so a node flapping on
 *   every sweep stays one incident.
 * Silenced conditions still open and resolve but send nothing; a trigger withheld by a silence
 * goes out once the silence ends while the incident is still open. Silences bear only on the
 * conditions seen now (not on resolves or events): without a non-info finding, the result is the
 * same whatever the silences, and the incident service does not read them.
 * An acknowledged incident sends no reminders (updates and the resolve still go out).
 * `events` become `info` notifications without an incident.
 */
export function evaluateIncidents(previous: IncidentsState, observations: Observations, policy: IncidentPolicy, now: number): Evaluation {
  const nowIso = new Date(now).toISOString();
  const nextState: IncidentsState = { ...previous };
  const notifications: Notification[] = [];
  const changed: string[] = [];

  for (const cluster of observations.clusters) {
    const before = previous[cluster] ?? { entries: {} };
    const seen = new Map<string, Finding>();
    for (const finding of observations.findings) {
      if (finding.cluster !== cluster || finding.severity === 'info') continue;
      const key = dedupKeyOf(cluster, finding.node, finding.id);
      const other = seen.get(key);
      // Two findings of one condition in one sweep: the worse one counts.
      if (!other || rank(finding.severity) > rank(other.severity)) seen.set(key, finding);
    }
    const entries: Record<string, IncidentEntry> = {};
    let dirty = false;
    for (const [key, finding] of seen) {
      const step = observe(before.entries[key], finding, key, policy, now, nowIso);
      entries[key] = step.entry;
      notifications.push(...step.notifications);
      dirty ||= step.dirty;
    }
    for (const [key, entry] of Object.entries(before.entries)) {
      if (seen.has(key)) continue;
      const step = recover(entry, policy, nowIso);
      if (step.entry) entries[key] = step.entry;
      notifications.push(...step.notifications);
      dirty = true;
    }
    if (dirty) {
      nextState[cluster] = { entries } satisfies ClusterIncidents;
      changed.push(cluster);
    }
  }

  for (const event of observations.events) {
    notifications.push(
      notificationOf(
        'info',
        {
          dedupKey: dedupKeyOf(event.cluster, event.node, event.id),
          cluster: event.cluster,
          ...(event.node === undefined ? {} : { node: event.node }),
          findingId: event.id,
          severity: 'info',
          message: event.message,
          evidence: event.evidence,
          openedAt: nowIso,
        },
        nowIso,
      ),
    );
  }
  return { nextState, notifications, changed };
}

interface Step {
  entry: IncidentEntry;
  notifications: Notification[];
  dirty: boolean;
}

function observe(prior: IncidentEntry | undefined, finding: Finding, key: string, policy: IncidentPolicy, now: number, nowIso: string): Step {
  const severity = finding.severity;
  const silenced = isSilenced(policy.silences, { cluster: finding.cluster, node: finding.node, findingId: finding.id }, now) !== undefined;
  if (!prior || prior.status === 'pending') {
    const entry: IncidentEntry = prior
      ? { ...prior, hits: prior.hits + 1, severity, message: finding.message, evidence: finding.evidence }
      : {
          dedupKey: key,
          cluster: finding.cluster,
          ...(finding.node === undefined ? {} : { node: finding.node }),
          findingId: finding.id,
          status: 'pending',
          severity,
          message: finding.message,
          evidence: finding.evidence,
          hits: 1,
          healthy: 0,
          firstSeenAt: nowIso,
          notified: false,
        };
    if (entry.hits < openAfter(policy, severity)) return { entry, notifications: [], dirty: true };
    const opened: IncidentEntry = { ...entry, status: 'open', openedAt: nowIso, notified: !silenced };
    if (silenced) return { entry: opened, notifications: [], dirty: true };
    return { entry: { ...opened, lastNotifiedAt: nowIso }, notifications: [notificationOf('trigger', opened, nowIso)], dirty: true };
  }

  // Open: a healthy streak is broken, the severity may have moved, a reminder may be due.
  let entry: IncidentEntry = prior;
  let dirty = false;
  if (entry.healthy !== 0) {
    entry = { ...entry, healthy: 0 };
    dirty = true;
  }
  const notifications: Notification[] = [];
  if (severity !== entry.severity) {
    const from = entry.severity;
    entry = { ...entry, severity, message: finding.message, evidence: finding.evidence };
    dirty = true;
    if (!silenced && entry.notified) {
      entry = { ...entry, lastNotifiedAt: nowIso };
      notifications.push(notificationOf('update', entry, nowIso, `Severity changed from ${from} to ${severity}.`));
    }
  }
  if (!silenced && !entry.notified) {
    // Opened under a silence that has ended: page now.
    entry = { ...entry, notified: true, lastNotifiedAt: nowIso };
    notifications.push(notificationOf('trigger', entry, nowIso));
    dirty = true;
  } else if (!silenced && !entry.acknowledged && notifications.length === 0 && entry.severity === 'critical' && remindDue(entry, policy, now)) {
    entry = { ...entry, lastNotifiedAt: nowIso };
    notifications.push(notificationOf('reminder', entry, nowIso));
    dirty = true;
  }
  return { entry, notifications, dirty };
}

function recover(entry: IncidentEntry, policy: IncidentPolicy, nowIso: string): { entry?: IncidentEntry; notifications: Notification[] } {
  if (entry.status === 'pending') return { notifications: [] };
  const healthy = entry.healthy + 1;
  if (healthy < policy.resolveAfter) return { entry: { ...entry, healthy }, notifications: [] };
  // An incident nobody was told about resolves quietly; one that paged always gets its resolve,
  // even under a silence, so the page closes.
  return { notifications: entry.notified ? [notificationOf('resolve', entry, nowIso)] : [] };
}

function openAfter(policy: IncidentPolicy, severity: Severity): number {
  return Math.max(1, severity === 'critical' ? policy.openAfter.critical : policy.openAfter.warning);
}

function remindDue(entry: IncidentEntry, policy: IncidentPolicy, now: number): boolean {
  if (policy.remindEveryMs <= 0) return false;
  const last = Date.parse(entry.lastNotifiedAt ?? entry.openedAt ?? entry.firstSeenAt);
  return now - last >= policy.remindEveryMs;
}

function rank(severity: Severity): number {
  return severity === 'critical' ? 2 : severity === 'warning' ? 1 : 0;
}

type NotificationSource = Pick<IncidentEntry, 'dedupKey' | 'cluster' | 'node' | 'findingId' | 'severity' | 'message' | 'evidence' | 'openedAt'>;

/** Deterministic id: one notification per (condition, kind, instant), so re-enqueueing is idempotent. */
export function notificationOf(kind: NotificationKind, source: NotificationSource, nowIso: string, note?: string): Notification {
  const where = source.node === undefined ? source.cluster : `${source.cluster}/${source.node}`;
  const openedAt = source.openedAt ?? nowIso;
  const head = firstLine(source.message);
  const title = {
    trigger: `${where}: ${head}`,
    update: `${where}: ${head} (now ${source.severity})`,
    reminder: `${where}: still open: ${head}`,
    resolve: `${where}: resolved: ${head}`,
    info: `${where}: ${head}`,
    test: `${where}: test notification`,
  }[kind];
  const body = {
    trigger: `${source.message} (${source.findingId}, ${source.severity}, since ${openedAt}).`,
    update: `${note ?? ''} ${source.message} (${source.findingId}, open since ${openedAt}).`.trim(),
    reminder: `Still open since ${openedAt}: ${source.message} (${source.findingId}, ${source.severity}).`,
    resolve: `Resolved at ${nowIso}, open since ${openedAt}: ${source.message} (${source.findingId}).`,
    info: `${source.message} (${source.findingId}).`,
    test: 'A test notification from sealwatch: this channel is configured and reachable.',
  }[kind];
  return {
    id: `${source.dedupKey}#${kind}#${nowIso}`,
    kind,
    dedupKey: source.dedupKey,
    severity: source.severity,
    title: title.slice(0, 150),
    message: body.slice(0, 3000),
    cluster: source.cluster,
    ...(source.node === undefined ? {} : { node: source.node }),
    findingId: source.findingId,
    evidence: { ...source.evidence },
    openedAt,
    occurredAt: nowIso,
  };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
