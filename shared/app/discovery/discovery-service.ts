import type { Finding } from '../../core/finding.ts';
import { ConflictError, describeError } from '../../errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { DiscoveryError, type DiscoveredNode, type NodeDiscovery } from '../../ports/node-discovery.ts';
import type { StateStore } from '../../ports/state-store.ts';
import { readClusterRecords } from '../cluster-record-layout.ts';
import type { SweepCluster } from '../sweep-types.ts';
import { discoveryKey, nextRecord, type DiscoveryRecord } from './discovery-record.ts';
import { discoveryFailed, goneFinding, terminatingFinding, truncatedFinding } from './discovery-findings.ts';

/** At most this many discovered nodes per cluster (a wrong selector must not fan out a sweep). */
export const MAX_DISCOVERED_NODES = 99;

export interface DiscoveredCluster {
  /** Where nodes are found, and the two knobs of the semantics. */
  source: NodeDiscovery;
  goneAfterSweeps: number;
  timeoutMs: number;
}

export interface DiscoveryServiceOptions {
  discoveries: ReadonlyMap<string, DiscoveredCluster>;
  store: StateStore;
  clock: Clock;
  logger: Logger;
}

export interface ResolvedClusters {
  clusters: SweepCluster[];
  findings: Map<string, Finding[]>;
}

export interface DiscoveryService {
  /** The sweep's hook: every cluster with its discovered nodes, counting vanished nodes. */
  resolveClusters(clusters: readonly SweepCluster[], signal: AbortSignal): Promise<ResolvedClusters>;
  /** One cluster for a CLI command or API call: read-only (no vanished-node counting). */
  resolveCluster(cluster: SweepCluster, signal: AbortSignal): Promise<{ cluster: SweepCluster; findings: Finding[] }>;
  /** What the source finds now, terminating endpoints included (`sealwatch discover`). */
  discoverNow(clusterId: string, signal: AbortSignal): Promise<DiscoveredNode[]>;
  has(clusterId: string): boolean;
  /** Calls `onChange(clusterId)` when a watchable source (Kubernetes) sees its endpoints change. */
  watch(onChange: (clusterId: string) => void, signal: AbortSignal): void;
}

/**
 * Runs discovery at the start of a sweep: new nodes join, vanished ones stay known (not probed)
 * for `goneAfterSweeps` sweeps then raise `node.gone`; a failing source becomes
 * `discovery.failed` and the last known list (persisted with its age) is used. Trust is not
 * widened here: discovered nodes get the cluster's CA pin and custody checks like static ones.
 */
export function createDiscoveryService(options: DiscoveryServiceOptions): DiscoveryService {
  const { discoveries, store, clock, logger } = options;

  async function resolve(cluster: SweepCluster, signal: AbortSignal, track: boolean): Promise<{ cluster: SweepCluster; findings: Finding[] }> {
    const discovery = discoveries.get(cluster.id);
    if (!discovery) return { cluster, findings: [] };
    const findings: Finding[] = [];
    const prior = await store.get<DiscoveryRecord>(discoveryKey(cluster.id).pk, discoveryKey(cluster.id).sk);
    let found: DiscoveredNode[];
    try {
      found = await discovery.source.discover(AbortSignal.any([signal, AbortSignal.timeout(discovery.timeoutMs)]));
    } catch (error) {
      logger.warn('discovery.failed', { cluster: cluster.id, source: discovery.source.source, error: describeError(error) });
      findings.push(discoveryFailed(cluster.id, discovery.source.source, error, prior?.data ?? null, clock.now()));
      const known = (prior?.data.nodes ?? []).filter((n) => n.missing === 0);
      return { cluster: withNodes(cluster, known), findings };
    }
    const terminating = found.filter((n) => n.terminating);
    findings.push(...terminating.map((n) => terminatingFinding(cluster.id, n)));
    let live = found.filter((n) => !n.terminating && !cluster.nodes.some((s) => s.id === n.id));
    if (live.length > MAX_DISCOVERED_NODES) {
      findings.push(truncatedFinding(cluster.id, live.length));
      live = live.slice(0, MAX_DISCOVERED_NODES);
    }
    if (track) {
      const next = nextRecord(prior?.data ?? null, live, discovery.goneAfterSweeps, clock.now());
      if (next.gone.length > 0) {
        const [states] = await readClusterRecords(store, [cluster.id]);
        findings.push(...next.gone.map((n) => goneFinding(cluster.id, n, states?.data.nodes[n.id]?.state ?? null)));
      }
      if (next.changed || next.gone.length > 0) await save(cluster.id, next.record, prior?.version);
    }
    return { cluster: withNodes(cluster, live), findings };
  }

  async function save(clusterId: string, record: DiscoveryRecord, version: number | undefined): Promise<void> {
    try {
      await store.put({ ...discoveryKey(clusterId), data: record, condition: version === undefined ? { kind: 'absent' } : { kind: 'version', version } });
    } catch (error) {
      // Another sweep recorded its discovery meanwhile: as fresh as ours.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  return {
    async resolveClusters(clusters, signal) {
      const results = await Promise.all(clusters.map((c) => resolve(c, signal, true)));
      const findings = new Map<string, Finding[]>();
      results.forEach((r) => {
        if (r.findings.length > 0) findings.set(r.cluster.id, r.findings);
      });
      return { clusters: results.map((r) => r.cluster), findings };
    },
    resolveCluster: (cluster, signal) => resolve(cluster, signal, false),
    async discoverNow(clusterId, signal) {
      const discovery = discoveries.get(clusterId);
      if (!discovery) throw new DiscoveryError('invalid', `cluster ${clusterId} has no discovery configured`);
      return discovery.source.discover(AbortSignal.any([signal, AbortSignal.timeout(discovery.timeoutMs)]));
    },
    has: (clusterId) => discoveries.has(clusterId),
    watch(onChange, signal) {
      for (const [clusterId, discovery] of discoveries) discovery.source.watch?.(() => onChange(clusterId), signal);
    },
  };
}

/** Static nodes first; discovered nodes follow (ids are unique: a static id wins). */
function withNodes(cluster: SweepCluster, found: readonly { id: string; url: string; insecureHttp?: boolean }[]): SweepCluster {
  const extra = found.map((n) => ({ id: n.id, url: n.url, ...(n.insecureHttp === undefined ? {} : { insecureHttp: n.insecureHttp }) }));
  return { ...cluster, nodes: [...cluster.nodes, ...extra] };
}
