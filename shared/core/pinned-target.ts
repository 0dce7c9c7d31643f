import { ValidationError } from './errors.ts';
import type { VaultTarget } from './vault-target.ts';

/** A cluster as target resolution needs it (SweepCluster, CustodyCluster and ClusterConfig fit). */
export interface TargetCluster {
  id: string;
  nodes: readonly { id: string; url: string; insecureHttp?: boolean }[];
  tls?: { caPem?: string; serverName?: string };
}

/** Why a node may not receive a secret: no CA to pin its certificate to, or plain HTTP not allowed. */
export type TargetRefusal = 'unpinned' | 'insecure-http' | 'unknown-node';

/**
 * A node refused as the destination of a token, an AWS IAM login, `sys/init` or a share. The
 * message names the cluster and node, never the secret.
 */
export class UnpinnedTargetError extends ValidationError {
  readonly refused: TargetRefusal;
  readonly clusterId: string;
  readonly nodeId: string;
  constructor(clusterId: string, nodeId: string, refused: TargetRefusal, detail: string) {
    super(detail);
    this.refused = refused;
    this.clusterId = clusterId;
    this.nodeId = nodeId;
  }
}

/**
 * The node's target for sending secrets (tokens, IAM login bodies, init requests, shares), or
 * why not. With the system CAs anyone who can hijack the node's DNS name and holds any publicly
 * trusted certificate would receive them, so an https node needs the cluster CA; plain HTTP
 * needs the node's explicit `insecureHttp` (dev only).
 */
export function resolvePinnedTarget(cluster: TargetCluster, nodeId: string): { target: VaultTarget } | { refused: TargetRefusal; detail: string } {
  const node = cluster.nodes.find((n) => n.id === nodeId);
  if (!node) return { refused: 'unknown-node', detail: `node ${nodeId} is not configured in cluster ${cluster.id}` };
  const https = node.url.startsWith('https:');
  if (https && !cluster.tls?.caPem) {
    return {
      refused: 'unpinned',
      detail:
        `cluster ${cluster.id} has no tls.caFile/caPem: sealwatch sends tokens, init requests and shares only to nodes ` +
        'whose certificate chains to the configured cluster CA (or to insecureHttp nodes, dev only)',
    };
  }
  if (!https && !node.insecureHttp) {
    return { refused: 'insecure-http', detail: `${node.url} is plain HTTP and the node is not configured insecureHttp` };
  }
  return { target: observationTarget(cluster, node) };
}

/** {@link resolvePinnedTarget}, throwing {@link UnpinnedTargetError} when refused. */
export function pinnedTarget(cluster: TargetCluster, nodeId: string): VaultTarget {
  const resolved = resolvePinnedTarget(cluster, nodeId);
  if ('refused' in resolved) throw new UnpinnedTargetError(cluster.id, nodeId, resolved.refused, resolved.detail);
  return resolved.target;
}

/**
 * The node's target for unauthenticated observation (health, seal-status, probes): pinned when
 * the cluster has a CA, Node's default CAs otherwise. Never use it to send a secret.
 */
export function observationTarget(cluster: TargetCluster, node: TargetCluster['nodes'][number]): VaultTarget {
  // Field by field rather than spread in: every sweep builds one per node.
  const target: VaultTarget = { url: node.url };
  const tls = cluster.tls;
  if (tls?.caPem !== undefined) target.caPem = tls.caPem;
  if (tls?.serverName !== undefined) target.serverName = tls.serverName;
  if (node.insecureHttp) target.insecureHttp = true;
  return target;
}
