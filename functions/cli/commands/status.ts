import { createAwsSecretResolverFromEnv } from '../../../shared/adapters/aws-secret-references.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import { mapLimit } from '../../../shared/app/map-limit.ts';
import { observeNode } from '../../../shared/app/observe-node.ts';
import { classifyNode } from '../../../shared/core/classify-node.ts';
import { observationTarget } from '../../../shared/core/pinned-target.ts';
import { loadConfig, resolveConfigPath } from '../../../shared/config/load-config.ts';
import { discoverOnce, withServerNameTemplates } from '../../../shared/runtime/discovery-wiring.ts';
import { defineCommand } from '../args.ts';
import { unknownCluster } from '../load-runtime.ts';
import { toResult } from './probe.ts';
import { formatClusterStatus, needsAttention, type ClusterStatus } from './status-format.ts';

const USAGE = `usage: sealwatch status [--cluster ID] [--config FILE] [--json]

Looks at every node of the configured clusters now (sys/health and sys/seal-status, TLS pinned
to the cluster CA when one is configured) and prints one screen per cluster, like \`vault status\`:
seal type, initialized, sealed, shares and threshold, version, storage, HA mode and active
node, then one line per node. Reads no state store, so it works whatever the store's state.

  --cluster ID   only this cluster (default: every configured cluster)
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print {"clusters": [...]} (README "status --json")

Exit status: 0 every node unsealed and reachable, 2 a node is sealed, uninitialized or
unreachable, 1 on usage or configuration errors.`;

/** `sealwatch status`: the clusters as their nodes describe themselves right now. */
export const statusCommand = defineCommand({
  usage: USAGE,
  options: { cluster: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const path = resolveConfigPath(values.config, io.env, io.cwd);
    const config = await loadConfig({ path, env: io.env, remoteSecrets: createAwsSecretResolverFromEnv(io.env), clock: systemClock });
    const configured = values.cluster === undefined ? config.clusters : config.clusters.filter((c) => c.id === values.cluster);
    if (values.cluster !== undefined && configured.length === 0) {
      unknownCluster(
        io,
        'status',
        values.cluster,
        config.clusters.map((c) => c.id),
      );
    }
    // Discovered nodes too (clusters[].discovery); a failing discovery leaves the static nodes.
    const clusters = await Promise.all(
      configured.map(async (cluster) => {
        const found = await discoverOnce(cluster, { env: io.env, clock: systemClock });
        if (found.error !== undefined) io.stderr(`sealwatch status: cluster ${cluster.id}: discovery failed: ${found.error}\n`);
        return { ...cluster, nodes: found.nodes };
      }),
    );
    const templates = withServerNameTemplates(createVaultHttpClientFactory({ userAgent: 'sealwatch-status' }));
    templates.remember(clusters);
    const vault = templates.vault;
    let statuses: ClusterStatus[];
    try {
      const flat = clusters.flatMap((cluster) => cluster.nodes.map((node) => ({ cluster, node })));
      const results = await mapLimit(flat, config.sweep.concurrency, async ({ cluster, node }) => {
        const observation = await observeNode(vault.client(observationTarget(cluster, node)), {
          timeoutMs: config.sweep.nodeTimeoutMs,
          now: () => Date.now(),
        });
        return { id: node.id, ...toResult(node.url, classifyNode(observation)) };
      });
      statuses = clusters.map((cluster) => ({
        id: cluster.id,
        name: cluster.name,
        nodes: results.filter((_, i) => flat[i]?.cluster === cluster),
      }));
    } finally {
      await vault.close();
    }
    io.stdout(values.json ? `${JSON.stringify({ clusters: statuses }, null, 2)}\n` : statuses.map(formatClusterStatus).join('\n'));
    return statuses.some(needsAttention) ? 2 : 0;
  },
});
