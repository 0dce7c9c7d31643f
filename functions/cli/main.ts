import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { realIo } from './real-io.ts';
import type { CliCommand } from './io.ts';

/** `sealwatch <command>`: commands load lazily so `probe` does not pay for the AWS SDKs. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
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
  recover: { summary: 'run the enabled recovery steps of a cluster now (unseal, join, remove dead peers)', load: async () => (await import('./commands/recover.ts')).recoverCommand },
  token: { summary: "token set: store a cluster's Vault control token in custody (stdin)", load: async () => (await import('./commands/token.ts')).tokenCommand },
  discover: { summary: "print the nodes a cluster's discovery finds now (Kubernetes, EC2/ASG, DNS)", load: async () => (await import('./commands/discover.ts')).discoverCommand },
  apikey: { summary: 'API keys for the HTTP API: create, revoke, list', load: async () => (await import('./commands/apikey.ts')).apikeyCommand },
};

export const USAGE = `usage: sealwatch <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run 'sealwatch <command> --help' for a command's options.`;

export async function main(argv: string[], io = realIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`sealwatch: unknown command "${name}"\n\n${USAGE}\n`);
    return 1;
  }
  return (await command.load())(rest, io);
}

// Run when executed directly (`tsx functions/cli/main.ts`); bin.js imports and calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`sealwatch: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
