import type { RecoverReport, RecoverRequest, SweepReport } from './sweep-types.ts';
import type { UnsealClusterResult } from './unseal-types.ts';

export type MetricLabels = Record<string, string>;

interface MetricSpec {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  buckets?: readonly number[];
}

/** Every metric sealwatch exposes; increments of anything else are refused (typos stay visible). */
export const METRICS = {
  sealwatch_nodes: { type: 'gauge', help: 'Nodes by state, as of the last sweep of their cluster' },
  sealwatch_unseals_total: { type: 'counter', help: 'Nodes unsealed by sealwatch' },
  sealwatch_unseal_failures_total: { type: 'counter', help: 'Unseal attempts that did not unseal the node, by outcome' },
  sealwatch_alert_deliveries_total: { type: 'counter', help: 'Alert deliveries to on-call channels, by channel and outcome' },
  sealwatch_sweeps_total: { type: 'counter', help: 'Sweeps run, by trigger' },
  sealwatch_sweep_duration_seconds: {
    type: 'histogram',
    help: 'Wall time of a sweep',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  },
  sealwatch_http_requests_total: { type: 'counter', help: 'API requests, by method and status' },
  sealwatch_last_sweep_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the last sweep that observed the cluster (from the state store, so sweeps of every process count)',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

/** In-process metrics; the sweep, unseal paths and the outbox report through this interface. */
export interface Metrics {
  inc(name: MetricName, labels?: MetricLabels, by?: number): void;
  set(name: MetricName, labels: MetricLabels, value: number): void;
  observe(name: MetricName, value: number, labels?: MetricLabels): void;
  /** Node-state gauges, sweep count and duration, unseal outcomes of the sweep's actions. */
  recordSweep(report: SweepReport): void;
  /** Outcomes of a direct (API, webhook, CLI) unseal. Dry runs count nothing. */
  recordUnseal(result: Pick<UnsealClusterResult, 'cluster' | 'dryRun'> & { nodes: readonly { outcome: string }[] }): void;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

/** Outcomes that mean "nothing needed doing", neither an unseal nor a failure. */
const NEUTRAL = new Set(['not-sealed', 'not-initialized', 'would-unseal', 'lease-held', 'no-custody']);

/**
 * Counters, gauges and histograms held in memory: per process locally, per Lambda instance on
 * AWS (where `GET /metrics` is not served; the structured report lines carry the figures).
 */
export function createMetrics(): Metrics {
  const series = new Map<MetricName, Map<string, { labels: MetricLabels; value: number; counts?: number[]; sum?: number }>>();

  const entry = (name: MetricName, labels: MetricLabels) => {
    if (!(name in METRICS)) throw new RangeError(`unknown metric ${String(name)}`);
    let byLabels = series.get(name);
    if (!byLabels) series.set(name, (byLabels = new Map()));
    // Label names are ASCII identifiers: a plain comparison orders them without a locale lookup.
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let e = byLabels.get(key);
    if (!e) byLabels.set(key, (e = { labels: { ...labels }, value: 0 }));
    return e;
  };

  const metrics: Metrics = {
    inc(name, labels = {}, by = 1) {
      entry(name, labels).value += by;
    },
    set(name, labels, value) {
      entry(name, labels).value = value;
    },
    observe(name, value, labels = {}) {
      const buckets: readonly number[] = (METRICS[name] as MetricSpec).buckets ?? [];
      const e = entry(name, labels);
      e.counts ??= buckets.map(() => 0);
      buckets.forEach((b, i) => {
        if (value <= b) e.counts![i]! += 1;
      });
      e.sum = (e.sum ?? 0) + value;
      e.value += 1;
    },
    recordSweep(report) {
      if (report.skipped) return;
      metrics.inc('sealwatch_sweeps_total', { trigger: report.trigger });
      metrics.observe('sealwatch_sweep_duration_seconds', report.durationMs / 1000);
      // States that emptied since the last sweep drop to 0 rather than keep their old count: the
      // swept clusters' series are zeroed in one pass (one per cluster cost a 1,000-cluster sweep
      // a million steps), then set from the report.
      const swept = new Set(report.clusters.map((c) => c.id));
      for (const e of series.get('sealwatch_nodes')?.values() ?? []) if (swept.has(e.labels.cluster ?? '')) e.value = 0;
      for (const cluster of report.clusters) {
        const byState: Record<string, number> = {};
        for (const node of cluster.nodes) byState[node.state] = (byState[node.state] ?? 0) + 1;
        for (const [state, count] of Object.entries(byState)) metrics.set('sealwatch_nodes', { cluster: cluster.id, state }, count);
        for (const action of cluster.actions) if (action.kind === 'unseal') countOutcome(cluster.id, action.outcome);
      }
    },
    recordUnseal(result) {
      if (result.dryRun) return;
      for (const node of result.nodes) countOutcome(result.cluster, node.outcome);
    },
    render() {
      const lines: string[] = [];
      for (const [name, spec] of Object.entries(METRICS) as [MetricName, MetricSpec][]) {
        lines.push(`# HELP ${name} ${spec.help}`, `# TYPE ${name} ${spec.type}`);
        for (const e of series.get(name)?.values() ?? []) {
          if (spec.type !== 'histogram') {
            lines.push(`${name}${labelText(e.labels)} ${e.value}`);
            continue;
          }
          for (const [i, b] of (spec.buckets ?? []).entries()) lines.push(`${name}_bucket${labelText({ ...e.labels, le: String(b) })} ${e.counts?.[i] ?? 0}`);
          lines.push(`${name}_bucket${labelText({ ...e.labels, le: '+Inf' })} ${e.value}`);
          lines.push(`${name}_sum${labelText(e.labels)} ${e.sum ?? 0}`, `${name}_count${labelText(e.labels)} ${e.value}`);
        }
      }
      return `${lines.join('\n')}\n`;
    },
  };
  return metrics;

  function countOutcome(cluster: string, outcome: string) {
    if (outcome === 'unsealed') metrics.inc('sealwatch_unseals_total', { cluster });
    else if (!NEUTRAL.has(outcome)) metrics.inc('sealwatch_unseal_failures_total', { cluster, outcome });
  }
}

function labelText(labels: MetricLabels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** The sweep service with every report recorded in `metrics`. */
export function instrumentSweep<
  S extends {
    run(request?: { trigger?: string; clusterIds?: readonly string[] }): Promise<SweepReport>;
    recover?(request: RecoverRequest): Promise<RecoverReport>;
  },
>(metrics: Metrics, sweep: S): S {
  const recover = sweep.recover?.bind(sweep);
  return {
    ...sweep,
    async run(request?: { trigger?: string; clusterIds?: readonly string[] }) {
      const report = await sweep.run(request);
      metrics.recordSweep(report);
      return report;
    },
    // A recover is a sweep of one cluster too (a dry run records nothing).
    ...(recover
      ? {
          async recover(request: RecoverRequest) {
            const out = await recover(request);
            if (!request.dryRun) metrics.recordSweep(out.report);
            return out;
          },
        }
      : {}),
  };
}
