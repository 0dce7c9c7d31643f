// Child process of bench:sweep: the memory a sealwatch process needs. A fresh process (as
// `sealwatch sweep` or a cold Lambda) opens the embedded store in a new directory, sweeps the
// fleet described in `--fleet` (a JSON file written by the parent) once cold and once warm, and
// prints its peak resident set as one JSON line. Measured apart from the timing rounds, whose
// process also holds the floor client's connections and every earlier round's store.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createRuntime } from '../../shared/runtime/create-runtime.ts';
import type { FleetCluster } from './fleet.ts';
import { sweepConfig } from './sweep-config.ts';

const { values } = parseArgs({ options: { fleet: { type: 'string' } } });
if (!values.fleet) throw new Error('--fleet is required');
const input = JSON.parse(readFileSync(values.fleet, 'utf8')) as { clusters: FleetCluster[]; concurrency: number; tls: boolean };
const dir = mkdtempSync(join(tmpdir(), 'sealwatch-bench-memory-'));
const runtime = await createRuntime({ config: sweepConfig(input.clusters, { dir, ...input }), clock: systemClock, logger: silentLogger });
try {
  const cold = await runtime.sweep.run({ trigger: 'bench' });
  const warm = await runtime.sweep.run({ trigger: 'bench' });
  const nodes = [cold, warm].map((r) => r.totals.nodes);
  process.stdout.write(`${JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), nodes })}\n`);
} finally {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}
