import type { IncidentView } from '../../../shared/app/incident-service.ts';
import { defineCommand } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';
import type { AlertCommandDeps } from './silence.ts';

const USAGE = `usage: sealwatch incidents [--all] [--json] [--config FILE]

Lists open incidents, worst first, with the delivery of each notification per channel
(delivered, pending with attempts and last error, failed, gave-up, skipped).

  --all          also conditions seen but not yet open (pending: counting consecutive sweeps)
  --json         print {"incidents": [...]}
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)

Exit status: 0, 1 on usage or configuration errors.`;

/** `sealwatch incidents`. */
export function createIncidentsCommand(deps: AlertCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'incidents',
    usage: USAGE,
    options: { all: { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
    async run({ values }, io) {
    const runtime = await (deps.loadRuntime ?? loadRuntime)(io, values.config);
    if (!runtime) return 1;
    try {
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

/** Two lines per incident: the condition, then its deliveries. */
export function formatIncidents(incidents: readonly IncidentView[]): string {
  if (incidents.length === 0) return 'no open incidents\n';
  const lines: string[] = [];
  for (const i of incidents) {
    const where = i.node === undefined ? i.cluster : `${i.cluster}/${i.node}`;
    const since = i.status === 'open' ? `since ${i.openedAt}` : `pending, seen ${i.hits}x since ${i.firstSeenAt}`;
    lines.push(`${i.severity.toUpperCase().padEnd(8)} ${where}  ${i.findingId}  ${since}${i.notified || i.status !== 'open' ? '' : '  (silenced)'}`);
    lines.push(`         ${i.message}`);
    for (const d of i.deliveries) {
      const status = d.lastStatus === undefined ? '' : ` HTTP ${d.lastStatus}`;
      const detail = d.state === 'delivered' ? ` at ${d.deliveredAt}` : d.lastError ? `: ${d.lastError}` : '';
      lines.push(`         → ${d.channel}: ${d.kind} ${d.state}${status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
