import type { ClusterReport, SweepReport } from '../../shared/app/sweep-types.ts';
import { formatReport } from './format-report.ts';

export interface ReportStreamOptions {
  /** Print every sweep's full report (still timestamped) instead of only the changes. */
  verbose?: boolean;
  /** With nothing changing, one heartbeat line at most this often (default 10 min). */
  heartbeatMs?: number;
}

/**
 * Turns the sweeps of a long-running process (`serve`, `sweep`, `demo`) into what a person
 * tailing it wants: every line starts with the sweep's time; the first sweep prints the whole
 * picture; later sweeps print only what changed (node transitions, unseals, failed actions,
 * findings raised or cleared, warnings, skipped sweeps); when nothing changes, a heartbeat line
 * says the process is alive and how things stand. Returns the text to print for each report
 * ('' when there is nothing to say).
 */
export function createReportStream(options: ReportStreamOptions = {}): (report: SweepReport) => string {
  const heartbeatMs = options.heartbeatMs ?? 600_000;
  let previousFindings: Map<string, string> | null = null;
  let lastPrintedAt = 0;
  let quietSweeps = 0;
  return (report) => {
    const at = report.startedAt;
    const now = Date.parse(at);
    const findings = findingsOf(report);
    const first = previousFindings === null;
    let lines: string[];
    if (options.verbose || first) {
      lines = formatReport(report).trimEnd().split('\n');
    } else {
      lines = changes(report, previousFindings ?? new Map(), findings);
    }
    // A skipped sweep says nothing about findings: keep comparing with the last real one.
    if (!report.skipped) previousFindings = findings;
    if (lines.length === 0) {
      quietSweeps += 1;
      if (now - lastPrintedAt < heartbeatMs) return '';
      lines = [heartbeat(report, quietSweeps)];
    } else quietSweeps = 0;
    lastPrintedAt = now;
    return lines.map((line) => `${at} ${line}\n`).join('');
  };
}

function changes(report: SweepReport, before: Map<string, string>, after: Map<string, string>): string[] {
  if (report.skipped) return [`sweep skipped: another sweep holds the lease (owner ${report.skipped.heldBy.owner}, until ${report.skipped.heldBy.expiresAt})`];
  const lines: string[] = [];
  for (const cluster of report.clusters) {
    for (const node of cluster.nodes) {
      const unsealed = node.unsealedBy ? ` (unsealed by sealwatch in ${node.unseal?.durationMs ?? '?'} ms)` : '';
      if (node.transition) {
        const error = node.error ? ` — ${node.error.reason}: ${node.error.message}` : '';
        lines.push(`${cluster.id}/${node.id}: ${node.previousState ?? 'new'} → ${node.state}${unsealed}${error}`);
      } else if (node.unsealedBy) lines.push(`${cluster.id}/${node.id}: ${node.state}${unsealed}`);
    }
    for (const action of cluster.actions.filter((a) => a.outcome !== 'unsealed')) {
      lines.push(`${cluster.id}: ! ${action.kind} ${action.nodeId}: ${action.outcome} — ${action.message}`);
    }
    if (cluster.warning) lines.push(`${cluster.id}: ! ${cluster.warning}`);
  }
  for (const [key, text] of after) if (!before.has(key)) lines.push(`finding raised: ${text}`);
  for (const [key, text] of before) if (!after.has(key)) lines.push(`finding cleared: ${text}`);
  if (lines.length > 0) {
    const t = report.totals;
    lines.unshift(`sweep: ${t.transitions} transition${t.transitions === 1 ? '' : 's'}, ${t.unsealed} unsealed, ${t.nodes} nodes in ${report.durationMs} ms`);
  }
  return lines;
}

function heartbeat(report: SweepReport, quietSweeps: number): string {
  if (report.skipped) return `heartbeat: sweeps skipped (lease held by ${report.skipped.heldBy.owner})`;
  const t = report.totals;
  const states = Object.entries(t.byState)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  return `heartbeat: ${t.nodes} node${t.nodes === 1 ? '' : 's'} in ${t.clusters} cluster${t.clusters === 1 ? '' : 's'} — ${states || 'none'}; no change in ${quietSweeps} sweep${quietSweeps === 1 ? '' : 's'}; last took ${report.durationMs} ms`;
}

/** Open findings by cluster/id/node, with the text to print for them. */
function findingsOf(report: SweepReport): Map<string, string> {
  const map = new Map<string, string>();
  for (const cluster of report.clusters as ClusterReport[]) {
    for (const f of cluster.findings ?? []) {
      map.set(`${cluster.id}\u0000${f.id}\u0000${f.node ?? ''}`, `${cluster.id} [${f.severity}] ${f.id}${f.node ? ` (${f.node})` : ''}: ${f.message}`);
    }
  }
  return map;
}
