import type { IncidentView } from '../../../shared/app/incident-service.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { UsageError, defineCommand } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';
import { cliAuthor, type AlertCommandDeps } from './silence.ts';

const USAGE = `usage: sealwatch incidents [--all] [--json] [--config FILE]
       sealwatch incidents ack DEDUP_KEY [--comment TEXT] [--author NAME] [--json] [--config FILE]

Lists open incidents, worst first, with the silence that mutes each (if any), who acknowledged
it, and the delivery of each notification per channel (delivered, pending with attempts and
last error, failed, gave-up, skipped).

\`ack\` acknowledges an open incident (its dedup key, e.g. sealwatch:prod:vault-2:node.sealed):
its reminders stop until it resolves; updates and the resolve still go out. Audited in the
cluster's trail with --author (default: the OS user).

  --all          also conditions seen but not yet open (pending: counting consecutive sweeps)
  --json         print {"incidents": [...]} (ack: {"incident": {...}})
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)

Exit status: 0, 2 when there is no open incident with that key (ack), 1 on usage or
configuration errors.`;

/** `sealwatch incidents [ack KEY]`. */
export function createIncidentsCommand(deps: AlertCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'incidents',
    usage: USAGE,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      config: { type: 'string' },
      comment: { type: 'string' },
      author: { type: 'string' },
    },
    async run({ values, positionals }, io) {
      const [sub, ...rest] = positionals;
      if (sub !== undefined && sub !== 'ack') throw new UsageError(`unknown subcommand "${sub}"\n\n${USAGE}`);
      if (sub === 'ack' && rest.length !== 1) throw new UsageError(`incidents ack takes one incident dedup key\n\n${USAGE}`);
      const runtime = await (deps.loadRuntime ?? loadRuntime)(io, values.config);
      if (!runtime) return 1;
      try {
        if (sub === 'ack') {
          let incident: IncidentView;
          try {
            incident = await runtime.alerting.incidents.acknowledge({
              dedupKey: rest[0] ?? '',
              by: cliAuthor(values.author),
              ...(values.comment ? { comment: values.comment } : {}),
            });
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
            io.stderr(`sealwatch incidents ack: ${error.message} (see \`sealwatch incidents\`)\n`);
            return 2;
          }
          const ack = incident.acknowledged;
          io.stdout(
            values.json
              ? `${JSON.stringify({ incident }, null, 2)}\n`
              : `acknowledged ${incident.dedupKey} (by ${ack?.by} at ${ack?.at}): reminders stop until it resolves\n`,
          );
          return 0;
        }
        const incidents = await runtime.alerting.incidents.list({ all: values.all ?? false });
        io.stdout(values.json ? `${JSON.stringify({ incidents }, null, 2)}\n` : formatIncidents(incidents));
        return 0;
      } finally {
        await runtime.close();
      }
    },
  });
}

export const incidentsCommand: CliCommand = createIncidentsCommand();

/** Two lines per incident (the condition, its message), then silence, acknowledgement and deliveries. */
export function formatIncidents(incidents: readonly IncidentView[]): string {
  if (incidents.length === 0) return 'no open incidents\n';
  const lines: string[] = [];
  for (const i of incidents) {
    const where = i.node === undefined ? i.cluster : `${i.cluster}/${i.node}`;
    const since = i.status === 'open' ? `since ${i.openedAt}` : `pending, seen ${i.hits}x since ${i.firstSeenAt}`;
    lines.push(`${i.severity.toUpperCase().padEnd(8)} ${where}  ${i.findingId}  ${since}${i.notified || i.status !== 'open' ? '' : '  (silenced)'}`);
    lines.push(`         ${i.message}`);
    lines.push(`         key ${i.dedupKey}`);
    if (i.silencedBy)
      lines.push(`         silenced by ${i.silencedBy.id} until ${i.silencedBy.expiresAt} (${i.silencedBy.createdBy}: ${i.silencedBy.comment})`);
    if (i.acknowledged)
      lines.push(`         acknowledged by ${i.acknowledged.by} at ${i.acknowledged.at}${i.acknowledged.comment ? `: ${i.acknowledged.comment}` : ''}`);
    for (const d of i.deliveries) {
      const status = d.lastStatus === undefined ? '' : ` HTTP ${d.lastStatus}`;
      const detail = d.state === 'delivered' ? ` at ${d.deliveredAt}` : d.lastError ? `: ${d.lastError}` : '';
      lines.push(`         → ${d.channel}: ${d.kind} ${d.state}${status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
