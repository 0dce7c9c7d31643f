// `npm run bench:discovery`: `sealwatch serve` (its own process, embedded store) watching the
// EndpointSlices of a simulated Vault StatefulSet behind the Kubernetes API fake. vault-1 is
// restarted (back sealed, new pod IP) RUNS times; each time, the endpoint change → Vault
// answering unsealed is timed. Target (discovery issue): every run ≤ 2000 ms on loopback.
import { parseArgs } from 'node:util';
import { percentile } from '../../shared/core/plan-sweep.ts';
import { runServeWatchScenario } from '../support/serve-watch-scenario.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const TARGET_MS = 2000;

const { runs } = await runServeWatchScenario({ runs: Number(values.runs), deadlineMs: 10_000 });
const times = runs.map((r) => r.unsealedMs);
const result = {
  bench: 'discovery-watch',
  runs: runs.length,
  unsealedMs: times,
  p50Ms: percentile(times, 50),
  maxMs: Math.max(...times),
  oldAddressContacts: runs.reduce((sum, r) => sum + r.oldAddressContacts, 0),
  targetMs: TARGET_MS,
  ok: Math.max(...times) <= TARGET_MS && runs.every((r) => r.oldAddressContacts === 0),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exitCode = result.ok ? 0 : 1;
