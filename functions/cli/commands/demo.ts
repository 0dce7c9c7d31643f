import { randomBytes, randomInt } from 'node:crypto';
import { createJsonLogger } from '../../../shared/adapters/json-logger.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createCustodyService } from '../../../shared/app/custody-service.ts';
import { Secret } from '../../../shared/config/secret.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { VERSION } from '../../../shared/version.ts';
import { defineCommand, parseIntOption } from '../args.ts';
import { startControlPlane, untilSignal } from '../control-plane.ts';
import { formatReport } from '../format-report.ts';
import { logLevel } from '../load-runtime.ts';
import { createReportStream } from '../report-stream.ts';

const USAGE = `usage: sealwatch demo [--nodes N] [--once] [--json] [--port P]

Starts a simulated N-node Vault raft cluster (TLS, its own CA) on loopback and sealwatch in
front of it with an in-memory embedded state store. sealwatch initialises the cluster itself
(sys/init), puts the unseal shares into custody under a random local key held in memory, and
unseals every node. Without --once it reseals a random node every ~30 s so you can watch
sealwatch detect it (one sweep shows it sealed) and unseal it (the next sweep).

  --nodes N   simulated nodes (default 3, 1..9)
  --once      one sweep, print the report, exit
  --json      print reports as JSON
  --port P    API port when not --once (default 8080; 0 picks a free one)`;

/** `sealwatch demo`: a self-contained tour; `npm start` runs it. */
export const demoCommand = defineCommand({
  usage: USAGE,
  options: { nodes: { type: 'string' }, once: { type: 'boolean' }, json: { type: 'boolean' }, port: { type: 'string' } },
  async run({ values }, io) {
    const nodes = parseIntOption(values.nodes, 'nodes', 1, 9) ?? 3;
    const port = parseIntOption(values.port, 'port', 0, 65535) ?? 8080;
    // Uninitialised nodes: sealwatch's own sys/init hands the shares straight into custody.
    const cluster = await startSimulatedCluster({ nodes, clusterName: 'demo', init: false });
    const logger = createJsonLogger({ level: logLevel(io.env.SEALWATCH_LOG_LEVEL), write: (l) => io.stderr(`${l}\n`) });
    let runtime: Runtime;
    // The node just sealed: one sweep reports it sealed before sealwatch repairs it.
    let held: string | null = null;
    try {
      runtime = await createRuntime({
        config: demoConfig(cluster),
        clock: systemClock,
        logger,
        env: io.env,
        inMemoryState: true,
        holdAutoUnseal: () => held !== null,
      });
    } catch (error) {
      await cluster.close();
      throw error;
    }
    // Streamed sweeps print changes only, each line with its time; a heartbeat every minute.
    const stream = createReportStream({ heartbeatMs: 60_000 });
    const print = (report: Parameters<typeof formatReport>[0]) =>
      io.stdout(values.json ? `${JSON.stringify(report, null, values.once ? 2 : 0)}\n` : values.once ? formatReport(report) : stream(report));
    let resealer: NodeJS.Timeout | undefined;
    try {
      const init = await initializeDemo(runtime);
      if (init !== null) return (io.stderr(`sealwatch demo: ${init}\n`), 1);
      if (values.once) {
        print(await runtime.sweep.run({ trigger: 'demo' }));
        return 0;
      }
      const plane = await startControlPlane(runtime, {
        host: '127.0.0.1',
        port,
        intervalMs: 5_000,
        version: VERSION,
        // Simulated Vaults only, on loopback: the demo's API is open.
        auth: 'open-loopback-demo',
        onReport: (report) => {
          print(report);
          const seen = report.clusters.some((c) => c.nodes.some((n) => n.id === held && n.state === 'sealed'));
          if (seen) held = null;
        },
      });
      io.stderr(
        `sealwatch ${VERSION} demo: ${nodes} simulated Vault nodes (${cluster.nodes.map((n) => n.url).join(', ')})\n` +
          `API: ${plane.url}/v1/clusters — sweeping every 5 s; a random node is resealed every ~30 s; Ctrl-C to stop\n`,
      );
      const reseal = () => {
        const node = cluster.nodes[randomInt(cluster.nodes.length)];
        if (node) {
          held = node.id;
          node.seal();
          io.stderr(`demo: sealed ${node.id} (as if it had restarted) — watch sealwatch detect and unseal it\n`);
        }
        resealer = setTimeout(reseal, 25_000 + randomInt(10_000));
      };
      resealer = setTimeout(reseal, 25_000 + randomInt(10_000));
      await untilSignal();
      clearTimeout(resealer);
      await plane.stop();
      return 0;
    } finally {
      clearTimeout(resealer);
      await runtime.close();
      await cluster.close();
    }
  },
});

/**
 * Initialises the simulated cluster through sealwatch (3-of-5 shares wrapped under the demo's
 * local key; the root token is never shown). Returns why it failed, or null.
 */
async function initializeDemo(runtime: Runtime): Promise<string | null> {
  const custody = createCustodyService({
    clusters: runtime.config.clusters,
    wrappers: runtime.wrappers,
    store: runtime.store,
    vault: runtime.vault,
    clock: runtime.clock,
    leases: runtime.leases,
    audit: runtime.audit,
    trigger: 'demo',
    logger: runtime.logger,
  });
  const result = await custody.initialize({ clusterId: DEMO_CLUSTER, shares: 5, threshold: 3 });
  if (result.outcome === 'custody-created') return null;
  // Never print what a failed init returns besides its reason: it carries the shares.
  return `could not put the demo cluster's shares into custody: ${result.outcome === 'custody-failed' ? result.error : result.outcome}`;
}

const DEMO_CLUSTER = 'demo';

function demoConfig(cluster: SimulatedCluster): SealwatchConfig {
  // A fresh custody key per run, held only in this process's memory.
  const key = randomBytes(32);
  const keyText = new Secret(key.toString('hex'));
  key.fill(0);
  return {
    state: { kind: 'embedded', embedded: { path: '.sealwatch/demo' } },
    sweep: { concurrency: 16, nodeTimeoutMs: 2000, intervalSeconds: 5 },
    wrappers: [{ id: 'demo-local', kind: 'local', local: { key: keyText } }],
    clusters: [
      {
        id: DEMO_CLUSTER,
        name: 'Demo cluster (simulated)',
        nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: n.url.startsWith('http:') })),
        ...(cluster.caPem ? { tls: { caPem: cluster.caPem } } : {}),
      },
    ],
  };
}
