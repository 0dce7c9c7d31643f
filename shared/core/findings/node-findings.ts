import { summarizeCluster } from '../cluster-view.ts';
import type { Finding } from '../finding.ts';
import type { NodeView } from '../node-state.ts';

/** One classified node, as the sweep plan holds it. */
export interface FindingNode {
  nodeId: string;
  view: NodeView;
}

/**
 * Findings about the HA shape of a cluster from node states alone (no token needed):
 * `cluster.no-active`, `cluster.split-brain`, `node.ha-unhealthy`, `node.removed`,
 * `node.uninitialized`.
 */
export function nodeFindings(clusterId: string, nodes: readonly FindingNode[]): Finding[] {
  const view = summarizeCluster(nodes);
  const findings: Finding[] = [];
  const initialized = view.nodes.filter((n) => n.view.initialized === true).map((n) => n.nodeId);
  const byState = Object.entries(view.byState)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${state}=${count}`);

  // A brand-new cluster (nothing initialized, nothing seen) has no active node by design.
  if (view.activeCount === 0 && (initialized.length > 0 || view.unreachableCount > 0 || view.sealedCount > 0)) {
    findings.push({
      id: 'cluster.no-active',
      severity: 'critical',
      cluster: clusterId,
      message: `no node of cluster ${clusterId} is active (${byState.join(', ')})`,
      evidence: { byState },
    });
  }
  if (view.activeNodes.length > 1 || view.clusterIds.length > 1) {
    const why = view.activeNodes.length > 1 ? `${view.activeNodes.length} active nodes (${view.activeNodes.join(', ')})` : '';
    const ids = view.clusterIds.length > 1 ? `${view.clusterIds.length} cluster ids` : '';
    findings.push({
      id: 'cluster.split-brain',
      severity: 'critical',
      cluster: clusterId,
      message: `split brain or impostor in cluster ${clusterId}: ${[why, ids].filter(Boolean).join(' and ')}`,
      evidence: {
        activeNodes: view.activeNodes,
        clusterIds: view.clusterIds,
        nodesByClusterId: view.nodes.filter((n) => n.view.clusterId !== null).map((n) => `${n.nodeId}=${n.view.clusterId}`),
      },
    });
  }
  for (const { nodeId, view: node } of view.nodes) {
    if (node.state === 'standby-unhealthy') {
      findings.push({
        id: 'node.ha-unhealthy',
        severity: 'warning',
        cluster: clusterId,
        node: nodeId,
        message: `standby ${nodeId} cannot reach the active node (request forwarding heartbeats failing)`,
        evidence: { httpStatus: node.httpStatus },
      });
    } else if (node.state === 'removed') {
      findings.push({
        id: 'node.removed',
        severity: 'critical',
        cluster: clusterId,
        node: nodeId,
        message: `node ${nodeId} has been removed from the raft cluster; it must be wiped and re-joined`,
        evidence: { httpStatus: node.httpStatus },
      });
    } else if (node.state === 'uninitialized' && initialized.length > 0) {
      findings.push({
        id: 'node.uninitialized',
        severity: 'warning',
        cluster: clusterId,
        node: nodeId,
        message: `node ${nodeId} is uninitialized while the rest of cluster ${clusterId} is initialized (wiped or new; it must join)`,
        evidence: { initializedNodes: initialized },
      });
    }
  }
  return findings;
}
