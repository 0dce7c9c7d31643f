import type { Finding } from '../../core/finding.ts';
import { nodeFindings } from '../../core/findings/node-findings.ts';
import { versionFindings } from '../../core/findings/version-findings.ts';
import type { ClusterInspector } from '../sweep.ts';

/**
 * Node and version findings from the sweep's own observations (no token needed). Joining
 * uninitialized nodes (`raft.autoJoin`) is a plan action now, applied before inspectors run, so
 * the plan these findings read already shows the cluster after the join.
 */
export function createNodeInspector(): ClusterInspector {
  return {
    name: 'nodes',
    async inspect({ cluster, plan }) {
      const nodes = plan.nodes.map((n) => ({ nodeId: n.nodeId, view: n.view }));
      const findings: Finding[] = [...nodeFindings(cluster.id, nodes), ...versionFindings(cluster.id, nodes)];
      return findings;
    },
  };
}
