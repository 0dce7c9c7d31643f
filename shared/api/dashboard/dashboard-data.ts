import type { AuditEvent, AuditLog } from '../../app/audit-log.ts';
import { createCustodyRepository } from '../../app/custody-repository.ts';
import { clusterBlockedFinding, guardFinding } from '../../app/unseal-findings.ts';
import { standingBlocks } from '../../core/custody-types.ts';
import { incidentsKey } from '../../app/incident-service.ts';
import type { RecoveryRecord } from '../../app/recovery-records.ts';
import { createSilenceStore } from '../../app/silences.ts';
import { readHeartbeats, type SweepHeartbeat } from '../../app/sweep-heartbeat.ts';
import { readClusterRecords } from '../../app/cluster-record-layout.ts';
import { SUCCESSFUL_OUTCOMES, type UnsealOutcome } from '../../app/unseal-types.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { ClusterRecord } from '../../core/cluster-record.ts';
import { analyzeCustody, type WrapperFacts } from '../../core/custody-analysis.ts';
import type { Finding, Severity } from '../../core/finding.ts';
import { isSilenced } from '../../core/incidents/silence.ts';
import type { ClusterIncidents, Silence } from '../../core/incidents/types.ts';
import { freshnessOf, type Freshness } from '../../core/staleness.ts';
import type { StateStore } from '../../ports/state-store.ts';
import { nodeStatus } from '../node-status.ts';

/** An open incident as the dashboard shows it (a subset of the incident service's entries). */
export interface DashboardIncident {
  cluster: string;
  node?: string;
  findingId: string;
  severity: Severity;
  message: string;
  /** ISO time it opened (or was first seen). */
  openedAt: string;
  silencedBy: { id: string; createdBy: string } | null;
  acknowledgedBy: string | null;
}

export type DashboardNode = ReturnType<typeof nodeStatus>;

/** What the cluster line says: from the last sweep's summary and findings. */
export interface ClusterLine {
  activeNodes: string[];
  versions: string[];
  /** From the raft checks (clusters with `auth`); null when they did not report it. */
  voters: number | null;
  failureTolerance: number | null;
}

export interface DashboardCluster {
  id: string;
  name: string;
  nodes: DashboardNode[];
  freshness: Freshness;
  line: ClusterLine | null;
}

export type DashboardAuditEvent = AuditEvent & { cluster: string };

/** Everything one page render needs: read first (I/O), rendered after (pure). */
export interface DashboardView {
  generatedAt: string;
  /** `sweep.interval` in ms (the stale banner says what was expected). */
  sweepIntervalMs: number;
  clusters: DashboardCluster[];
  /** The last sweep's findings of every cluster, worst first. */
  findings: Finding[];
  /** Open incidents, worst and oldest first. */
  incidents: DashboardIncident[];
  /** Audited actions (unseals, joins, silences, acknowledgements), newest first. */
  actions: DashboardAuditEvent[];
  /** Recoveries started by routes, hooks and events (with their hand-off state), newest first. */
  recoveries: DashboardRecovery[];
}

/** A recovery as the dashboard lists it: what was asked and how it ended (ids only). */
export interface DashboardRecovery {
  id: string;
  status: RecoveryRecord['status'];
  trigger: string;
  createdAt: string;
  updatedAt: string;
  /** `prod: unseal vault-2` per cluster asked. */
  asked: string[];
  /** Per cluster: `ok`, a failed node count, an error code, or `pending`. */
  outcomes: string[];
  attempts: number;
}

export interface DashboardDataDeps {
  clusters: readonly SweepCluster[];
  store: StateStore;
  audit?: AuditLog;
  sweepIntervalMs: number;
  /** Kind and provider of the configured wrappers: which shares one provider holds. */
  wrapperFacts: () => readonly WrapperFacts[];
  /** Recent recovery records (the recovery jobs service); absent: none listed. */
  recoveries?: (limit: number) => Promise<RecoveryRecord[]>;
}

/** How many audit events (and recovery records) the page lists. */
export const RECENT_LIMIT = 20;

/**
 * Reads node records, last-sweep heartbeats, open incidents (the incident service's per-cluster
 * item), active silences and recent audit events of every configured cluster, and the recent
 * recovery records, from the state store, so every process sharing the store shows the same page.
 */
export async function loadDashboardView(deps: DashboardDataDeps, now: number): Promise<DashboardView> {
  const ids = deps.clusters.map((c) => c.id);
  const silenceStore = createSilenceStore({ store: deps.store, clock: { now: () => now, sleep: async () => {} } });
  const [records, heartbeats, incidentItems, silences, trails, custody, recoveries] = await Promise.all([
    readClusterRecords(deps.store, ids),
    readHeartbeats(deps.store, ids),
    deps.store.getMany<ClusterIncidents>(ids.map(incidentsKey)),
    silenceStore.list(),
    Promise.all(ids.map(async (id) => ((await deps.audit?.list(id, { limit: RECENT_LIMIT })) ?? []).map((e) => ({ ...e, cluster: id })))),
    Promise.all(ids.map((id) => custodyWarnings(deps, id))),
    deps.recoveries?.(RECENT_LIMIT) ?? Promise.resolve([]),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    sweepIntervalMs: deps.sweepIntervalMs,
    clusters: deps.clusters.map((cluster, i) => ({
      id: cluster.id,
      name: cluster.name,
      nodes: cluster.nodes.map((node) => nodeStatus(node, records[i]?.data ?? null)),
      freshness: freshnessOf(heartbeats[i] ? Date.parse((heartbeats[i] as SweepHeartbeat).at) : null, now, deps.sweepIntervalMs),
      line: lineOf(heartbeats[i] ?? null),
    })),
    findings: dedupeFindings(
      heartbeats.flatMap((h, i) =>
        withNodeFindings(deps.clusters[i] as SweepCluster, records[i]?.data ?? null, [...(custody[i] ?? []), ...(h?.findings ?? [])]),
      ),
    ).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.cluster.localeCompare(b.cluster)),
    incidents: incidentItems.flatMap((item) => openIncidents(item?.data, silences, now)).sort(bySeverityThenAge),
    actions: trails
      .flat()
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, RECENT_LIMIT),
    recoveries: recoveries.map(toDashboardRecovery),
  };
}

function toDashboardRecovery(r: RecoveryRecord): DashboardRecovery {
  return {
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    asked: r.requests.map((q) => `${q.clusterId}: ${q.action}${q.nodeIds?.length ? ` ${q.nodeIds.join(', ')}` : ''}${q.dryRun ? ' (dry run)' : ''}`),
    outcomes: r.results.map((o) => {
      if (o === null) return 'pending';
      if ('error' in o) return o.error.code;
      const failed = o.unseal?.nodes.filter((n) => !SUCCESSFUL_OUTCOMES.has(n.outcome as UnsealOutcome)).length ?? 0;
      return o.unseal && !o.unseal.ok ? `${failed} node(s) not unsealed` : 'ok';
    }),
    attempts: r.attempts,
  };
}

/**
 * The sweep's findings plus the two the alerting layer derives from node states (sealed →
 * `node.sealed`, unreachable → `node.unreachable`) unless a check reported them already, so a
 * sealed node is an open finding here as it is an incident there.
 */
function withNodeFindings(cluster: SweepCluster, record: ClusterRecord | null, findings: readonly Finding[]): Finding[] {
  const reported = new Set(findings.map((f) => `${f.node ?? ''}\u0000${f.id}`));
  const derived: Finding[] = [];
  for (const node of cluster.nodes) {
    const r = record?.nodes[node.id];
    if (r?.state === 'sealed' && !reported.has(`${node.id}\u0000node.sealed`)) {
      derived.push({ id: 'node.sealed', severity: 'critical', cluster: cluster.id, node: node.id, message: `${node.id} is sealed`, evidence: {} });
    } else if (r?.state === 'unreachable' && !reported.has(`${node.id}\u0000node.unreachable`)) {
      derived.push({
        id: 'node.unreachable',
        severity: 'warning',
        cluster: cluster.id,
        node: node.id,
        message: `${node.id} is unreachable${r.errorReason ? ` (${r.errorReason})` : ''}`,
        evidence: {},
      });
    }
  }
  return [...derived, ...findings];
}

/**
 * The structural custody warnings `sealwatch keys status` gives (one provider alone holding the
 * threshold, one provider's outage leaving too few shares), from the share records' wrapper ids:
 * nothing is unwrapped. Shown here rather than raised by sweeps, where a deliberate
 * single-wrapper setup would otherwise keep a warning incident open for ever.
 */
async function custodyWarnings(deps: DashboardDataDeps, clusterId: string): Promise<Finding[]> {
  const repo = createCustodyRepository(deps.store);
  const meta = await repo.meta(clusterId);
  if (!meta) return [];
  const [records, block, guards] = await Promise.all([repo.shares(clusterId), repo.block(clusterId), repo.guards(clusterId)]);
  const shares = records.map((item) => ({ index: item.data.index, wrapper: item.data.wrapper }));
  // Wrong-key and rejection blocks stand until the custody changes or an operator clears them,
  // whatever the node's state now: read from state, not from the last sweep.
  const blocks = standingBlocks(
    meta.data.generation,
    block?.data ?? null,
    guards.map((g) => g.data),
  );
  return [
    ...(blocks.cluster ? [clusterBlockedFinding(clusterId, blocks.cluster)] : []),
    ...blocks.nodes.map((g) => guardFinding(clusterId, g, null)),
    ...analyzeCustody({ clusterId, threshold: meta.data.threshold, shares, wrappers: deps.wrapperFacts() }).findings,
  ];
}

/** One entry per (cluster, node, id): a block read from state and the sweep's copy of it are one. */
function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.cluster}\n${f.node ?? ''}\n${f.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function lineOf(heartbeat: SweepHeartbeat | null): ClusterLine | null {
  if (!heartbeat) return null;
  const tolerance = heartbeat.findings.find((f) => f.id === 'raft.failure-tolerance')?.evidence;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    activeNodes: heartbeat.summary.activeNodes,
    versions: heartbeat.summary.versions,
    voters: num(tolerance?.voters),
    failureTolerance: num(tolerance?.failureTolerance),
  };
}

function openIncidents(data: ClusterIncidents | undefined, silences: readonly Silence[], now: number): DashboardIncident[] {
  return Object.values(data?.entries ?? {})
    .filter((e) => e.status === 'open')
    .map((e) => {
      const silence = isSilenced(silences, { cluster: e.cluster, node: e.node, findingId: e.findingId }, now);
      return {
        cluster: e.cluster,
        ...(e.node === undefined ? {} : { node: e.node }),
        findingId: e.findingId,
        severity: e.severity,
        message: e.message,
        openedAt: e.openedAt ?? e.firstSeenAt,
        silencedBy: silence ? { id: silence.id, createdBy: silence.createdBy } : null,
        acknowledgedBy: e.acknowledged?.by ?? null,
      };
    });
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function bySeverityThenAge(a: DashboardIncident, b: DashboardIncident): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.openedAt.localeCompare(b.openedAt);
}
