import type { ProbeResult } from './probe.ts';

/** One cluster as `status --json` prints it. */
export interface ClusterStatus {
  id: string;
  name: string;
  /** Each node as `probe --json` describes it, plus its configured id. */
  nodes: ({ id: string } & ProbeResult)[];
}

const ATTENTION = new Set(['sealed', 'uninitialized', 'unreachable']);

/** True when a node is sealed, uninitialized or unreachable (exit status 2, as `vault status`). */
export function needsAttention(cluster: ClusterStatus): boolean {
  return cluster.nodes.some((n) => ATTENTION.has(n.state) || n.sealed === true);
}

/**
 * A `vault status`-like screen: a Key/Value block summarising the nodes (values the nodes
 * disagree on are all listed, so version skew shows) and a line per node.
 */
export function formatClusterStatus(cluster: ClusterStatus): string {
  const nodes = cluster.nodes;
  const reached = nodes.filter((n) => n.state !== 'unreachable');
  const sealedCount = nodes.filter((n) => n.sealed === true).length;
  const active = nodes.filter((n) => n.state === 'active').map((n) => n.id);
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.state, (counts.get(n.state) ?? 0) + 1);
  const rows: [string, string][] = [
    ['Cluster', cluster.name === cluster.id ? cluster.id : `${cluster.id} (${cluster.name})`],
    ['Nodes', `${nodes.length} (${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')})`],
    ['Seal Type', distinct(reached.map((n) => n.sealType))],
    ['Recovery Seal', distinct(reached.map((n) => n.recoverySeal))],
    ['Initialized', distinct(reached.map((n) => n.initialized))],
    ['Sealed', reached.length === 0 ? 'n/a' : sealedCount === 0 ? 'false' : `true (${sealedCount} of ${nodes.length} nodes)`],
    ['Total Shares', distinct(reached.map((n) => n.shares))],
    ['Threshold', distinct(reached.map((n) => n.threshold))],
    ['Version', distinct(reached.map((n) => n.version))],
    ['Storage Type', distinct(reached.map((n) => n.storageType))],
    ['Cluster Name', distinct(reached.map((n) => n.clusterName))],
    ['Cluster ID', distinct(reached.map((n) => n.clusterId))],
    ['HA Mode', active.length === 1 ? 'active node present' : active.length === 0 ? 'NO ACTIVE NODE' : `SPLIT: ${active.length} active nodes`],
    ['Active Node', active.length === 0 ? 'n/a' : active.join(', ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 4;
  const lines = [`Key${' '.repeat(width - 3)}Value`, `---${' '.repeat(width - 3)}-----`, ...rows.map(([k, v]) => `${k.padEnd(width)}${v}`)];
  const table = [
    ['NODE', 'STATE', 'SEALED', 'PROGRESS', 'VERSION', 'URL', 'ERROR'],
    ...nodes.map((n) => [
      n.id,
      n.state,
      n.sealed === null ? '-' : String(n.sealed),
      n.progress === null || n.threshold === null ? '-' : `${n.progress}/${n.threshold}`,
      n.version ?? '-',
      n.url,
      n.error ? `${n.error.reason}: ${n.error.message}` : '',
    ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => r[i]?.length ?? 0))) ?? [];
  const nodeLines = table.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  return `${[...lines, '', ...nodeLines].join('\n')}\n`;
}

/** `x`, or `x, y` when nodes disagree; `n/a` when no node could tell. */
function distinct(values: readonly (string | number | boolean | null)[]): string {
  const known = [...new Set(values.filter((v) => v !== null).map(String))];
  return known.length === 0 ? 'n/a' : known.join(', ');
}
