import { createJsonLogger } from '../../../shared/adapters/json-logger.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { createRuntime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { VERSION } from '../../../shared/version.ts';
import { parseCommandArgs, parseIntOption, UsageError } from '../args.ts';
import { startControlPlane, untilSignal } from '../control-plane.ts';
import { formatReport } from '../format-report.ts';
import type { CliCommand } from '../io.ts';
import { logLevel } from '../load-runtime.ts';

const USAGE = `usage: sealwatch demo [--nodes N] [--once] [--json] [--port P]

Starts a simulated N-node Vault raft cluster (TLS, its own CA) on loopback and sealwatch in
front of it with an in-memory embedded state store.

  --nodes N   simulated nodes (default 3, 1..9)
  --once      one sweep, print the report, exit
  --json      print reports as JSON
  --port P    API port when not --once (default 8080; 0 picks a free one)`;

/** `sealwatch demo`: a self-contained tour; `npm start` runs it. */
export const demoCommand: CliCommand = async (argv, io) => {
  try {
    const { values } = parseCommandArgs(
      argv,
      {
        nodes: { type: 'string' },
        once: { type: 'boolean' },
        json: { type: 'boolean' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) return (io.stdout(`${USAGE}\n`), 0);
    const nodes = parseIntOption(values.nodes, 'nodes', 1, 9) ?? 3;
    const port = parseIntOption(values.port, 'port', 0, 65535) ?? 8080;
    const cluster = await startSimulatedCluster({ nodes, clusterName: 'demo' });
    const logger = createJsonLogger({ level: logLevel(io.env.SEALWATCH_LOG_LEVEL), write: (l) => io.stderr(`${l}\n`) });
    const runtime = await createRuntime({ config: demoConfig(cluster), clock: systemClock, logger, inMemoryState: true });
    const print = (report: Parameters<typeof formatReport>[0]) =>
      io.stdout(values.json ? `${JSON.stringify(report, null, values.once ? 2 : 0)}\n` : formatReport(report));
    try {
      if (values.once) {
        print(await runtime.sweep.run({ trigger: 'demo' }));
        return 0;
      }
      const plane = await startControlPlane(runtime, {
        host: '127.0.0.1',
        port,
        intervalMs: 5_000,
        version: VERSION,
        onReport: print,
      });
      io.stderr(
        `sealwatch ${VERSION} demo: ${nodes} simulated Vault nodes (${cluster.nodes.map((n) => n.url).join(', ')})\n` +
          `API: ${plane.url}/v1/clusters — sweeping every 5 s; Ctrl-C to stop\n`,
      );
      await untilSignal();
      await plane.stop();
      return 0;
    } finally {
      await runtime.close();
      await cluster.close();
    }
  } catch (error) {
    if (error instanceof UsageError) return (io.stderr(`${error.message}\n`), 1);
    throw error;
  }
};

function demoConfig(cluster: SimulatedCluster): SealwatchConfig {
  return {
    state: { kind: 'embedded', embedded: { path: '.sealwatch/demo' } },
    sweep: { concurrency: 16, nodeTimeoutMs: 2000, intervalSeconds: 5 },
    wrappers: [],
    clusters: [
      {
        id: 'demo',
        name: 'Demo cluster (simulated)',
        nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: n.url.startsWith('http:') })),
        ...(cluster.caPem ? { tls: { caPem: cluster.caPem } } : {}),
      },
    ],
  };
}
