import type { AuditEvent, AuditLog } from '../../app/audit-log.ts';
import { incidentsKey } from '../../app/incident-service.ts';
import type { RecoveryRecord } from '../../app/recovery-records.ts';
import { SUCCESSFUL_OUTCOMES, type UnsealOutcome } from '../../app/unseal-types.ts';
import { clusterStateKey } from '../../app/sweep.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { ClusterRecord } from '../../core/cluster-record.ts';
import type { Severity } from '../../core/finding.ts';
import type { ClusterIncidents } from '../../core/incidents/types.ts';
import type { NodeState } from '../../core/node-state.ts';
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
}

export interface DashboardNode {
  id: string;
  url: string;
  /** `unknown` until the first sweep recorded the node. */
  state: NodeState | 'unknown';
  since: string | null;
  version: string | null;
  sealType: string | null;
  error: string | null;
}

export interface DashboardCluster {
  id: string;
  name: string;
  nodes: DashboardNode[];
}

export type DashboardAuditEvent = AuditEvent & { cluster: string };

/** Everything one page render needs: read first (I/O), rendered after (pure). */
export interface DashboardView {
  generatedAt: string;
  clusters: DashboardCluster[];
  /** Open incidents, worst and oldest first. */
  incidents: DashboardIncident[];
  /** Successful unseals, newest first. */
  unseals: DashboardAuditEvent[];
  /** Every audited action, newest first. */
  audit: DashboardAuditEvent[];
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
  /** Recent recovery records (the recovery jobs service); absent: none listed. */
  recoveries?: (limit: number) => Promise<RecoveryRecord[]>;
}

/** How many audit events (and unseals) the page lists. */
export const RECENT_LIMIT = 20;

/**
 * Reads node records, open incidents (the incident service's per-cluster item) and recent audit
 * events of every configured cluster from the state store.
 */
export async function loadDashboardView(deps: DashboardDataDeps, now: number): Promise<DashboardView> {
  const [records, incidentItems, trails, recoveries] = await Promise.all([
    deps.store.getMany<ClusterRecord>(deps.clusters.map((c) => clusterStateKey(c.id))),
    deps.store.getMany<ClusterIncidents>(deps.clusters.map((c) => incidentsKey(c.id))),
    Promise.all(
      deps.clusters.map(async (cluster) =>
        ((await deps.audit?.list(cluster.id, { limit: RECENT_LIMIT })) ?? []).map((e) => ({ ...e, cluster: cluster.id })),
      ),
    ),
    deps.recoveries?.(RECENT_LIMIT) ?? Promise.resolve([]),
  ]);
  const audit = trails.flat().sort((a, b) => b.at.localeCompare(a.at));
  return {
    generatedAt: new Date(now).toISOString(),
    clusters: deps.clusters.map((cluster, i) => toDashboardCluster(cluster, records[i]?.data ?? null)),
    incidents: incidentItems.flatMap((item) => openIncidents(item?.data)).sort(bySeverityThenAge),
    unseals: audit.filter((e) => e.action === 'unseal' && e.outcome === 'unsealed').slice(0, RECENT_LIMIT),
    audit: audit.slice(0, RECENT_LIMIT),
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

function toDashboardCluster(cluster: SweepCluster, record: ClusterRecord | null): DashboardCluster {
  return {
    id: cluster.id,
    name: cluster.name,
    nodes: cluster.nodes.map((node) => nodeStatus(node, record)),
  };
}

function openIncidents(data: ClusterIncidents | undefined): DashboardIncident[] {
  return Object.values(data?.entries ?? {})
    .filter((e) => e.status === 'open')
    .map((e) => ({
      cluster: e.cluster,
      ...(e.node === undefined ? {} : { node: e.node }),
      findingId: e.findingId,
      severity: e.severity,
      message: e.message,
      openedAt: e.openedAt ?? e.firstSeenAt,
    }));
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function bySeverityThenAge(a: DashboardIncident, b: DashboardIncident): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.openedAt.localeCompare(b.openedAt);
}
