import type { Finding } from '../../core/finding.ts';
import type { NodeState } from '../../core/node-state.ts';
import { describeError } from '../../errors.ts';
import { DiscoveryError, type DiscoveredNode } from '../../ports/node-discovery.ts';
import type { DiscoveryRecord, KnownNode } from './discovery-record.ts';

/** The source could not list nodes; the sweep goes on with the last known list. */
export function discoveryFailed(cluster: string, source: string, error: unknown, known: DiscoveryRecord | null, now: number): Finding {
  const failure = error instanceof DiscoveryError ? error.failure : 'unreachable';
  const permission = error instanceof DiscoveryError ? (error.permission ?? null) : null;
  const age = known ? now - known.discoveredAt : null;
  const fallback = known
    ? `using the last known ${known.nodes.filter((n) => n.missing === 0).length} node(s) from ${Math.round((age ?? 0) / 1000)} s ago`
    : 'no node list is known yet';
  return {
    id: 'discovery.failed',
    severity: 'warning',
    cluster,
    message: `${source} discovery failed (${failure}): ${describeError(error)}${permission ? `; grant: ${permission}` : ''}; ${fallback}`,
    evidence: {
      source,
      failure,
      permission,
      lastKnownAgeMs: age,
      lastKnownNodes: (known?.nodes ?? []).filter((n) => n.missing === 0).map((n) => n.id),
    },
  };
}

/** A node discovery no longer lists, for `goneAfterSweeps` sweeps in a row. */
export function goneFinding(cluster: string, node: KnownNode, lastState: NodeState | null): Finding {
  const wasActive = lastState === 'active';
  return {
    id: 'node.gone',
    severity: wasActive ? 'warning' : 'info',
    cluster,
    node: node.id,
    message: wasActive
      ? `node ${node.id} (${node.url}) was the active node and is no longer discovered (${node.missing} sweeps)`
      : `node ${node.id} (${node.url}) is no longer discovered (${node.missing} sweeps): scaled down or replaced`,
    evidence: { url: node.url, sweeps: node.missing, lastState },
  };
}

export function terminatingFinding(cluster: string, node: DiscoveredNode): Finding {
  return {
    id: 'discovery.node-terminating',
    severity: 'info',
    cluster,
    node: node.id,
    message: `node ${node.id} (${node.url}) is terminating: not probed or unsealed`,
    evidence: { url: node.url },
  };
}

export function truncatedFinding(cluster: string, count: number): Finding {
  return {
    id: 'discovery.too-many-nodes',
    severity: 'warning',
    cluster,
    message: `discovery found ${count} nodes; only the first 99 are watched (check the service or tag selector)`,
    evidence: { found: count, limit: 99 },
  };
}
