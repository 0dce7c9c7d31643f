import { userInfo } from 'node:os';
import type { Silence } from '../../../shared/core/incidents/types.ts';
import { formatDuration, parseDuration } from '../../../shared/config/fields.ts';
import { checkFindingId } from '../../../shared/app/silences.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import type { Runtime } from '../../../shared/runtime/create-runtime.ts';
import { UsageError, defineCommand } from '../args.ts';
import type { CliCommand, CliIo } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';
import { table } from './keys-runtime.ts';

/** What alerting commands can be given instead of the defaults (tests inject the runtime). */
export interface AlertCommandDeps {
  loadRuntime?: (io: CliIo, configFlag: string | undefined) => Promise<Runtime | null>;
}

const USAGE = `usage: sealwatch silence <add|list|remove> [options]

  sealwatch silence add --cluster ID [--node ID] [--finding ID] --for DURATION --comment TEXT [--author NAME]
  sealwatch silence list [--json]
  sealwatch silence remove ID [--author NAME]

Silences mute notifications (trigger, update, reminder) of matching conditions until they
expire; incidents still open and resolve, and an incident still open when its silence ends
pages then. A silence without --node covers every node of the cluster, without --finding every
finding. DURATION is like 90s, 30m, 2h or 7d (at most 90d). Like Alertmanager's, every silence
records who created it and why: --comment is required (--reason is accepted as its old name),
--author defaults to the OS user. --finding must be a finding id of the catalogue (README
"Findings"). Adding and removing silences is audited in the cluster's trail.

  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print JSON

Exit status: 0, 2 when the silence to remove does not exist, 1 on usage or configuration errors.`;

/** The author of a CLI action: `--author`, else the OS user name. */
export function cliAuthor(flag: string | undefined): string {
  if (flag !== undefined && flag.trim() !== '') return flag.trim();
  try {
    return userInfo().username || 'unknown';
  } catch {
    // No passwd entry (some containers): still say it came from the CLI.
    return process.env.USER ?? 'unknown';
  }
}

/** `sealwatch silence add|list|remove`. */
export function createSilenceCommand(deps: AlertCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'silence',
    usage: USAGE,
    allowPositionals: true,
    options: {
      cluster: { type: 'string' },
      node: { type: 'string' },
      finding: { type: 'string' },
      for: { type: 'string' },
      comment: { type: 'string' },
      reason: { type: 'string' },
      author: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values, positionals }, io) {
      const [sub, ...rest] = positionals;
      if (values.help || sub === 'help') return (io.stdout(`${USAGE}\n`), 0);
      if (sub !== 'add' && sub !== 'list' && sub !== 'remove')
        throw new UsageError(`${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`}\n\n${USAGE}`);
      let forMs: number | undefined;
      if (sub === 'add') {
        if (!values.cluster) throw new UsageError(`--cluster is required\n\n${USAGE}`);
        if (!values.for) throw new UsageError(`--for is required\n\n${USAGE}`);
        forMs = parseDuration(values.for);
        if (forMs === undefined || forMs <= 0) throw new UsageError(`--for must be a duration like 90s, 30m, 2h or 7d, got "${values.for}"`);
        if (!(values.comment ?? values.reason)?.trim()) throw new UsageError(`--comment is required: say why (a ticket, the maintenance)\n\n${USAGE}`);
        if (values.finding !== undefined) {
          try {
            checkFindingId(values.finding);
          } catch (error) {
            throw new UsageError(`--finding: ${(error as Error).message}`);
          }
        }
      }
      if (sub === 'remove' && rest.length !== 1) throw new UsageError(`silence remove takes one silence id\n\n${USAGE}`);
      if (sub !== 'remove' && rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n\n${USAGE}`);

      const runtime = await (deps.loadRuntime ?? loadRuntime)(io, values.config);
      if (!runtime) return 1;
      try {
        const silences = runtime.alerting.silences;
        if (sub === 'add') {
          const cluster = runtime.clusters.find((c) => c.id === values.cluster);
          if (!cluster) throw new UsageError(`no cluster "${values.cluster}" is configured (known: ${runtime.clusters.map((c) => c.id).join(', ')})`);
          if (values.node !== undefined && !cluster.nodes.some((n) => n.id === values.node)) {
            throw new UsageError(`cluster ${cluster.id} has no node "${values.node}" (known: ${cluster.nodes.map((n) => n.id).join(', ')})`);
          }
          const silence = await silences.add({
            cluster: cluster.id,
            forMs: forMs ?? 0,
            ...(values.node === undefined ? {} : { node: values.node }),
            ...(values.finding === undefined ? {} : { finding: values.finding }),
            comment: values.comment ?? values.reason ?? '',
            createdBy: cliAuthor(values.author),
          });
          io.stdout(values.json ? `${JSON.stringify(silence, null, 2)}\n` : `${silence.id}: silenced ${scopeOf(silence)} until ${silence.expiresAt}\n`);
          return 0;
        }
        if (sub === 'list') {
          const list = await silences.list();
          io.stdout(values.json ? `${JSON.stringify({ silences: list }, null, 2)}\n` : formatSilences(list, runtime.clock.now()));
          return 0;
        }
        const id = rest[0] ?? '';
        try {
          await silences.remove(id, cliAuthor(values.author));
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          io.stderr(`sealwatch silence: ${error.message}\n`);
          return 2;
        }
        io.stdout(values.json ? `${JSON.stringify({ removed: id })}\n` : `removed ${id}\n`);
        return 0;
      } finally {
        await runtime.close();
      }
    },
  });
}

export const silenceCommand: CliCommand = createSilenceCommand();

function scopeOf(s: Silence): string {
  return `${s.cluster}/${s.node ?? '*'} ${s.finding ?? '(every finding)'}`;
}

/** One line per silence with what it covers and how long it has left. */
export function formatSilences(silences: readonly Silence[], now: number): string {
  if (silences.length === 0) return 'no active silences\n';
  const rows = [['ID', 'CLUSTER', 'NODE', 'FINDING', 'EXPIRES', 'LEFT', 'CREATED BY', 'COMMENT']];
  for (const s of silences) {
    const left = Math.max(0, Math.round((Date.parse(s.expiresAt) - now) / 60_000) * 60_000);
    rows.push([s.id, s.cluster, s.node ?? '*', s.finding ?? '*', s.expiresAt, left > 0 ? formatDuration(left) : '<1m', s.createdBy, s.comment]);
  }
  return `${table(rows, '')}\n`;
}
