import { loadConfig, resolveConfigPath } from '../../../shared/config/load-config.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { ConfigError, type ConfigProblem } from '../../../shared/errors.ts';
import { defineCommand, UsageError } from '../args.ts';
import type { CliCommand, CliIo } from '../io.ts';

const USAGE = `usage: sealwatch config check [FILE] [--json]

Validates a configuration file and lists every problem at once.
FILE defaults to $SEALWATCH_CONFIG, then ./sealwatch.yaml.
  --json   print {"ok": true|false, "problems": [{"path", "message"}]} on stdout

Exit status: 0 when valid, 1 when not (or on a usage error).`;

/** `sealwatch config check [FILE] [--json]` (argv: the arguments after `config check`). */
export const configCheckCommand: CliCommand = defineCommand({
  name: 'config check',
  usage: USAGE,
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError(`expected at most one FILE\n\n${USAGE}`);
    return check(positionals[0], values.json === true, io);
  },
});

/** Loads the file and prints what config check promises; exit 0 when valid, 1 when not. */
async function check(file: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const path = resolveConfigPath(file, io.env, io.cwd);
  let config: SealwatchConfig;
  try {
    config = await loadConfig({ path, env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (json) io.stdout(`${JSON.stringify({ ok: false, problems: error.problems }, null, 2)}\n`);
    else io.stderr(error.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    return 1;
  }

  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, problems: [] }, null, 2)}\n`);
    return 0;
  }
  const nodes = config.clusters.reduce((sum, cluster) => sum + cluster.nodes.length, 0);
  const discovering = config.clusters.filter((cluster) => cluster.discovery !== undefined).length;
  // Discovered nodes are not known until a sweep (or `sealwatch discover`) asks.
  const discovery = discovering > 0 ? ` (+ discovery in ${count(discovering, 'cluster')})` : '';
  io.stdout(`ok: ${count(config.clusters.length, 'cluster')}, ${count(nodes, 'node')}${discovery}, ${count(config.wrappers.length, 'wrapper')}\n`);
  for (const cluster of config.clusters) {
    for (const node of cluster.nodes) {
      if (node.insecureHttp) {
        io.stderr(`warning: cluster ${cluster.id} node ${node.id} uses plain http: unseal shares would cross the network in clear text\n`);
      }
    }
  }
  return 0;
}

// Whole-file problems (unreadable file, syntax errors) have no path worth printing.
function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
