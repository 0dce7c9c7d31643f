import { compareVersions } from '../cluster-view.ts';
import type { Finding } from '../finding.ts';
import type { FindingNode } from './node-findings.ts';

/**
 * `cluster.version-skew` (nodes run different versions) and `cluster.upgrade-order` (the active
 * node runs a newer version than a standby: the active must be upgraded last, or a standby that
 * takes over may not read what the newer active wrote).
 */
export function versionFindings(clusterId: string, nodes: readonly FindingNode[]): Finding[] {
  const versioned = nodes
    .filter((n) => n.view.version !== null)
    .map((n) => ({ nodeId: n.nodeId, version: n.view.version as string, state: n.view.state }))
    .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  const versions = [...new Set(versioned.map((n) => n.version))].sort(compareVersions);
  if (versions.length < 2) return [];
  const findings: Finding[] = [
    {
      id: 'cluster.version-skew',
      severity: 'warning',
      cluster: clusterId,
      message: `nodes of cluster ${clusterId} run ${versions.length} versions (${versions.join(', ')})`,
      evidence: { versions, nodes: versioned.map((n) => `${n.nodeId}=${n.version}`) },
    },
  ];
  for (const active of versioned.filter((n) => n.state === 'active')) {
    const older = versioned.filter((n) => n.state !== 'active' && compareVersions(n.version, active.version) < 0);
    if (older.length === 0) continue;
    findings.push({
      id: 'cluster.upgrade-order',
      severity: 'warning',
      cluster: clusterId,
      node: active.nodeId,
      message: `active node ${active.nodeId} runs ${active.version}, newer than ${older.map((n) => `${n.nodeId} (${n.version})`).join(', ')}: upgrade the standbys first, the active last`,
      evidence: { activeVersion: active.version, olderNodes: older.map((n) => `${n.nodeId}=${n.version}`) },
    });
  }
  return findings;
}
