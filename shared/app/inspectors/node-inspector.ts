import { classifyNode } from '../../core/classify-node.ts';
import type { Finding } from '../../core/finding.ts';
import { nodeFindings, type FindingNode } from '../../core/findings/node-findings.ts';
import { versionFindings } from '../../core/findings/version-findings.ts';
import type { Clock } from '../../ports/clock.ts';
import type { VaultClientFactory } from '../../ports/vault-client.ts';
import { observeNode } from '../observe-node.ts';
import { nodeTarget, type RaftRecoveryService, type RecoveryCluster } from '../raft-recovery-service.ts';
import type { ClusterInspector } from '../sweep.ts';
import type { ActionReport } from '../sweep-types.ts';

export interface NodeInspectorOptions {
  /** Recovery settings by cluster id (clusters without an entry get findings only). */
  clusters: readonly RecoveryCluster[];
  vault: VaultClientFactory;
  recovery: RaftRecoveryService;
  clock: Clock;
  nodeTimeoutMs: number;
}

/**
 * Node and version findings from the sweep's own observations (no token needed), after joining
 * uninitialized configured nodes when `raft.autoJoin` is on. A cluster where nodes joined is
 * looked at again so the findings describe it as it is after the join.
 */
export function createNodeInspector(options: NodeInspectorOptions): ClusterInspector {
  const byId = new Map(options.clusters.map((c) => [c.id, c]));
  return {
    name: 'nodes',
    async inspect({ cluster, plan, trigger, signal }) {
      const settings: RecoveryCluster = byId.get(cluster.id) ?? cluster;
      let nodes: FindingNode[] = plan.nodes.map((n) => ({ nodeId: n.nodeId, view: n.view }));
      const findings: Finding[] = [];
      if (settings.raft?.autoJoin) {
        const joins = await options.recovery.join({ cluster: settings, nodes: plan.nodes, trigger, signal });
        findings.push(...joins.map((j) => joinFinding(cluster.id, j)));
        if (joins.some((j) => j.outcome.startsWith('joined'))) nodes = await observe(settings);
      }
      findings.push(...nodeFindings(cluster.id, nodes), ...versionFindings(cluster.id, nodes));
      return findings;
    },
  };

  async function observe(cluster: RecoveryCluster): Promise<FindingNode[]> {
    return Promise.all(
      cluster.nodes.map(async (n) => ({
        nodeId: n.id,
        view: classifyNode(
          await observeNode(options.vault.client(nodeTarget(cluster, n.id)), { timeoutMs: options.nodeTimeoutMs, now: () => options.clock.now() }),
        ),
      })),
    );
  }
}

function joinFinding(clusterId: string, action: ActionReport): Finding {
  const ok = action.outcome === 'joined';
  return {
    id: ok ? 'raft.node-joined' : 'raft.join-failed',
    severity: ok ? 'info' : 'warning',
    cluster: clusterId,
    node: action.nodeId,
    message: action.message,
    evidence: { outcome: action.outcome, durationMs: action.durationMs },
  };
}
