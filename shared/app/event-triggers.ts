import type { RecoveryAction } from './recovery.ts';
import type { SweepCluster } from './sweep-types.ts';

/** An EventBridge event as delivered to a Lambda target (only the fields we read). */
export interface EventBridgeEvent {
  /** Unique per event; EventBridge's retries and duplicate deliveries keep it. */
  id?: unknown;
  source?: unknown;
  'detail-type'?: unknown;
  resources?: unknown;
  detail?: unknown;
}

/** What an event asks for: a recovery per cluster (all nodes when `nodeIds` is empty). */
export type EventTargets =
  | { kind: 'targets'; reason: string; action: RecoveryAction; targets: { clusterId: string; nodeIds: string[] }[] }
  | { kind: 'ignored'; reason: string };

export interface EventTriggerOptions {
  clusters: readonly SweepCluster[];
  /** Tag keys naming the cluster and the node (default `sealwatch:cluster`, `sealwatch:node`). */
  clusterTag?: string;
  nodeTag?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Maps EventBridge events to targeted recoveries. Pure: tags must come with the event (Tag
 * Change events, lifecycle-hook `NotificationMetadata`, custom events) or from a lookup the
 * caller did before.
 * - `CloudWatch Alarm State Change` into `ALARM`: the alarm name `sealwatch/<cluster>[/<node>]`,
 *   else a metric dimension named like the cluster tag / `vault_cluster`, else a cluster id that
 *   appears as a whole word in the alarm name.
 * - Auto Scaling `EC2 Instance-launch Lifecycle Action` / `EC2 Instance Launch Successful`, and
 *   EC2 `running` state changes: cluster and node from tags (`tags` argument or metadata JSON),
 *   else the Auto Scaling group name.
 * - `sealwatch.recover` (any source): `detail: {cluster, node?, action?}`.
 */
export function eventTargets(event: EventBridgeEvent, options: EventTriggerOptions, tags: Record<string, string> = {}): EventTargets {
  const detailType = str(event['detail-type']) ?? '';
  const detail = isObj(event.detail) ? event.detail : {};
  const clusterTag = options.clusterTag ?? 'sealwatch:cluster';
  const nodeTag = options.nodeTag ?? 'sealwatch:node';
  const find = (id: string | undefined) => options.clusters.find((c) => c.id === id);
  const target = (clusterId: string, nodeId: string | undefined) => {
    const cluster = find(clusterId);
    if (!cluster) return null;
    return { clusterId, nodeIds: nodeId && cluster.nodes.some((n) => n.id === nodeId) ? [nodeId] : [] };
  };
  const byWord = (text: string) => {
    const lower = text.toLowerCase();
    // Longest id first, so `prod-eu` wins over `prod` in "prod-eu-vault-sealed".
    const ids = options.clusters.map((c) => c.id).sort((a, b) => b.length - a.length);
    return ids.find((id) => new RegExp(`(^|[^a-z0-9])${id}($|[^a-z0-9])`).test(lower));
  };
  const fromTags = (t: Record<string, string>) => {
    const cluster = t[clusterTag] ?? t.vault_cluster;
    return cluster ? target(cluster, t[nodeTag] ?? t.vault_node) : null;
  };
  const done = (reason: string, found: { clusterId: string; nodeIds: string[] } | null, action: RecoveryAction = 'recover'): EventTargets =>
    found ? { kind: 'targets', reason, action, targets: [found] } : { kind: 'ignored', reason: `${reason}: no configured cluster matches` };

  if (detailType === 'sealwatch.recover') {
    const action = str(detail.action) ?? 'recover';
    if (action !== 'sweep' && action !== 'recover' && action !== 'unseal')
      return { kind: 'ignored', reason: `sealwatch.recover: unknown action "${action.slice(0, 32)}"` };
    const cluster = str(detail.cluster);
    if (!cluster) return { kind: 'ignored', reason: 'sealwatch.recover: detail.cluster is required' };
    const node = str(detail.node);
    if (node !== undefined && !find(cluster)?.nodes.some((n) => n.id === node))
      return { kind: 'ignored', reason: `sealwatch.recover: cluster ${cluster.slice(0, 64)} has no node ${node.slice(0, 64)}` };
    return done('sealwatch.recover', target(cluster, node), action);
  }

  if (detailType === 'CloudWatch Alarm State Change') {
    const state = isObj(detail.state) ? str(detail.state.value) : undefined;
    const name = str(detail.alarmName) ?? '';
    if (state !== 'ALARM') return { kind: 'ignored', reason: `alarm ${name.slice(0, 128)} is ${state ?? 'unknown'}, not ALARM` };
    const named = /^sealwatch\/([a-z0-9][a-z0-9-]{0,62})(?:\/([a-z0-9][a-z0-9-]{0,62}))?$/.exec(name);
    if (named) return done(`alarm ${name}`, target(named[1] as string, named[2]));
    const dims = alarmDimensions(detail);
    const fromDims = fromTags({
      ...dims,
      ...(dims.VaultCluster ? { [clusterTag]: dims.VaultCluster } : {}),
      ...(dims.VaultNode ? { [nodeTag]: dims.VaultNode } : {}),
    });
    if (fromDims) return done(`alarm ${name.slice(0, 128)}`, fromDims);
    const word = byWord(name);
    return done(`alarm ${name.slice(0, 128)}`, word ? target(word, undefined) : null);
  }

  const launch = detailType === 'EC2 Instance-launch Lifecycle Action' || detailType === 'EC2 Instance Launch Successful';
  const running = detailType === 'EC2 Instance State-change Notification' && str(detail.state) === 'running';
  if (launch || running || detailType === 'Tag Change on Resource') {
    const metadata = parseMetadata(str(detail.NotificationMetadata), clusterTag, nodeTag);
    const eventTags = isObj(detail.tags)
      ? (Object.fromEntries(Object.entries(detail.tags).filter(([, v]) => typeof v === 'string')) as Record<string, string>)
      : {};
    const found = fromTags({ ...eventTags, ...metadata, ...tags });
    const instance = str(detail.EC2InstanceId) ?? str(detail['instance-id']) ?? 'unknown instance';
    if (found) return done(`${detailType} ${instance}`, found);
    const group = str(detail.AutoScalingGroupName);
    const word = group ? byWord(group) : undefined;
    return done(`${detailType} ${instance}`, word ? target(word, undefined) : null);
  }
  return { kind: 'ignored', reason: `unhandled event ${str(event.source)?.slice(0, 64) ?? '?'} / ${detailType.slice(0, 128)}` };
}

/** Dimensions of the alarm's metrics (single-metric and metric-math alarms alike). */
function alarmDimensions(detail: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  const config = isObj(detail.configuration) ? detail.configuration : {};
  for (const m of Array.isArray(config.metrics) ? config.metrics : []) {
    const metric = isObj(m) && isObj(m.metricStat) && isObj(m.metricStat.metric) ? m.metricStat.metric : {};
    if (isObj(metric.dimensions)) for (const [k, v] of Object.entries(metric.dimensions)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Lifecycle hooks carry free text; sealwatch reads it when it is a JSON object of strings. */
function parseMetadata(text: string | undefined, clusterTag: string, nodeTag: string): Record<string, string> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (!isObj(value)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k === 'cluster' ? clusterTag : k === 'node' ? nodeTag : k] = v;
    return out;
  } catch {
    return {};
  }
}
