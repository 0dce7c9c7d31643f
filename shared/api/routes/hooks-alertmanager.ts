import { createHash, timingSafeEqual } from 'node:crypto';
import type { RecoveryAsk } from '../../app/recovery-records.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { spend } from '../middleware/rate-limit.ts';
import { AlertmanagerPayloadSchema, parseJsonText, validate, type AlertmanagerPayload } from '../schemas.ts';
import { idempotentAnswer, invocationEnd, requireJobs, startRecovery, startStatus } from './recovery-run.ts';

/** What a notification asks for: clusters to recover (with nodes, or all when empty). */
export interface AlertTargets {
  targets: Map<string, Set<string> | 'all'>;
  firing: number;
  /** Firing alerts whose labels name no configured cluster. */
  unmatched: number;
}

/**
 * Maps firing alerts to clusters (`clusterLabel`) and nodes (`nodeLabel`). The node label may be
 * the node id, `host:port` of its URL or the host alone; a firing alert on a cluster whose node
 * cannot be told recovers the whole cluster.
 */
export function alertTargets(payload: AlertmanagerPayload, clusters: readonly SweepCluster[], labels: { cluster: string; node: string }): AlertTargets {
  const targets = new Map<string, Set<string> | 'all'>();
  let firing = 0;
  let unmatched = 0;
  for (const alert of payload.alerts) {
    if (alert.status !== 'firing') continue;
    firing += 1;
    const cluster = clusters.find((c) => c.id === alert.labels[labels.cluster]);
    if (!cluster) {
      unmatched += 1;
      continue;
    }
    const nodeId = matchNode(cluster, alert.labels[labels.node]);
    const current = targets.get(cluster.id);
    if (nodeId === null || current === 'all') targets.set(cluster.id, 'all');
    else targets.set(cluster.id, (current ?? new Set()).add(nodeId));
  }
  return { targets, firing, unmatched };
}

function matchNode(cluster: SweepCluster, instance: string | undefined): string | null {
  if (!instance) return null;
  const exact = cluster.nodes.find((n) => n.id === instance || new URL(n.url).host === instance);
  if (exact) return exact.id;
  // By host alone only when that names one node (nodes on one host differ by port).
  const host = instance.replace(/:\d+$/, '');
  const byHost = cluster.nodes.filter((n) => n.id === host || new URL(n.url).hostname === host);
  return byHost.length === 1 ? (byHost[0] as { id: string }).id : null;
}

/**
 * The idempotency key of a notification: group, group status and each alert's fingerprint,
 * status and start. Alertmanager resends the whole group; an identical resend changes nothing.
 */
export function notificationKey(payload: AlertmanagerPayload): string {
  const alerts = payload.alerts.map((a) => `${a.fingerprint}|${a.status}|${a.startsAt}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([payload.groupKey, payload.status, alerts]))
    .digest('hex');
}

/** `POST /v1/hooks/alertmanager`: bearer token, then a targeted recovery of the firing clusters. */
export function registerAlertmanagerHook(app: ApiApp, deps: RouteDeps): void {
  const config = deps.api?.alertmanager;
  const expected = config ? digest(config.token.reveal()) : null;
  const labels = { cluster: config?.clusterLabel ?? 'vault_cluster', node: config?.nodeLabel ?? 'instance' };

  app.post('/v1/hooks/alertmanager', async (c) => {
    if (!expected) throw new HttpError(404, 'not_configured', 'the Alertmanager hook is not configured (api.alertmanager.token)');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    // Hashed first so the comparison is constant-time whatever the presented length.
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      throw new HttpError(401, 'unauthorized', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="sealwatch"' });
    }
    // Spent after authentication, so unauthenticated floods cannot use up the sender's budget.
    spend(deps.limiter, 'hook:alertmanager', 'notifications');
    const payload = validate(AlertmanagerPayloadSchema, parseJsonText(await c.req.text()), 'Alertmanager notification');
    const { targets, firing, unmatched } = alertTargets(payload, deps.clusters, labels);
    const counts = { alerts: payload.alerts.length, firing, unmatched };
    if (targets.size === 0) return c.json({ status: 'ignored', ...counts, results: [] });
    requireJobs(deps);
    const requests: RecoveryAsk[] = [...targets].map(([clusterId, nodes]) => ({
      clusterId,
      action: 'recover',
      ...(nodes === 'all' ? {} : { nodeIds: [...nodes] }),
    }));
    // Alertmanager resends the whole group (and retries failed deliveries): an identical
    // notification gets the first answer again, and a failed attempt leaves no record behind.
    const key = notificationKey(payload);
    const decision = await deps.idempotency.run({ namespace: 'alertmanager', key, payload: key, deadlineMs: invocationEnd(c, deps) }, async () => {
      const start = await startRecovery(c, deps, 'alertmanager', requests);
      return { status: startStatus(start), body: { ...start, ...counts } };
    });
    return idempotentAnswer(c, deps, decision);
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
