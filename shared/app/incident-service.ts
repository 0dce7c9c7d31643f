import { evaluateIncidents } from '../core/incidents/evaluate.ts';
import { routeNotification } from '../core/incidents/routing.ts';
import type { ClusterIncidents, IncidentEntry, IncidentsState, Observations } from '../core/incidents/types.ts';
import type { AlertsConfig } from '../config/types.ts';
import { isSilenced } from '../core/incidents/silence.ts';
import { ConflictError, describeError, NotFoundError, ValidationError } from '../errors.ts';
import type { Notification } from '../ports/alert-channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import { clusterItemKey, readClusterItems } from './cluster-partition.ts';
import { conditionalWrite } from './conditional-write.ts';
import type { AuditLog } from './audit-log.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';
import type { SilenceStore } from './silences.ts';

/**
 * Every cluster's incidents live in one partition (`pk INCIDENTS`, `sk CLUSTER#<id>`), so a sweep
 * reads the few clusters that have any with one Query instead of asking for every cluster's item
 * (a BatchGetItem of a thousand keys, nearly all missing, every minute, each charged a read).
 */
export const incidentsKey = (clusterId: string) => clusterItemKey(INCIDENTS_PK, clusterId);
const INCIDENTS_PK = 'INCIDENTS';
/** Where sealwatch 0.1.0 kept them (`pk CLUSTER#<id>`, `sk INCIDENTS`); moved on first read. */
const formerIncidentsKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'INCIDENTS' });
/** Written once the former items are moved (or into a new store), so the move is looked for only once. */
export const INCIDENTS_LAYOUT_KEY = Object.freeze({ pk: INCIDENTS_PK, sk: '#layout' });

/**
 * An incident as `sealwatch incidents` and `GET /v1/incidents` show it: the entry, the silence
 * that mutes it now (if any) and its deliveries per channel.
 */
export interface IncidentView extends IncidentEntry {
  silencedBy: { id: string; createdBy: string; comment: string; expiresAt: string } | null;
  deliveries: {
    channel: string;
    kind: Notification['kind'];
    state: OutboxEntry['state'];
    attempts: number;
    lastStatus?: number;
    lastError?: string;
    deliveredAt?: string;
  }[];
}

export interface IncidentService {
  /** Evaluates one sweep's observations, writes each notification × routed channel to the outbox, then the state. */
  process(observations: Observations): Promise<{ notifications: Notification[]; enqueued: number }>;
  /** Open incidents (and pending conditions with `all`), worst first, with delivery status. */
  list(options?: { all?: boolean }): Promise<IncidentView[]>;
  /**
   * Moves the former layout's incident items once, if that was not done yet (a fresh or upgraded
   * store): a sweep begins it while it observes the nodes, so the one-time move does not wait for
   * the report. Every incident read waits for it (one move at a time in a process).
   */
  prepare(): Promise<void>;
  /**
   * Acknowledges an open incident: its reminders stop until it resolves (updates and the resolve
   * still go out). Audited in the cluster's trail. NotFoundError for no open incident with that
   * dedup key; acknowledging twice keeps the first acknowledgement.
   */
  acknowledge(input: { dedupKey: string; by: string; comment?: string }): Promise<IncidentView>;
}

export interface IncidentServiceOptions {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  alerts: AlertsConfig;
  outbox: Outbox;
  silences: SilenceStore;
  /** Configured cluster ids (for `list`). */
  clusters: readonly string[];
  /** Configured channel ids, for routing. */
  channelIds: () => readonly string[];
  /** Where acknowledgements are audited (default: none). */
  audit?: AuditLog;
}

/**
 * Incident state lives in one item per cluster (`pk INCIDENTS`, `sk CLUSTER#<id>`), written only
 * when the cluster's incidents changed, so a sweep where nothing changed writes nothing.
 * Notifications go to the outbox before the state is written: a crash in between re-notifies on
 * the next sweep (a duplicate with the same dedup key) rather than losing the page.
 */
export function createIncidentService(options: IncidentServiceOptions): IncidentService {
  const { store, clock, logger, alerts, outbox, silences } = options;
  if (!store || !clock || !outbox || !silences) throw new TypeError('createIncidentService needs a store, clock, outbox and silences');

  // Whether this process has seen the layout marker: the move is done, and never undone.
  let layoutMoved = false;
  let preparing: Promise<void> | undefined;

  function prepare(): Promise<void> {
    if (layoutMoved) return Promise.resolve();
    preparing ??= (async () => {
      if ((await store.get(INCIDENTS_LAYOUT_KEY.pk, INCIDENTS_LAYOUT_KEY.sk)) === null) await moveFormerItems();
      layoutMoved = true;
    })().finally(() => {
      preparing = undefined;
    });
    return preparing;
  }

  async function load(clusterIds: readonly string[]): Promise<Map<string, StateItem<ClusterIncidents> | null>> {
    // The one-time move first, one at a time in this process: a move begun by the sweep is waited
    // for, never run a second time beside it (which could read an item between another mover's
    // delete and put, and open its incident again).
    await prepare();
    const items = await readClusterItems<ClusterIncidents>(store, INCIDENTS_PK, clusterIds);
    return new Map(clusterIds.map((id, i) => [id, items[i] ?? null]));
  }

  /**
   * Moves the incident items of the former layout into the incidents partition, once: an upgrade
   * keeps its open incidents, their acknowledgements and reminder times. An item already in the
   * new place wins (a newer sweep wrote it).
   */
  async function moveFormerItems(): Promise<void> {
    const former = await store.getMany<ClusterIncidents>(options.clusters.map(formerIncidentsKey));
    for (const [i, item] of former.entries()) {
      const clusterId = options.clusters[i];
      if (!item || clusterId === undefined) continue;
      // Whoever deletes the former item moves it; another process moving at the same time loses
      // that delete and writes nothing, so an incident moved, resolved and deleted meanwhile is
      // never brought back from a stale read.
      if (!(await conditionalWrite(store.delete(item.pk, item.sk, { kind: 'version', version: item.version })))) continue;
      try {
        await conditionalWrite(store.put<ClusterIncidents>({ ...incidentsKey(clusterId), data: item.data, condition: { kind: 'absent' } }));
      } catch (error) {
        // Deleted from the former place but not written to the new one (a throttled or failed
        // write): the former item is put back, so the next try moves it instead of the incident
        // (its acknowledgement, its reminder times) being lost and paged again.
        await conditionalWrite(store.put<ClusterIncidents>({ pk: item.pk, sk: item.sk, data: item.data, condition: { kind: 'absent' } })).catch(
          (restoreError: unknown) => logger.error('incidents.layout_restore_failed', { cluster: clusterId, error: describeError(restoreError) }),
        );
        throw error;
      }
    }
    await store.put({
      ...INCIDENTS_LAYOUT_KEY,
      data: { movedAt: new Date(clock.now()).toISOString(), moved: former.filter(Boolean).length },
      condition: { kind: 'any' },
    });
    logger.info('incidents.layout_moved', { moved: former.filter(Boolean).length });
  }

  return {
    prepare,
    async process(observations) {
      const now = clock.now();
      // Read when the report is complete, not earlier: an acknowledgement or a silence made while
      // the sweep ran is taken into account (and a stale version would make the write conflict).
      // Silences mute only conditions seen now (evaluateIncidents: resolves and events are never
      // muted), so a sweep that saw none does not read them: one Query less per quiet sweep.
      const conditionsSeen = observations.findings.some((f) => f.severity !== 'info');
      const [stored, active] = await Promise.all([load(observations.clusters), conditionsSeen ? silences.list() : []]);
      const previous: IncidentsState = {};
      for (const [id, item] of stored) if (item) previous[id] = item.data;
      const policy = { openAfter: alerts.openAfter, resolveAfter: alerts.resolveAfter, remindEveryMs: alerts.remindEveryMs, silences: active };
      const { nextState, notifications, changed } = evaluateIncidents(previous, observations, policy, now);
      const channelIds = options.channelIds();
      let enqueued = 0;
      const routedOf = new Map<Notification, string[]>();
      for (const notification of notifications) {
        const routed = routeNotification(alerts.routes, channelIds, notification);
        routedOf.set(notification, routed);
        if (routed.length > 0) enqueued += await outbox.enqueue(notification, routed);
      }
      for (const clusterId of changed) {
        const next = nextState[clusterId];
        const prior = stored.get(clusterId) ?? null;
        if (!next) continue;
        try {
          if (Object.keys(next.entries).length === 0) {
            if (prior) await store.delete(incidentsKey(clusterId).pk, incidentsKey(clusterId).sk, { kind: 'version', version: prior.version });
          } else {
            await store.put<ClusterIncidents>({
              ...incidentsKey(clusterId),
              data: next,
              condition: prior ? { kind: 'version', version: prior.version } : { kind: 'absent' },
            });
          }
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          // Another evaluation (a targeted sweep) wrote this cluster first and notified for it:
          // take ours back so a condition is not paged twice.
          logger.warn('incidents.concurrent_write', { cluster: clusterId });
          for (const [notification, routed] of routedOf) {
            if (notification.cluster !== clusterId || notification.kind === 'info') continue;
            for (const channel of routed) if (await outbox.withdraw(notification.id, channel)) enqueued -= 1;
          }
        }
      }
      return { notifications, enqueued };
    },

    async list(listOptions = {}) {
      const stored = await load(options.clusters);
      const entries = [...stored.values()]
        .flatMap((item) => (item ? Object.values(item.data.entries) : []))
        .filter((e) => listOptions.all || e.status === 'open');
      const active = entries.length > 0 ? await silences.list() : [];
      const views: IncidentView[] = [];
      for (const entry of entries) views.push(await viewOf(entry, active));
      const rank = (e: IncidentEntry) => (e.status === 'open' ? 0 : 2) + (e.severity === 'critical' ? 0 : 1);
      return views.sort((a, b) => rank(a) - rank(b) || a.dedupKey.localeCompare(b.dedupKey));
    },

    async acknowledge({ dedupKey, by, comment }) {
      const author = by.trim();
      if (author === '') throw new ValidationError('an acknowledgement needs an author', ['by: required']);
      const clusterId = dedupKey.split(':')[1] ?? '';
      const notFound = () => new NotFoundError(`no open incident "${dedupKey.slice(0, 255)}"`);
      if (!dedupKey.startsWith('sealwatch:') || !options.clusters.includes(clusterId)) throw notFound();
      // The items of sealwatch 0.1.0 are moved first, if nobody has yet.
      await prepare();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const key = incidentsKey(clusterId);
        const item = await store.get<ClusterIncidents>(key.pk, key.sk);
        const entry = item?.data.entries[dedupKey];
        if (!item || !entry || entry.status !== 'open') throw notFound();
        if (entry.acknowledged) return viewOf(entry, await silences.list());
        const acknowledged = {
          at: new Date(clock.now()).toISOString(),
          by: author.slice(0, 200),
          ...(comment?.trim() ? { comment: comment.trim().slice(0, 500) } : {}),
        };
        const next: IncidentEntry = { ...entry, acknowledged };
        try {
          await store.put<ClusterIncidents>({
            ...key,
            data: { entries: { ...item.data.entries, [dedupKey]: next } },
            condition: { kind: 'version', version: item.version },
          });
        } catch (error) {
          // A sweep wrote the cluster's incidents meanwhile: read them again and retry.
          if (error instanceof ConflictError) continue;
          throw error;
        }
        await options.audit?.record(clusterId, {
          at: acknowledged.at,
          trigger: acknowledged.by,
          action: 'incident-ack',
          node: entry.node ?? '-',
          shareIndexes: [],
          wrappers: [],
          outcome: 'acknowledged',
          timings: { unwrapMs: 0, submitMs: 0, totalMs: 0 },
          message: `${dedupKey} acknowledged${acknowledged.comment ? `: ${acknowledged.comment}` : ''}`.slice(0, 500),
        });
        return viewOf(next, await silences.list());
      }
      throw new ConflictError(`incident ${dedupKey.slice(0, 255)} kept changing; try again`);
    },
  };

  async function viewOf(entry: IncidentEntry, active: Awaited<ReturnType<SilenceStore['list']>>): Promise<IncidentView> {
    const silence = isSilenced(active, { cluster: entry.cluster, node: entry.node, findingId: entry.findingId }, clock.now());
    const items = await outbox.list(`${entry.dedupKey}#`);
    const since = entry.openedAt ?? entry.firstSeenAt;
    const deliveries = items
      .map((i) => i.data)
      .filter((d) => d.notification.occurredAt >= since)
      .map((d) => ({
        channel: d.channel,
        kind: d.notification.kind,
        state: d.state,
        attempts: d.attempts,
        ...(d.lastStatus === undefined ? {} : { lastStatus: d.lastStatus }),
        ...(d.lastError === undefined ? {} : { lastError: d.lastError }),
        ...(d.deliveredAt === undefined ? {} : { deliveredAt: d.deliveredAt }),
      }));
    const silencedBy = silence ? { id: silence.id, createdBy: silence.createdBy, comment: silence.comment, expiresAt: silence.expiresAt } : null;
    return { ...entry, silencedBy, deliveries };
  }
}
