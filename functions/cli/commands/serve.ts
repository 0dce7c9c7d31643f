import { startDiscoveryWatch } from '../../../shared/app/discovery/discovery-watch.ts';
import { VERSION } from '../../../shared/version.ts';
import { defineCommand, parseIntOption } from '../args.ts';
import { startControlPlane, untilSignal } from '../control-plane.ts';
import { loadRuntime } from '../load-runtime.ts';
import { createReportStream } from '../report-stream.ts';

const USAGE = `usage: sealwatch serve [--config FILE] [--port P] [--host H] [--verbose]

  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --port P       API port (default 8080; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)
  --verbose      print every sweep's full report (default: the first one, then only changes
                 and a heartbeat line every 10 minutes; every line starts with the sweep's time)

Serves the API and sweeps every sweep.intervalSeconds until SIGINT/SIGTERM. Clusters discovered
from Kubernetes are also swept within about a second of an EndpointSlice change (watch). With
the embedded state store, serve also hosts the store for other sealwatch commands (incidents,
silence, keys, unseal, apikey...), which use it while serve runs.`;

/** `sealwatch serve`: API and scheduler in one process. */
export const serveCommand = defineCommand({
  usage: USAGE,
  options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, verbose: { type: 'boolean' } },
  async run({ values }, io) {
    const port = parseIntOption(values.port, 'port', 0, 65535) ?? 8080;
    const runtime = await loadRuntime(io, values.config, { hostStore: true });
    if (!runtime) return 1;
    try {
      const stream = createReportStream({ verbose: values.verbose === true });
      const plane = await startControlPlane(runtime, {
        host: values.host ?? '127.0.0.1',
        port,
        intervalMs: runtime.config.sweep.intervalSeconds * 1000,
        version: VERSION,
        auth: 'api-keys',
        onReport: (report) => io.stdout(stream(report)),
      });
      const watch = startDiscoveryWatch({
        discovery: runtime.discovery,
        sweep: (clusterId) => runtime.sweep.run({ trigger: 'discovery', clusterIds: [clusterId] }),
        logger: runtime.logger,
        onReport: (report) => io.stdout(stream(report)),
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
