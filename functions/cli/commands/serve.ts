import { startDiscoveryWatch } from '../../../shared/app/discovery/discovery-watch.ts';
import { VERSION } from '../../../shared/version.ts';
import { defineCommand, parseIntOption } from '../args.ts';
import { startControlPlane, untilSignal } from '../control-plane.ts';
import { formatReport } from '../format-report.ts';
import { loadRuntime } from '../load-runtime.ts';

const USAGE = `usage: sealwatch serve [--config FILE] [--port P] [--host H]

  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --port P       API port (default 8080; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)

Serves the API and sweeps every sweep.intervalSeconds until SIGINT/SIGTERM. Clusters discovered
from Kubernetes are also swept within about a second of an EndpointSlice change (watch).`;

/** `sealwatch serve`: API and scheduler in one process. */
export const serveCommand = defineCommand({
  usage: USAGE,
  options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  async run({ values }, io) {
    const port = parseIntOption(values.port, 'port', 0, 65535) ?? 8080;
    const runtime = await loadRuntime(io, values.config);
    if (!runtime) return 1;
    try {
      const plane = await startControlPlane(runtime, {
        host: values.host ?? '127.0.0.1',
        port,
        intervalMs: runtime.config.sweep.intervalSeconds * 1000,
        version: VERSION,
        authenticate: true,
        onReport: (report) => io.stdout(formatReport(report)),
      });
      const watch = startDiscoveryWatch({
        discovery: runtime.discovery,
        sweep: (clusterId) => runtime.sweep.run({ trigger: 'discovery', clusterIds: [clusterId] }),
        logger: runtime.logger,
        onReport: (report) => io.stdout(formatReport(report)),
      });
      io.stderr(`sealwatch ${VERSION} serving ${plane.url} — sweeping every ${runtime.config.sweep.intervalSeconds}s; Ctrl-C to stop\n`);
      await untilSignal();
      watch.stop();
      await plane.stop();
      return 0;
    } finally {
      await runtime.close();
    }
  },
});
