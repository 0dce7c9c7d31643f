import { classifyNode } from '../core/classify-node.ts';
import type { ClusterRecord } from '../core/cluster-record.ts';
import type { Finding } from '../core/finding.ts';
import { summarizeCluster } from '../core/cluster-view.ts';
import { NODE_STATES, type NodeState } from '../core/node-state.ts';
import { percentile, planClusterSweep, replanAfterActions, type ClusterPlan, type ObservedNode } from '../core/plan-sweep.ts';
import { ConflictError, describeError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { runUnderLease, SWEEP_LEASE } from './held-lease.ts';
import type { RaftPlanner } from './raft-removal-planner.ts';
import { mapLimit } from './map-limit.ts';
import { observeNode } from './observe-node.ts';
import { createSharedDeadlines, type SharedDeadlines } from './shared-deadlines.ts';
import { createSweepBatch } from './sweep-batch.ts';
import type { ActionExecutor, ActionReport, ClusterReport, NodeReport, SweepCluster, SweepReport } from './sweep-types.ts';

export type { ActionExecutor };

export interface SweepServiceOptions {
  clusters: readonly SweepCluster[];
  vault: VaultClientFactory;
  store: StateStore;
  leases: LeaseManager;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  nodeTimeoutMs: number;
  /** Whether a cluster's sealed nodes are unsealed in the sweep (custody exists and enabled). */
  autoUnseal?: (clusterId: string) => Promise<boolean>;
  /** Whether the plan joins a cluster's uninitialized configured nodes (`raft.autoJoin`). */
  raftAutoJoin?: (clusterId: string) => boolean;
  /**
   * Plans what needs the cluster's raft state (read with the control token) after the first
   * actions: a dead peer to remove. Its actions go through `execute` like the others.
   */
  raftPlanner?: RaftPlanner;
  execute?: ActionExecutor;
  /**
   * Per-cluster checks beyond node states (raft, autopilot, key health, storage backend...),
   * run after actions on the final plan. A failing inspector becomes a finding, never an
   * exception.
   */
  inspectors?: readonly ClusterInspector[];
  /** Runs once the report is complete, before the lease is released (incidents, outbox). */
  afterSweep?: (report: SweepReport) => Promise<void>;
  /**
   * Node discovery: called once at the start of `run`, under the lease, with the clusters in
   * scope. Returns them with their node lists resolved (static + discovered) and findings per
   * cluster id (`discovery.failed`, `node.gone`...) that join that cluster's report. Everything
   * after it (observe, plan, actions, inspectors, report) uses the resolved clusters. Must not
   * throw for a failing source: it reports a finding and falls back to the last known list.
   */
  resolveClusters?: (clusters: readonly SweepCluster[], signal: AbortSignal) => Promise<{ clusters: SweepCluster[]; findings: Map<string, Finding[]> }>;
}

/** Looks at one cluster after the sweep's own observations and returns findings. */
export interface ClusterInspector {
  /** Stable name, used in the finding that reports the inspector itself failing. */
  name: string;
  inspect(input: { cluster: SweepCluster; plan: ClusterPlan; trigger: string; signal: AbortSignal }): Promise<Finding[]>;
}

export interface SweepService {
  /** One sweep of every cluster, or of `clusterIds` only (targeted recovery). */
  run(request?: { trigger?: string; clusterIds?: readonly string[] }): Promise<SweepReport>;
}

export const clusterStateKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'STATE' });

/**
 * lease -> observe every node (bounded concurrency, per-node deadline) -> plan (pure) ->
 * apply actions -> persist changed cluster records -> report. Node failures are observations;
 * only a broken state store makes `run` throw.
 */
export function createSweepService(options: SweepServiceOptions): SweepService {
  if (options.concurrency < 1) throw new RangeError('concurrency must be at least 1');
  const { vault, store, leases, clock, logger } = options;

  return {
    async run(request = {}) {
      const trigger = request.trigger ?? 'schedule';
      const startedAt = clock.now();
      const writesBefore = store.writeCount();
      const clusters = request.clusterIds ? options.clusters.filter((c) => request.clusterIds?.includes(c.id)) : options.clusters;
      // Targeted sweeps take their own scope so a webhook never waits for the scheduled sweep.
      const scope = request.clusterIds ? `sweep/${[...request.clusterIds].sort().join(',')}` : 'sweep';
      const ran = await runUnderLease({ leases, logger }, scope, SWEEP_LEASE, async () => {
        const resolved = options.resolveClusters
          ? await options.resolveClusters(clusters, AbortSignal.timeout(30_000))
          : { clusters, findings: new Map<string, Finding[]>() };
        const swept = await sweepClusters(resolved.clusters, trigger, startedAt, resolved.findings, scope);
        await options.afterSweep?.(swept);
        return swept;
      });
      if ('heldBy' in ran) {
        logger.warn('sweep.skipped', { reason: 'lease-held', owner: ran.heldBy.owner });
        return emptyReport(trigger, startedAt, clock.now(), store.writeCount() - writesBefore, {
          reason: 'lease-held',
          heldBy: { owner: ran.heldBy.owner, expiresAt: new Date(ran.heldBy.expiresAt).toISOString() },
        });
      }
      const report = ran.done;
      // Counted after the release so the figure includes every write this sweep caused.
      return { ...report, durationMs: clock.now() - startedAt, stateWrites: store.writeCount() - writesBefore };
    },
  };

  async function sweepClusters(
    clusters: readonly SweepCluster[],
    trigger: string,
    startedAt: number,
    discovered: ReadonlyMap<string, Finding[]>,
    scope: string,
  ): Promise<SweepReport> {
    // The records are read while the nodes are observed: the read does not depend on what the
    // nodes say, and waiting for it afterwards added a store round trip to every sweep. A record
    // changed in between by another writer makes the version-conditioned write below conflict,
    // as it would have if that writer had come a moment later.
    const reading = readPrevious(clusters);
    // Awaited below; marked handled so a failure while observing is not an unhandled rejection.
    reading.catch(() => undefined);
    const observed = await observeAll(clusters);
    const observedAt = clock.now();
    const previous = await reading;
    const reports: ClusterReport[] = [];
    let applyMs = 0;
    let persistMs = 0;
    // Heartbeats and first records go out together in one batched write after the loop.
    const batch = createSweepBatch(store, logger, scope, () => Math.floor(clock.now() / 1000));
    // The deadlines of every cluster's raft planning and checks: calls that start together share
    // one timer and signal (shared-deadlines.ts) instead of a timer each per cluster and check.
    const deadlines = {
      raft: createSharedDeadlines({ timeoutMs: Math.max(options.nodeTimeoutMs * 4, 10_000) }),
      inspect: createSharedDeadlines({ timeoutMs: Math.max(options.nodeTimeoutMs * 2, 5_000) }),
    };
    await mapLimit(clusters, 16, async (cluster, i) => {
      try {
        reports[i] = await sweepOne(cluster, i);
      } catch (error) {
        // One broken cluster (a malformed state item, a failing dependency) gets a finding naming
        // it; the other clusters are swept, unsealed and alerted as usual.
        logger.error('sweep.cluster_failed', { cluster: cluster.id, error });
        reports[i] = failedClusterReport(cluster, observed[i] ?? [], clock.now(), error);
      }
    }).finally(() => {
      deadlines.raft.close();
      deadlines.inspect.close();
    });
    async function sweepOne(cluster: SweepCluster, i: number): Promise<ClusterReport> {
      const read = previous[i];
      if (read instanceof Error) throw read;
      const prior = read ?? null;
      const applyStart = clock.now();
      const { plan, actions, findings } = await planAndApply(cluster, observed[i] ?? [], prior, trigger);
      findings.unshift(...(discovered.get(cluster.id) ?? []));
      const raft = await planRaft(cluster, plan, trigger, deadlines.raft);
      actions.push(...raft.actions);
      findings.push(...raft.findings);
      findings.push(...(await inspect(cluster, plan, trigger, deadlines.inspect)));
      const persistStart = clock.now();
      applyMs += persistStart - applyStart;
      const persisted = !plan.changed
        ? { ok: false }
        : prior
          ? await persist(cluster.id, plan, prior)
          : (batch.firstRecord(clusterStateKey(cluster.id), plan.record, () => reports[i]), { ok: true });
      const report = toClusterReport(cluster, plan, actions, persisted, findings);
      batch.heartbeat(cluster.id, { at: new Date(observedAt).toISOString(), trigger, summary: report.summary, findings });
      persistMs += clock.now() - persistStart;
      return report;
    }
    const heartbeatStart = clock.now();
    await batch.flush();
    persistMs += clock.now() - heartbeatStart;
    const durations = observed.flat().map((n) => n.durationMs);
    return {
      trigger,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: 0,
      clusters: reports,
      totals: totalsOf(reports),
      timings: {
        observeMs: observedAt - startedAt,
        applyMs,
        persistMs,
        p50NodeMs: percentile(durations, 50),
        p99NodeMs: percentile(durations, 99),
      },
      stateWrites: 0,
    };
  }

  /**
   * Every cluster's record in one batch; when the batch fails (e.g. one malformed item), each is
   * read alone, so only the broken cluster carries the error.
   */
  async function readPrevious(clusters: readonly SweepCluster[]): Promise<(StateItem<ClusterRecord> | null | Error)[]> {
    try {
      return await store.getMany<ClusterRecord>(clusters.map((c) => clusterStateKey(c.id)));
    } catch (batchError) {
      logger.warn('sweep.batch_read_failed', { error: batchError });
      return Promise.all(
        clusters.map(async (c) => {
          const key = clusterStateKey(c.id);
          try {
            return await store.get<ClusterRecord>(key.pk, key.sk);
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        }),
      );
    }
  }

  async function observeAll(clusters: readonly SweepCluster[]): Promise<ObservedNode[][]> {
    const flat = clusters.flatMap((cluster, ci) => cluster.nodes.map((node) => ({ cluster, ci, node })));
    const results: ObservedNode[][] = clusters.map(() => []);
    const deadlines = createSharedDeadlines({ timeoutMs: options.nodeTimeoutMs });
    const observations = await mapLimit(flat, options.concurrency, async ({ cluster, node }) => {
      const client = vault.client({
        url: node.url,
        ...(cluster.tls?.caPem === undefined ? {} : { caPem: cluster.tls.caPem }),
        ...(cluster.tls?.serverName === undefined ? {} : { serverName: cluster.tls.serverName }),
        ...(node.insecureHttp === undefined ? {} : { insecureHttp: node.insecureHttp }),
      });
      return observeNode(client, { timeoutMs: options.nodeTimeoutMs, now: () => clock.now(), deadlines });
    }).finally(() => deadlines.close());
    flat.forEach(({ ci, node }, i) => {
      const observation = observations[i];
      if (!observation) return;
      results[ci]?.push({ nodeId: node.id, url: node.url, view: classifyNode(observation), durationMs: observation.durationMs });
    });
    return results;
  }

  async function planAndApply(
    cluster: SweepCluster,
    observed: ObservedNode[],
    prior: StateItem<ClusterRecord> | null,
    trigger: string,
  ): Promise<{ plan: ClusterPlan; actions: ActionReport[]; findings: Finding[] }> {
    const base = { clusterId: cluster.id, previous: prior?.data ?? null, now: clock.now() };
    // Plan as if auto-unseal were on; only when that finds something to unseal is the policy
    // (custody present? opted out?) looked up, so healthy clusters cost no extra reads.
    const raftAutoJoin = options.execute !== undefined && (options.raftAutoJoin?.(cluster.id) ?? false);
    let input = { ...base, policy: { autoUnseal: options.execute !== undefined, raftAutoJoin } };
    let plan = planClusterSweep({ ...input, observed });
    if (plan.actions.some((a) => a.kind === 'unseal') && !((await options.autoUnseal?.(cluster.id)) ?? false)) {
      input = { ...base, policy: { autoUnseal: false, raftAutoJoin } };
      plan = planClusterSweep({ ...input, observed });
    }
    if (plan.actions.length === 0 || !options.execute) return { plan, actions: [], findings: [] };
    const actions: ActionReport[] = [];
    const findings: Finding[] = [];
    let changedNodes = false;
    for (const action of plan.actions) {
      const signal = AbortSignal.timeout(Math.max(options.nodeTimeoutMs * 4, 10_000));
      try {
        const result = await options.execute({ cluster, action, trigger, signal });
        actions.push({ ...result.report, reason: action.reason });
        findings.push(...(result.findings ?? []));
        if (result.viewAfter || result.changed) changedNodes = true;
      } catch (error) {
        logger.error('sweep.action_failed', { cluster: cluster.id, node: action.nodeId, kind: action.kind, error });
        actions.push({
          kind: action.kind,
          nodeId: action.nodeId,
          outcome: 'error',
          message: String((error as Error).message),
          durationMs: 0,
          reason: action.reason,
        });
      }
    }
    if (!changedNodes) return { plan, actions, findings };
    // Unsealing one node changes the others too (a raft quorum returns, a leader is elected), so
    // the whole cluster is looked at again instead of patching in per-node views.
    const refreshed = (await observeAll([cluster]))[0] ?? observed;
    const unsealed = new Set(
      actions.filter((a) => (a.kind === 'unseal' && a.outcome === 'unsealed') || (a.kind === 'raft-join' && a.outcome === 'joined')).map((a) => a.nodeId),
    );
    // Planned against the first look, so a node sealed and repaired in this sweep is a
    // transition (sealed → standby by sealwatch) with its detection time, not "no change".
    return {
      plan: replanAfterActions({ first: plan, observed: refreshed, policy: input.policy, now: clock.now(), changedBySealwatch: unsealed }),
      actions,
      findings,
    };
  }

  /** The raft planner's actions, applied by the one executor; a failing read is a finding. */
  async function planRaft(
    cluster: SweepCluster,
    plan: ClusterPlan,
    trigger: string,
    deadlines: SharedDeadlines,
  ): Promise<{ actions: ActionReport[]; findings: Finding[] }> {
    if (!options.raftPlanner || !options.execute) return { actions: [], findings: [] };
    const signal = deadlines.signal();
    let planned: Awaited<ReturnType<RaftPlanner>>;
    try {
      planned = await options.raftPlanner({ cluster, plan, signal });
    } catch (error) {
      logger.error('sweep.raft_plan_failed', { cluster: cluster.id, error });
      // The raft inspector reports why raft state cannot be read; nothing is planned meanwhile.
      return { actions: [], findings: [] };
    }
    const actions: ActionReport[] = [];
    const findings: Finding[] = [...planned.findings];
    for (const action of planned.actions) {
      try {
        const result = await options.execute({ cluster, action, trigger, signal });
        actions.push({ ...result.report, reason: action.reason });
        findings.push(...(result.findings ?? []));
      } catch (error) {
        logger.error('sweep.action_failed', { cluster: cluster.id, node: action.nodeId, kind: action.kind, error });
        actions.push({ kind: action.kind, nodeId: action.nodeId, outcome: 'error', message: describeError(error), durationMs: 0, reason: action.reason });
      }
    }
    return { actions, findings };
  }

  async function inspect(cluster: SweepCluster, plan: ClusterPlan, trigger: string, deadlines: SharedDeadlines): Promise<Finding[]> {
    const found: Finding[] = [];
    for (const inspector of options.inspectors ?? []) {
      // Each check gets at least its full budget (shared-deadlines.ts).
      const signal = deadlines.signal();
      try {
        found.push(...(await inspector.inspect({ cluster, plan, trigger, signal })));
      } catch (error) {
        logger.error('sweep.inspector_failed', { cluster: cluster.id, inspector: inspector.name, error });
        found.push({
          id: 'sealwatch.inspector-failed',
          severity: 'warning',
          cluster: cluster.id,
          message: `check "${inspector.name}" could not run: ${describeError(error)}`,
          evidence: { inspector: inspector.name },
        });
      }
    }
    return found;
  }

  async function persist(clusterId: string, plan: ClusterPlan, prior: StateItem<ClusterRecord> | null) {
    const key = clusterStateKey(clusterId);
    try {
      await store.put<ClusterRecord>({
        ...key,
        data: plan.record,
        condition: prior ? { kind: 'version', version: prior.version } : { kind: 'absent' },
      });
      return { ok: true };
    } catch (error) {
      // Another invocation wrote this cluster meanwhile; its view is as fresh as ours.
      if (error instanceof ConflictError) return { ok: false, warning: 'state changed concurrently; not persisted' };
      throw error;
    }
  }
}

/** The report of a cluster whose sweep failed: its nodes as observed, and a finding naming why. */
function failedClusterReport(cluster: SweepCluster, observed: readonly ObservedNode[], now: number, error: unknown): ClusterReport {
  const plan = planClusterSweep({ clusterId: cluster.id, previous: null, now, policy: { autoUnseal: false }, observed: [...observed] });
  const finding: Finding = {
    id: 'sealwatch.cluster-failed',
    severity: 'critical',
    cluster: cluster.id,
    message: `the sweep of cluster ${cluster.id} failed, nothing was acted on or recorded for it: ${describeError(error)}`,
    evidence: { error: describeError(error) },
  };
  return toClusterReport(cluster, plan, [], { ok: false, warning: 'sweep failed; see findings' }, [finding]);
}

function toClusterReport(
  cluster: SweepCluster,
  plan: ClusterPlan,
  actions: ActionReport[],
  persisted: { ok: boolean; warning?: string },
  findings: Finding[],
): ClusterReport {
  const unsealed = new Map(actions.filter((a) => a.kind === 'unseal').map((a) => [a.nodeId, a]));
  const nodes: NodeReport[] = plan.nodes.map((n) => {
    const unseal = unsealed.get(n.nodeId);
    return {
      id: n.nodeId,
      url: n.url,
      state: n.state,
      previousState: n.previousState,
      transition: n.transition,
      since: new Date(n.since).toISOString(),
      initialized: n.view.initialized,
      sealed: n.view.sealed,
      version: n.view.version,
      httpStatus: n.view.httpStatus,
      error: n.view.error,
      durationMs: n.durationMs,
      ...(n.passedThrough
        ? {
            passedThrough: { state: n.passedThrough.state, detectedAt: new Date(n.passedThrough.since).toISOString(), leftAt: new Date(n.since).toISOString() },
          }
        : {}),
      ...(unseal ? { unseal, ...(unseal.outcome === 'unsealed' ? { unsealedBy: 'sealwatch' as const } : {}) } : {}),
    };
  });
  return {
    id: cluster.id,
    name: cluster.name,
    summary: summaryOf(plan),
    nodes,
    persisted: persisted.ok,
    actions,
    findings,
    ...(persisted.warning ? { warning: persisted.warning } : {}),
  };
}

function summaryOf(plan: ClusterPlan): ClusterReport['summary'] {
  const { nodes, ...rest } = summarizeCluster(plan.nodes.map((n) => ({ nodeId: n.nodeId, view: n.view })));
  return { ...rest, nodes: nodes.length };
}

function zeroByState(): Record<NodeState, number> {
  return Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Record<NodeState, number>;
}

function totalsOf(reports: readonly ClusterReport[]): SweepReport['totals'] {
  const byState = zeroByState();
  let nodes = 0;
  let transitions = 0;
  let unsealed = 0;
  let repaired = 0;
  for (const cluster of reports) {
    for (const node of cluster.nodes) {
      nodes += 1;
      byState[node.state] += 1;
      if (node.transition) transitions += 1;
      if (node.unsealedBy) unsealed += 1;
      if (node.passedThrough?.state === 'sealed' && node.unsealedBy) repaired += 1;
    }
  }
  return { clusters: reports.length, nodes, byState, transitions, unsealed, repaired };
}

function emptyReport(trigger: string, startedAt: number, now: number, stateWrites: number, skipped: NonNullable<SweepReport['skipped']>): SweepReport {
  return {
    trigger,
    startedAt: new Date(startedAt).toISOString(),
    durationMs: now - startedAt,
    skipped,
    clusters: [],
    totals: { clusters: 0, nodes: 0, byState: zeroByState(), transitions: 0, unsealed: 0, repaired: 0 },
    timings: { observeMs: 0, applyMs: 0, persistMs: 0, p50NodeMs: 0, p99NodeMs: 0 },
    stateWrites,
  };
}
