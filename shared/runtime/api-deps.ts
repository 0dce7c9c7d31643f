import type { AppDeps } from '../api/app-deps.ts';
import type { RecoveryJobs } from '../app/recovery-jobs.ts';
import type { Runtime } from './create-runtime.ts';
import { wireRecoveryJobs } from './recovery-wiring.ts';

/**
 * The API's dependencies from a runtime: the one place that adapts the alerting services to
 * the routes. `open-loopback-demo` only for the simulated demo (createApp checks the bind). Without `jobs` (local serve),
 * recoveries past the budget go to an in-process queue consumed by this process.
 */
export function apiDepsFromRuntime(
  runtime: Runtime,
  options: { version: string; auth: { mode: 'api-keys' } | { mode: 'open-loopback-demo'; bind: string }; serveMetrics: boolean; jobs?: RecoveryJobs },
): AppDeps {
  const { alerting } = runtime;
  return {
    clusters: runtime.clusters,
    store: runtime.store,
    logger: runtime.logger,
    version: options.version,
    clock: runtime.clock,
    ...(runtime.config.api ? { api: runtime.config.api } : {}),
    jobs: options.jobs ?? wireRecoveryJobs({ recovery: runtime.recovery, store: runtime.store, clock: runtime.clock, logger: runtime.logger }).jobs,
    auth: options.auth.mode === 'api-keys' ? { mode: 'api-keys', keys: runtime.apiKeys } : options.auth,
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
