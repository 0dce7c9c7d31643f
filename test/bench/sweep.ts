// `npm run bench:sweep -- --nodes 1000 --json`: sweeps a simulated fleet (clusters of 5 nodes on
// loopback) twice with the embedded store and prints the numbers. `--tls true` gives every
// cluster its own CA and pins it, as production does; the simulator then pays the server side of
// every handshake on this same machine.
// Targets (issue #2): wallMs ≤ 2000 per sweep, peakRssMb ≤ 250; an unchanged sweep writes at most
// one item per cluster (its last-sweep heartbeat) plus the sweep lease (acquire + release).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import type { SealwatchConfig } from '../../shared/config/types.ts';
import { createRuntime } from '../../shared/runtime/create-runtime.ts';
import { spawnFleet } from './fleet.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    'nodes-per-cluster': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    tls: { type: 'string', default: 'false' },
    json: { type: 'boolean', default: false },
  },
});
const perCluster = Number(values['nodes-per-cluster']);
const clusterCount = Math.ceil(Number(values.nodes) / perCluster);
const tls = values.tls === 'true';

const fleet = await spawnFleet({ clusters: clusterCount, nodesPerCluster: perCluster, tls });
const dir = mkdtempSync(join(tmpdir(), 'sealwatch-bench-'));
const config: SealwatchConfig = {
  state: { kind: 'embedded', embedded: { path: dir } },
  sweep: { concurrency: Number(values.concurrency), nodeTimeoutMs: 3000, intervalSeconds: 60 },
  wrappers: [],
  clusters: fleet.clusters.map((c) => ({
    id: c.id,
    name: c.id,
    nodes: c.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: !tls })),
    ...(c.caPem ? { tls: { caPem: c.caPem } } : {}),
  })),
};
const runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger });

const measure = (report: SweepReport, cpu: NodeJS.CpuUsage) => ({
  nodes: report.totals.nodes,
  wallMs: report.durationMs,
  p50NodeMs: report.timings.p50NodeMs,
  p99NodeMs: report.timings.p99NodeMs,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  stateWrites: report.stateWrites,
  // sealwatch's own CPU time for the sweep; the rest of the wall time is waiting on the nodes
  // (here: the simulator, which shares this 2-core machine).
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  phasesMs: { observe: report.timings.observeMs, apply: report.timings.applyMs, persist: report.timings.persistMs },
  byState: Object.fromEntries(Object.entries(report.totals.byState).filter(([, n]) => n > 0)),
});

try {
  const timed = async () => {
    const before = process.cpuUsage();
    const report = await runtime.sweep.run({ trigger: 'bench' });
    return measure(report, process.cpuUsage(before));
  };
  const first = await timed();
  const second = await timed();
  const targets = { wallMs: 2000, peakRssMb: 250, unchangedStateWrites: clusterCount + 2 };
  const allReached = [first, second].every((s) => s.nodes === clusterCount * perCluster && !('unreachable' in s.byState));
  const ok =
    allReached &&
    first.wallMs <= targets.wallMs &&
    second.wallMs <= targets.wallMs &&
    Math.max(first.peakRssMb, second.peakRssMb) <= targets.peakRssMb &&
    second.stateWrites <= targets.unchangedStateWrites;
  const result = { benchmark: 'sweep', clusters: clusterCount, tls, concurrency: config.sweep.concurrency, first, second, targets, ok };
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${JSON.stringify(result)}\n`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await runtime.close();
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
}
