import { NotFoundError } from '../../../shared/errors.ts';
import { UsageError, defineCommand, parseIntOption } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';
import type { AlertCommandDeps } from './silence.ts';

const USAGE = `usage: sealwatch alerts test --channel ID [--wait SECONDS] [--json] [--config FILE]

Sends a test notification (kind "test") to one configured channel through the outbox, as every
alert goes, and prints what the channel answered. Retries (429 with Retry-After, 408, 5xx) are
followed for up to --wait seconds (default 10). A test is sent even to a channel disabled by a
410, and a successful one re-enables it.

  --channel ID   a channel id from \`channels\`
  --wait S       follow retries for up to S seconds (0..600, default 10)
  --json         print {"channel", "delivered", "outcomes": [{state, status, error}]}
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)

Exit status: 0 delivered, 2 not delivered, 1 on usage or configuration errors.`;

/** `sealwatch alerts test`. */
export function createAlertsCommand(deps: AlertCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'alerts',
    usage: USAGE,
    allowPositionals: true,
    options: {
      channel: { type: 'string' },
      wait: { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string' },
    },
    async run({ values, positionals }, io) {
      if (positionals[0] !== 'test' || positionals.length !== 1) throw new UsageError(`the only subcommand is "test"\n\n${USAGE}`);
      if (!values.channel) throw new UsageError(`--channel is required\n\n${USAGE}`);
      const waitSeconds = parseIntOption(values.wait, 'wait', 0, 600) ?? 10;
      const runtime = await (deps.loadRuntime ?? loadRuntime)(io, values.config);
      if (!runtime) return 1;
      try {
        let outcomes;
        try {
          outcomes = await runtime.alerting.sendTest(values.channel, { waitMs: waitSeconds * 1000 });
        } catch (error) {
          if (error instanceof NotFoundError) throw new UsageError(error.message);
          throw error;
        }
        const delivered = outcomes.some((o) => o.state === 'delivered');
        if (values.json) {
          io.stdout(`${JSON.stringify({ channel: values.channel, delivered, outcomes }, null, 2)}\n`);
        } else {
          for (const o of outcomes) {
            const status = o.status === undefined ? '' : ` (HTTP ${o.status})`;
            const state = o.state === 'pending' ? 'failed, will retry' : o.state;
            io.stdout(`${o.channel}: ${state}${status}${o.error ? `: ${o.error}` : ''}\n`);
          }
          if (outcomes.length === 0) io.stdout(`${values.channel}: nothing sent (the test is queued; it will be retried)\n`);
        }
        return delivered ? 0 : 2;
      } finally {
        await runtime.close();
      }
    },
  });
}

export const alertsCommand: CliCommand = createAlertsCommand();
