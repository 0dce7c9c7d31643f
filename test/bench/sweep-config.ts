import type { SealwatchConfig } from '../../shared/config/types.ts';
import type { FleetCluster } from './fleet.ts';

/** The configuration bench:sweep runs sealwatch with: the simulated fleet, the embedded store in `dir`. */
export function sweepConfig(clusters: readonly FleetCluster[], options: { dir: string; concurrency: number; tls: boolean }): SealwatchConfig {
  return {
    state: { kind: 'embedded', embedded: { path: options.dir } },
    sweep: { concurrency: options.concurrency, nodeTimeoutMs: 3000, intervalSeconds: 60 },
    wrappers: [],
    clusters: clusters.map((c) => ({
      id: c.id,
      name: c.id,
      nodes: c.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: !options.tls })),
      ...(c.caPem ? { tls: { caPem: c.caPem } } : {}),
    })),
  };
}
