import type { SweepReport } from '../../shared/app/sweep-types.ts';

/** A sweep report for people: one line per cluster, then the nodes that are not healthy. */
export function formatReport(report: SweepReport): string {
  if (report.skipped) {
    return `sweep skipped: another sweep holds the lease (owner ${report.skipped.heldBy.owner}, until ${report.skipped.heldBy.expiresAt})\n`;
  }
  const lines: string[] = [];
  for (const cluster of report.clusters) {
    const s = cluster.summary;
    const states = Object.entries(s.byState)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    lines.push(`${cluster.id} (${cluster.name}): ${s.nodes} nodes — ${states || 'none'}`);
    for (const node of cluster.nodes) {
      const mark = node.unsealedBy ? ` (unsealed by sealwatch in ${node.unseal?.durationMs ?? '?'} ms)` : '';
      const change = node.transition ? ` [was ${node.previousState}]` : '';
      const error = node.error ? ` — ${node.error.reason}: ${node.error.message}` : '';
      lines.push(`  ${node.id.padEnd(12)} ${node.state.padEnd(18)} ${node.version ?? ''}${change}${mark}${error}`);
    }
    for (const action of cluster.actions.filter((a) => a.outcome !== 'unsealed')) {
      lines.push(`  ! ${action.kind} ${action.nodeId}: ${action.outcome} — ${action.message}`);
    }
    for (const finding of cluster.findings ?? []) {
      lines.push(
        `  ${finding.severity === 'critical' ? '!!' : finding.severity === 'warning' ? '! ' : '- '} ${finding.id}${finding.node ? ` (${finding.node})` : ''}: ${finding.message}`,
      );
    }
    if (cluster.warning) lines.push(`  ! ${cluster.warning}`);
  }
  const t = report.totals;
  lines.push(
    `swept ${count(t.nodes, 'node')} in ${count(t.clusters, 'cluster')} in ${report.durationMs} ms — ${count(t.transitions, 'transition')}, ${t.unsealed} unsealed, ${count(report.stateWrites, 'state write')}`,
  );
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
