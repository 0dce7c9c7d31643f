import type { AppDeps } from '../api/app-deps.ts';
import type { Runtime } from './create-runtime.ts';

/**
 * The API's dependencies from a runtime: the one place that adapts the alerting services to
 * the routes. `authenticate: false` only for the simulated demo.
 */
export function apiDepsFromRuntime(runtime: Runtime, options: { version: string; authenticate: boolean; serveMetrics: boolean }): AppDeps {
  const { alerting } = runtime;
  return {
    clusters: runtime.clusters,
    store: runtime.store,
    logger: runtime.logger,
    version: options.version,
    clock: runtime.clock,
    ...(runtime.config.api ? { api: runtime.config.api } : {}),
    recovery: runtime.recovery,
    ...(options.authenticate ? { apiKeys: runtime.apiKeys } : {}),
    audit: runtime.audit,
    ...(options.serveMetrics ? { metrics: runtime.metrics } : {}),
    incidents: {
      async list(filter) {
        const all = await alerting.incidents.list(filter.status === 'all' ? { all: true } : {});
        return all.filter((i) => filter.cluster === undefined || i.cluster === filter.cluster).slice(0, filter.limit);
      },
      acknowledge: (input) => alerting.incidents.acknowledge(input),
    },
    sweepIntervalMs: runtime.config.sweep.intervalSeconds * 1000,
    wrapperFacts: () => runtime.wrappers.facts(),
    silences: alerting.silences,
  };
}
