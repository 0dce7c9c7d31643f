import { describeError } from '../../../shared/errors.ts';
import type { DiscoveredNode } from '../../../shared/ports/node-discovery.ts';
import { DiscoveryError } from '../../../shared/ports/node-discovery.ts';
import { defineCommand, requireOption } from '../args.ts';
import { loadRuntime, unknownCluster } from '../load-runtime.ts';

const USAGE = `usage: sealwatch discover --cluster ID [--config FILE] [--json]

Prints what the cluster's discovery (clusters[].discovery) finds now: node id, address and what
the source says (pod readiness, Kubernetes node, zone, instance id...). Nothing is probed,
unsealed or stored. Exit 0 on success, 2 when discovery failed, 1 on a usage error.

  --cluster ID   the configured cluster (it must have a discovery)
  --json         print a JSON array of {id, url, terminating, details}`;

/** `sealwatch discover`: the command to run while setting discovery up. */
export const discoverCommand = defineCommand({
  usage: USAGE,
  options: { cluster: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const clusterId = requireOption(values.cluster, 'cluster', USAGE);
    const runtime = await loadRuntime(io, values.config);
    if (!runtime) return 1;
    try {
      if (!runtime.clusters.some((c) => c.id === clusterId))
        return unknownCluster(
          io,
          'discover',
          clusterId,
          runtime.clusters.map((c) => c.id),
        );
      if (!runtime.discovery.has(clusterId)) {
        io.stderr(`sealwatch discover: cluster ${clusterId} has no discovery configured (it lists static nodes only)\n`);
        return 1;
      }
      let nodes: DiscoveredNode[];
      try {
        nodes = await runtime.discovery.discoverNow(clusterId, AbortSignal.timeout(60_000));
      } catch (error) {
        const permission = error instanceof DiscoveryError && error.permission ? ` (grant: ${error.permission})` : '';
        io.stderr(`sealwatch discover: ${describeError(error)}${permission}\n`);
        return 2;
      }
      io.stdout(values.json ? `${JSON.stringify(nodes.map(toJson), null, 2)}\n` : formatNodes(clusterId, nodes));
      return 0;
    } finally {
      await runtime.close();
    }
  },
});

function toJson(node: DiscoveredNode) {
  return { id: node.id, url: node.url, terminating: node.terminating === true, details: node.details };
}

function formatNodes(clusterId: string, nodes: readonly DiscoveredNode[]): string {
  if (nodes.length === 0) return `cluster ${clusterId}: discovery found no nodes\n`;
  const lines = nodes.map((n) => {
    const details = Object.entries(n.details)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `  ${n.id.padEnd(20)} ${n.url.padEnd(32)} ${n.terminating ? 'TERMINATING ' : ''}${details}`;
  });
  return `cluster ${clusterId}: ${nodes.length} node(s)\n${lines.join('\n')}\n`;
}
