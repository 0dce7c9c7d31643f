// Child process of the benchmarks: starts a fleet of simulated Vault clusters and prints, as one
// JSON line, where they are. Runs until its stdin closes (the parent exits or ends it).
import { parseArgs } from 'node:util';
import { startSimulatedFleet } from '../../shared/simulator/index.ts';

const { values } = parseArgs({
  options: { clusters: { type: 'string' }, nodes: { type: 'string' }, tls: { type: 'string' } },
});
const fleet = await startSimulatedFleet({
  clusters: Number(values.clusters ?? 200),
  nodesPerCluster: Number(values.nodes ?? 5),
  tls: values.tls !== 'false',
});
process.stdout.write(
  `${JSON.stringify({
    clusters: fleet.map((c, i) => ({ id: `c${i}`, caPem: c.caPem, nodes: c.nodes.map((n) => ({ id: n.id, url: n.url })) })),
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all(fleet.map((c) => c.close()));
  process.exit(0);
});
