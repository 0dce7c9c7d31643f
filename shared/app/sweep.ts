import type { ClusterRecord } from '../core/cluster-record.ts';
import type { Finding } from '../core/finding.ts';
import type { NodeView } from '../core/node-state.ts';
import { percentile, planClusterSweep, replanAfterActions, type ClusterPlan, type ObservedNode, type SweepPolicy } from '../core/plan-sweep.ts';
import { NotFoundError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateItem, StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { clusterStateKey } from './cluster-record-layout.ts';
import { createClusterRecords, type RecordRead } from './cluster-records.ts';
import { countingStore } from './counting-store.ts';
import { CLUSTER_LEASE, runUnderLease, SWEEP_LEASE, type LeaseTimings } from './held-lease.ts';
import type { RaftPlanner } from './raft-removal-planner.ts';
import { withoutPeers, type RaftReader } from './raft-read.ts';
import { mapLimit } from './map-limit.ts';
import { createSharedDeadlines } from './shared-deadlines.ts';
import { createSweepBatch } from './sweep-batch.ts';
import { inspectCluster, type ClusterInspector, type PlanningInspector } from './sweep-inspect.ts';
import { observeClusters } from './sweep-observe.ts';
import { createPassSteps, type Pass } from './sweep-pass.ts';
import { emptyReport, failedClusterReport, toClusterReport, totalsOf } from './sweep-report.ts';
import type { ActionExecutor, ActionReport, ClusterReport, RecoverReport, RecoverRequest, SweepCluster, SweepReport } from './sweep-types.ts';

export type { ActionExecutor };
export type { ClusterInspector, InspectInput, InspectorResult, PlanningInspector } from './sweep-inspect.ts';

/** Alerting's part of a sweep, begun with it (see `beginAfterSweep`). */
export interface AfterSweep {
  finish(report: SweepReport): Promise<void>;
  abandon(): Promise<void>;
}

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
  /** Whether a recover of the whole cluster unseals its sealed nodes (false only for `autoUnseal: false`). */
  recoverUnseals?: (clusterId: string) => boolean;
  /** Whether the plan joins a cluster's uninitialized configured nodes (`raft.autoJoin`). */
  raftAutoJoin?: (clusterId: string) => boolean;
  /**
   * Reads a cluster's raft state once per sweep, after the first actions (control token, active
   * node). The raft planner and the inspectors take this one snapshot.
   */
  raftRead?: RaftReader;
  /** Plans from the raft read: a dead peer to remove. Its actions go through `execute` like the others. */
  raftPlanner?: RaftPlanner;
  execute?: ActionExecutor;
  /** Says what each action would do, changing nothing: applies the plan of `recover --dry-run`. */
  describe?: ActionExecutor;
  /**
   * Per-cluster checks beyond node states (raft, autopilot, key health, storage backend...),
   * run after actions on the final plan. A failing inspector becomes a finding, never an
   * exception.
   */
  inspectors?: readonly (ClusterInspector | PlanningInspector)[];
  /**
   * Alerting's part of a sweep (incidents, outbox), begun when a sweep starts: it may start its
   * reads while the nodes are observed; `finish` completes the work once the report is complete,
   * beside the sweep's batched write and before the lease is released; `abandon` waits for those
   * reads when the sweep stops without a report (a recover whose caller gave up).
   */
  beginAfterSweep?: () => AfterSweep;
  /**
   * Node discovery: called once at the start of `run`, under the lease, with the clusters in
   * scope. Returns them with their node lists resolved (static + discovered) and findings per
   * cluster id (`discovery.failed`, `node.gone`...) that join that cluster's report. Everything
   * after it (observe, plan, actions, inspectors, report) uses the resolved clusters. Must not
   * throw for a failing source: it reports a finding and falls back to the last known list.
   * `readOnly` (a dry run): resolve without recording anything.
   */
  resolveClusters?: (
    clusters: readonly SweepCluster[],
    signal: AbortSignal,
    mode?: { readOnly: boolean },
  ) => Promise<{ clusters: SweepCluster[]; findings: Map<string, Finding[]> }>;
  /**
   * Writes to the state store so far (a counting decorator over the store every service uses),
   * for the report's `stateWrites`. Without it only the sweep's own writes are counted.
   */
  writeCount?: () => number;
}

export interface SweepService {
  /** One sweep of every cluster, or of `clusterIds` only (targeted sweep). */
  run(request?: { trigger?: string; clusterIds?: readonly string[] }): Promise<SweepReport>;
  /**
   * One recover of one cluster: the sweep's read → plan → apply once, under the cluster's lease
   * `cluster/<id>` (every action runs under it), with the recover policy — unseal sealed nodes
   * unless `autoUnseal: false`, `raft.autoJoin`, `raft.removeDeadPeers`; with `nodeIds`, unseal
   * those nodes only, whatever `autoUnseal` says. A dry run plans the same way and describes each
   * action instead of applying it: no lease, nothing sent, nothing written.
   */
  recover(request: RecoverRequest): Promise<RecoverReport>;
  /**
   * Moves every configured cluster's record of an earlier layout into the records partition, if
   * the store is not marked as moved yet (a sweep of every cluster does it on its own; a sweep of
   * a few moves only theirs). The fan-out dispatcher calls it before queuing, so its workers find
   * the move done.
   */
  prepareStore(options?: { deadline?: number }): Promise<void>;
}

/**
 * lease -> observe every node (bounded concurrency, per-node deadline) -> plan (pure) ->
 * apply actions -> raft read, raft plan and apply -> inspect -> persist changed cluster records ->
 * report. Node failures are observations; only a broken state store makes `run` throw.
 */
export function createSweepService(options: SweepServiceOptions): SweepService {
  if (options.concurrency < 1) throw new RangeError('concurrency must be at least 1');
  const { leases, clock, logger } = options;
  const counted = options.writeCount ? null : countingStore(options.store);
  const store = counted ?? options.store;
  const writes = options.writeCount ?? (() => counted?.writeCount() ?? 0);
  const { executorOf, applyActions, readRaftOnce, planRaft } = createPassSteps({ ...options, logger });
  const records = createClusterRecords(
    { store, logger, clock },
    options.clusters.map((c) => c.id),
  );
  const observeAll = (clusters: readonly SweepCluster[], signal?: AbortSignal) => observeClusters(options, clusters, signal);

  return {
    async run(request = {}) {
      const trigger = request.trigger ?? 'schedule';
      const clusters = request.clusterIds ? options.clusters.filter((c) => request.clusterIds?.includes(c.id)) : options.clusters;
      // Targeted sweeps take their own scope so a webhook never waits for the scheduled sweep.
      const scope = request.clusterIds ? `sweep/${[...request.clusterIds].sort().join(',')}` : 'sweep';
      return sweepUnderLease(clusters, { lease: scope, heartbeat: scope }, SWEEP_LEASE, { trigger, actionFindings: new Map() });
    },

    prepareStore: (prepareOptions) => records.prepare(prepareOptions),

    async recover(request) {
      const cluster = options.clusters.find((c) => c.id === request.clusterId);
      if (!cluster) throw new NotFoundError(`no cluster with id "${request.clusterId}" is configured`);
      const pass: Pass = {
        trigger: request.trigger,
        recover: { ...(request.nodeIds && request.nodeIds.length > 0 ? { nodeIds: request.nodeIds } : {}), dryRun: request.dryRun === true },
        ...(request.signal ? { signal: request.signal } : {}),
        actionFindings: new Map(),
      };
      if (request.dryRun) {
        // A dry run changes nothing, so it needs no lease: read, plan, describe.
        const startedAt = clock.now();
        const resolved = await resolve([cluster], true);
        const report = await sweepClusters(resolved.clusters, `recover/${cluster.id}`, pass, startedAt, resolved.findings);
        return { report: { ...report, durationMs: clock.now() - startedAt }, actionFindings: pass.actionFindings.get(cluster.id) ?? [] };
      }
      // The cluster's lease, held for the whole plan: two recovers of one cluster never both act.
      // Its heartbeat has its own scope (`recover/<id>`): a targeted sweep of the cluster holds
      // another lease and may run at the same time, and each overwrites only its own items.
      const report = await sweepUnderLease([cluster], { lease: `cluster/${cluster.id}`, heartbeat: `recover/${cluster.id}` }, CLUSTER_LEASE, pass);
      return { report, actionFindings: pass.actionFindings.get(cluster.id) ?? [] };
    },
  };

  async function sweepUnderLease(
    clusters: readonly SweepCluster[],
    scopes: { lease: string; heartbeat: string },
    timings: LeaseTimings,
    pass: Pass,
  ): Promise<SweepReport> {
    const scope = scopes.lease;
    const startedAt = clock.now();
    const writesBefore = writes();
    const ran = await runUnderLease({ leases, logger }, scope, timings, async (held) => {
      const resolved = await resolve(clusters, false);
      const after: AfterSweep | undefined = options.beginAfterSweep?.();
      // A recover's actions run under its own lease; a sweep's take the cluster lease each.
      return sweepClusters(resolved.clusters, scopes.heartbeat, pass.recover ? { ...pass, held } : pass, startedAt, resolved.findings, after);
    });
    if ('heldBy' in ran) {
      logger.warn('sweep.skipped', { scope, reason: 'lease-held', owner: ran.heldBy.owner });
      return emptyReport(pass.trigger, startedAt, clock.now(), writes() - writesBefore, {
        reason: 'lease-held',
        heldBy: { owner: ran.heldBy.owner, expiresAt: new Date(ran.heldBy.expiresAt).toISOString() },
      });
    }
    // Counted after the release so the figure includes every write this sweep caused.
    return { ...ran.done, durationMs: clock.now() - startedAt, stateWrites: writes() - writesBefore };
  }

  async function resolve(clusters: readonly SweepCluster[], readOnly: boolean) {
    return options.resolveClusters
      ? options.resolveClusters(clusters, AbortSignal.timeout(30_000), { readOnly })
      : { clusters: [...clusters], findings: new Map<string, Finding[]>() };
  }

  /** `scope`: names the pass's heartbeat items (`sweep`, `sweep/<cluster ids>`, `recover/<id>`). */
  async function sweepClusters(
    clusters: readonly SweepCluster[],
    scope: string,
    pass: Pass,
    startedAt: number,
    discovered: ReadonlyMap<string, Finding[]>,
    after?: AfterSweep,
  ): Promise<SweepReport> {
    const { trigger } = pass;
    const dryRun = pass.recover?.dryRun === true;
    // The records are read while the nodes are observed: the read does not depend on what the
    // nodes say. It saves little (about 10 ms of a 1,000-node sweep's 220: the observations slow
    // down by most of what the read costs), but never costs a round trip of its own. A record
    // changed in between by another writer makes the version-conditioned write below conflict,
    // as it would have if that writer had come a moment later.
    // A dry run moves nothing of an earlier layout: it reads a record where it still is.
    const reading = records.read(
      clusters.map((c) => c.id),
      { readOnly: dryRun },
    );
    // Awaited below; marked handled so a failure while observing is not an unhandled rejection.
    reading.catch(() => undefined);
    try {
      return await passOver(reading);
    } catch (error) {
      // A pass that stops early (a recover whose caller gave up) leaves nothing running behind it:
      // the reads it began are waited for before it returns.
      await Promise.allSettled([reading, after?.abandon()]);
      throw error;
    }

    async function passOver(reading: Promise<RecordRead[]>): Promise<SweepReport> {
      const observed = await observeAll(clusters, pass.signal);
      // A recover whose caller gave up (its budget ran out) stops here: nothing is planned, applied
      // or recorded, and no work is left running after the caller returned.
      pass.signal?.throwIfAborted();
      const observedAt = clock.now();
      const previous = await reading;
      const reports: ClusterReport[] = [];
      let applyMs = 0;
      let persistMs = 0;
      // Heartbeats and first records go out together in one batched write after the loop.
      const batch = createSweepBatch(store, logger, scope, () => Math.floor(clock.now() / 1000));
      // The deadlines of every cluster's raft read and checks: calls that start together share
      // one timer and signal (shared-deadlines.ts) instead of a timer each per cluster and check.
      const deadlines = {
        raft: createSharedDeadlines({ timeoutMs: Math.max(options.nodeTimeoutMs * 4, 10_000) }),
        inspect: createSharedDeadlines({ timeoutMs: Math.max(options.nodeTimeoutMs * 2, 5_000) }),
      };
      // What each cluster's pass applied so far, and the plan as it stood after those actions, for
      // the report of a pass that fails afterwards.
      const appliedBy = new Map<number, { plan: ClusterPlan; actions: ActionReport[] }>();
      await mapLimit(clusters, 16, async (cluster, i) => {
        try {
          reports[i] = await sweepOne(cluster, i);
        } catch (error) {
          if (pass.signal?.aborted) throw error;
          // One broken cluster (a malformed state item, a failing dependency) gets a finding naming
          // it; the other clusters are swept, unsealed and alerted as usual.
          logger.error('sweep.cluster_failed', { cluster: cluster.id, error });
          const failed = failedClusterReport(cluster, observed[i] ?? [], clock.now(), error, appliedBy.get(i));
          reports[i] = failed;
          // It was looked at: its heartbeat says when, and carries the failure, so the dashboard and
          // the API show it instead of losing the cluster from the sweep's heartbeat items.
          if (!dryRun)
            batch.heartbeat(cluster.id, { at: new Date(observedAt).toISOString(), trigger, summary: failed.summary, findings: failed.findings ?? [] });
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
        const { plan, actions, findings } = await planAndApply(cluster, observed[i] ?? [], prior, pass);
        appliedBy.set(i, { plan, actions });
        findings.unshift(...(discovered.get(cluster.id) ?? []));
        pass.signal?.throwIfAborted();
        const raftPlanned = wantsRaftPlan(pass);
        const raft = options.raftRead && (raftPlanned || !dryRun) ? await readRaftOnce(cluster, plan, deadlines.raft.signal()) : undefined;
        const removal = raft && raftPlanned ? await planRaft(cluster, plan, raft, pass) : { actions: [], findings: [], removed: [] };
        actions.push(...removal.actions);
        findings.push(...removal.findings);
        if (dryRun) {
          // Nothing is recorded: no cluster record, no heartbeat, no checks (they keep records).
          applyMs += clock.now() - applyStart;
          return toClusterReport(cluster, plan, actions, { ok: false }, findings);
        }
        pass.signal?.throwIfAborted();
        const inspected = await inspectCluster(
          { inspectors: options.inspectors ?? [], deadlines: deadlines.inspect, logger },
          { cluster, plan, trigger, ...(raft ? { raft: withoutPeers(raft, removal.removed) } : {}) },
        );
        findings.push(...inspected.findings);
        if (inspected.actions.length > 0) {
          const applied = await applyActions(cluster, inspected.actions, pass);
          actions.push(...applied.reports);
          findings.push(...applied.findings);
        }
        pass.signal?.throwIfAborted();
        const persistStart = clock.now();
        applyMs += persistStart - applyStart;
        const persisted = !plan.changed
          ? { ok: false }
          : prior
            ? await records.persist(cluster.id, plan.record, prior)
            : (batch.firstRecord(
                clusterStateKey(cluster.id),
                plan.record,
                () => reports[i],
                (version) => records.remember(cluster.id, version, plan.record),
              ),
              { ok: true });
        const report = toClusterReport(cluster, plan, actions, persisted, findings);
        batch.heartbeat(cluster.id, { at: new Date(observedAt).toISOString(), trigger, summary: report.summary, findings });
        persistMs += clock.now() - persistStart;
        return report;
      }
      const durations = observed.flat().map((n) => n.durationMs);
      const report: SweepReport = {
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
      // The batched write (heartbeats, first records) and the alerting run side by side: alerting
      // reads nothing the batch writes, and each waits on the store. A failed batch marks the
      // first records' reports as not persisted (sweep-batch.ts), which alerting does not read.
      const flushStart = clock.now();
      const flushing = dryRun ? Promise.resolve() : batch.flush().then(() => void (report.timings.persistMs += clock.now() - flushStart));
      await Promise.all([flushing, after?.finish(report)]);
      return report;
    }
  }

  /** A recover naming nodes only unseals them; every other pass plans dead-peer removals. */
  function wantsRaftPlan(pass: Pass): boolean {
    return options.raftPlanner !== undefined && executorOf(pass) !== undefined && !pass.recover?.nodeIds;
  }

  /** The pass's policy and first plan (pure planner), from the first look at the cluster. */
  async function planFirst(cluster: SweepCluster, observed: ObservedNode[], prior: StateItem<ClusterRecord> | null, pass: Pass) {
    const base = { clusterId: cluster.id, previous: prior?.data ?? null, now: clock.now() };
    const acting = executorOf(pass) !== undefined;
    const raftAutoJoin = acting && (options.raftAutoJoin?.(cluster.id) ?? false);
    if (pass.recover) {
      const named = pass.recover.nodeIds;
      const policy: SweepPolicy = named
        ? { autoUnseal: acting, unsealNodes: named, raftAutoJoin: false }
        : { autoUnseal: acting && (options.recoverUnseals?.(cluster.id) ?? true), raftAutoJoin };
      return { policy, plan: planClusterSweep({ ...base, policy, observed }) };
    }
    // Plan as if auto-unseal were on; only when that finds something to unseal is the policy
    // (custody present? opted out?) looked up, so healthy clusters cost no extra reads.
    let policy: SweepPolicy = { autoUnseal: acting, raftAutoJoin };
    let plan = planClusterSweep({ ...base, policy, observed });
    if (plan.actions.some((a) => a.kind === 'unseal') && !((await options.autoUnseal?.(cluster.id)) ?? false)) {
      policy = { autoUnseal: false, raftAutoJoin };
      plan = planClusterSweep({ ...base, policy, observed });
    }
    return { policy, plan };
  }

  async function planAndApply(
    cluster: SweepCluster,
    observed: ObservedNode[],
    prior: StateItem<ClusterRecord> | null,
    pass: Pass,
  ): Promise<{ plan: ClusterPlan; actions: ActionReport[]; findings: Finding[] }> {
    const { policy, plan } = await planFirst(cluster, observed, prior, pass);
    if (plan.actions.length === 0 || !executorOf(pass)) return { plan, actions: [], findings: [] };
    const applied = await applyActions(cluster, plan.actions, pass);
    if (applied.touched.size === 0) return { plan, actions: applied.reports, findings: applied.findings };
    // Only the nodes acted on are looked at again: with one active node the others keep their
    // state (an unsealed standby joins the quorum that already exists), and a node the executor
    // already looked at after acting (the unseal's own check) is taken as it saw it. Without a
    // usable leader in the first look, an unseal may restore the quorum and elect a leader,
    // changing nodes nobody touched (and the executor's look at the first node unsealed), so then
    // the whole cluster is looked at again.
    const leader = plan.nodes.filter((n) => n.state === 'active').length === 1;
    const again = leader ? cluster.nodes.filter((n) => applied.touched.has(n.id) && !applied.views.has(n.id)) : cluster.nodes;
    const refreshed = new Map(again.length === 0 ? [] : ((await observeAll([{ ...cluster, nodes: again }], pass.signal))[0] ?? []).map((o) => [o.nodeId, o]));
    const merged = observed.map(
      (o) => refreshed.get(o.nodeId) ?? (leader && applied.views.has(o.nodeId) ? { ...o, view: applied.views.get(o.nodeId) as NodeView } : o),
    );
    const unsealed = new Set(
      applied.reports
        .filter((a) => (a.kind === 'unseal' && a.outcome === 'unsealed') || (a.kind === 'raft-join' && a.outcome === 'joined'))
        .map((a) => a.nodeId),
    );
    // Planned against the first look, so a node sealed and repaired in this sweep is a
    // transition (sealed → standby by sealwatch) with its detection time, not "no change".
    return {
      plan: replanAfterActions({ first: plan, observed: merged, policy, now: clock.now(), changedBySealwatch: unsealed }),
      actions: applied.reports,
      findings: applied.findings,
    };
  }
}
