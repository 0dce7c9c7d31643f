import type { AlertRules } from './alert-rules.ts';
import type { Severity } from '../finding.ts';
import type { Notification } from './notification.ts';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Whether `severity` is at least `min`. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return RANK[severity] >= RANK[min];
}

/**
 * The channels a notification goes to: the union of every route whose severity floor and
 * cluster list match, limited to configured channels. No routes: every channel, severity ≥
 * warning. A delivery-failed alert about a channel is never routed back to that channel.
 */
export function routeNotification(
  routes: AlertRules['routes'],
  channelIds: readonly string[],
  notification: Pick<Notification, 'severity' | 'cluster' | 'findingId' | 'evidence'>,
): string[] {
  const effective = routes.length > 0 ? routes : [{ channels: [...channelIds], minSeverity: 'warning' as const }];
  const known = new Set(channelIds);
  const chosen = new Set<string>();
  for (const route of effective) {
    if (!atLeast(notification.severity, route.minSeverity)) continue;
    if (route.clusters && !route.clusters.includes(notification.cluster)) continue;
    for (const id of route.channels) if (known.has(id)) chosen.add(id);
  }
  if (notification.findingId === 'alerts.delivery-failed') {
    const failing = notification.evidence.channels;
    if (Array.isArray(failing)) for (const id of failing) chosen.delete(String(id));
  }
  return [...chosen].sort();
}
