import type { ClearBlockResult } from '../../../shared/app/unseal-service.ts';
import type { UnsealClusterResult } from '../../../shared/app/unseal-types.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { defineCommand, requireOption, UsageError } from '../args.ts';
import { loadRuntime, unknownCluster } from '../load-runtime.ts';

const USAGE = `usage: sealwatch unseal --cluster ID [--node ID] [--dry-run] [--config FILE] [--json]
       sealwatch unseal --clear-block --cluster ID [--node ID] [--config FILE] [--json]

Unseals the cluster's sealed nodes now, with the shares in custody (under the cluster lease,
only over TLS pinned to the cluster CA, only when a node's seal status fits the custody).

A node that answers that the key is wrong, or discards a full threshold of shares twice, is
blocked: it gets no share until the custody is replaced (keys import --replace) or the block is
cleared. When two nodes block the same custody, the whole cluster is blocked.

  --cluster ID   the configured cluster
  --node ID      only this node (default: every node of the cluster)
  --dry-run      say what would be done (nodes, share indexes, wrappers) without unwrapping or
                 sending anything
  --clear-block  lift the blocks (of --node only, or every block of the cluster) and audit it;
                 nothing is unsealed by this command
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print the result as JSON

Exit status: 0 when every targeted node is unsealed (or none needed it), 2 otherwise,
1 on usage or configuration errors.`;

/** `sealwatch unseal`: an operator-triggered unseal of one cluster. */
export const unsealCommand = defineCommand({
  usage: USAGE,
  options: {
    cluster: { type: 'string' },
    node: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'clear-block': { type: 'boolean' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }, io) {
    const clusterId = requireOption(values.cluster, 'cluster', USAGE);
    const runtime = await loadRuntime(io, values.config);
    if (!runtime) return 1;
    try {
      const cluster = await runtime.resolveCluster(clusterId);
      if (!cluster)
        return unknownCluster(
          io,
          'unseal',
          clusterId,
          runtime.clusters.map((c) => c.id),
        );
      if (values.node !== undefined && !cluster.nodes.some((n) => n.id === values.node)) {
        throw new NotFoundError(`cluster ${cluster.id} has no node "${values.node}" (known: ${cluster.nodes.map((n) => n.id).join(', ')})`);
      }
      if (values['clear-block']) {
        if (values['dry-run']) throw new UsageError(`--clear-block and --dry-run do not go together\n\n${USAGE}`);
        const cleared = await runtime.unseal.clearBlocks({
          clusterId: cluster.id,
          trigger: 'cli',
          ...(values.node === undefined ? {} : { nodeId: values.node }),
        });
        io.stdout(values.json ? `${JSON.stringify(cleared, null, 2)}\n` : formatCleared(cleared));
        return 0;
      }
      const result = await runtime.unseal.unsealCluster({
        cluster,
        trigger: 'cli',
        ...(values.node === undefined ? {} : { nodeIds: [values.node] }),
        ...(values['dry-run'] ? { dryRun: true } : {}),
      });
      io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatUnseal(result));
      return result.ok ? 0 : 2;
    } finally {
      await runtime.close();
    }
  },
});

function formatCleared(r: ClearBlockResult): string {
  const what = [...r.nodes.map((n) => `node ${n}`), ...(r.clusterBlockCleared ? ['the cluster block'] : [])];
  return what.length === 0 ? `cluster ${r.cluster}: no block to clear\n` : `cluster ${r.cluster}: cleared ${what.join(', ')} (audited)\n`;
}

/** One line per node, then the findings. */
export function formatUnseal(result: UnsealClusterResult): string {
  const lines = [`${result.dryRun ? 'dry run: ' : ''}cluster ${result.cluster}`];
  for (const node of result.nodes) {
    const shares = node.shareIndexes.length > 0 ? ` shares ${node.shareIndexes.join(',')} via ${node.wrappers.join(',')}` : '';
    const time = node.outcome === 'unsealed' ? ` in ${node.timings.totalMs} ms (unwrap ${node.timings.unwrapMs}, submit ${node.timings.submitMs})` : '';
    lines.push(`  ${node.nodeId.padEnd(12)} ${node.outcome.padEnd(20)}${shares}${time} — ${node.message}`);
  }
  for (const finding of result.findings) lines.push(`  ! [${finding.severity}] ${finding.id}: ${finding.message}`);
  return `${lines.join('\n')}\n`;
}
