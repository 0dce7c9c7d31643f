import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../../shared/version.ts';
import { realIo } from './real-io.ts';
import type { CliCommand } from './io.ts';
import { reportError } from './report-error.ts';

/** `sealwatch <command>`: commands load lazily so `probe` does not pay for the AWS SDKs. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  status: {
    summary: 'the configured clusters now, one screen each (like `vault status`)',
    load: async () => (await import('./commands/status.ts')).statusCommand,
  },
  probe: { summary: 'probe Vault nodes without a config', load: async () => (await import('./commands/probe.ts')).probeCommand },
  sweep: { summary: 'run one sweep of the configured clusters', load: async () => (await import('./commands/sweep.ts')).sweepCommand },
  serve: { summary: 'serve the API and sweep on a schedule', load: async () => (await import('./commands/serve.ts')).serveCommand },
  demo: { summary: 'run a simulated cluster with sealwatch in front of it', load: async () => (await import('./commands/demo.ts')).demoCommand },
  config: { summary: 'config check FILE: validate a configuration file', load: async () => (await import('./commands/config.ts')).configCommand },
  unseal: { summary: "unseal a cluster's sealed nodes now", load: async () => (await import('./commands/unseal.ts')).unsealCommand },
  keys: { summary: 'custody: import shares, status and outage analysis, rewrap', load: async () => (await import('./commands/keys.ts')).keysCommand },
  init: { summary: 'initialise a new cluster with its shares straight into custody', load: async () => (await import('./commands/init.ts')).initCommand },
  alerts: { summary: 'alerts test --channel ID: send a test notification', load: async () => (await import('./commands/alerts.ts')).alertsCommand },
  incidents: { summary: 'list open incidents and their delivery status', load: async () => (await import('./commands/incidents.ts')).incidentsCommand },
  silence: { summary: 'silence add|list|remove: mute notifications for a while', load: async () => (await import('./commands/silence.ts')).silenceCommand },
  recover: {
    summary: 'run the enabled recovery steps of a cluster now (unseal, join, remove dead peers)',
    load: async () => (await import('./commands/recover.ts')).recoverCommand,
  },
  token: {
    summary: "token set: store a cluster's Vault control token in custody (stdin)",
    load: async () => (await import('./commands/token.ts')).tokenCommand,
  },
  discover: {
    summary: "print the nodes a cluster's discovery finds now (Kubernetes, EC2/ASG, DNS)",
    load: async () => (await import('./commands/discover.ts')).discoverCommand,
  },
  apikey: { summary: 'API keys for the HTTP API: create, revoke, list', load: async () => (await import('./commands/apikey.ts')).apikeyCommand },
};

export const USAGE = `usage: sealwatch <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'sealwatch <command> --help' for a command's options; 'sealwatch --version' for the version.`;

export async function main(argv: string[], io = realIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(rest.includes('--json') ? `${JSON.stringify({ version: VERSION, node: process.version })}\n` : `sealwatch ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`sealwatch: unknown command "${name}"\n\n${USAGE}\n`);
    return 1;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    // Whatever a command did not report itself: one line (or JSON), never a stack trace.
    return reportError(io, label(name, rest), error, rest.includes('--json'));
  }
}

/** `keys import`, `silence add`…: the command and, when there is one, its subcommand. */
function label(name: string, rest: readonly string[]): string {
  const sub = rest[0];
  return sub !== undefined && /^[a-z][a-z-]*$/.test(sub) && ['keys', 'silence', 'apikey', 'token', 'config', 'alerts'].includes(name) ? `${name} ${sub}` : name;
}

/**
 * Runs the CLI as a process: exit code from main(); an error escaping every handler (thrown
 * from a library callback) still ends in one line on stderr and exit 1, not a stack trace.
 */
export async function runCli(argv: string[]): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io = realIo();
  const crash = (error: unknown) => {
    reportError(io, argv[0] ?? 'sealwatch', error, argv.includes('--json'));
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.exitCode = await main(argv, io);
}

// Run when executed directly (`tsx functions/cli/main.ts`); bin.js imports and calls runCli().
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  void runCli(process.argv.slice(2));
}
