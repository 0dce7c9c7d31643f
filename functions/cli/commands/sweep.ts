import { VERSION } from '../../../shared/version.ts';
import { defineCommand } from '../args.ts';
import { untilSignal } from '../control-plane.ts';
import { formatReport } from '../format-report.ts';
import { loadRuntime } from '../load-runtime.ts';
import { createReportStream } from '../report-stream.ts';

const USAGE = `usage: sealwatch sweep [--config FILE] [--once] [--json] [--verbose]

  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --once         one sweep, print the report, exit (otherwise sweep every sweep.intervalSeconds)
  --json         print the report as JSON (schema: README "Sweep report"; one line per sweep
                 without --once)
  --verbose      without --once: print every sweep's full report (default: the first one, then
                 only changes and a heartbeat line every 10 minutes, each line with its time)

Exit status: 0 when the sweep ran, 1 on configuration errors, 3 when another sweep held the lease.`;

/** `sealwatch sweep`: one sweep (or a loop of them) without the API. */
export const sweepCommand = defineCommand({
  usage: USAGE,
  options: { config: { type: 'string' }, once: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  async run({ values }, io) {
    // A sweep loop runs for long: it hosts the embedded store for other commands, unless a serve already does.
    const runtime = await loadRuntime(io, values.config, values.once ? {} : { hostStore: 'if-first' });
    if (!runtime) return 1;
    const stream = createReportStream({ verbose: values.verbose === true });
    const print = (report: Parameters<typeof formatReport>[0]) =>
      io.stdout(values.json ? `${JSON.stringify(report, null, values.once ? 2 : 0)}\n` : values.once ? formatReport(report) : stream(report));
    try {
      if (values.once) {
        const report = await runtime.sweep.run({ trigger: 'cli' });
        print(report);
        return report.skipped ? 3 : 0;
      }
      const stop = untilSignal();
      let done = false;
      void stop.then(() => (done = true));
      io.stderr(`sealwatch ${VERSION}: sweeping every ${runtime.config.sweep.intervalSeconds}s; Ctrl-C to stop\n`);
      while (!done) {
        print(await runtime.sweep.run({ trigger: 'cli' }));
        await Promise.race([stop, new Promise((r) => setTimeout(r, runtime.config.sweep.intervalSeconds * 1000))]);
      }
      return 0;
    } finally {
      await runtime.close();
    }
  },
});
