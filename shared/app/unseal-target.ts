import type { VaultTarget } from '../ports/vault-client.ts';
import type { SweepCluster } from './sweep-types.ts';

/** The Vault target of a node, or why no share may be sent to it. */
export function unsealTarget(cluster: SweepCluster, nodeId: string): { target: VaultTarget } | { refused: 'unpinned' | 'insecure-http' | 'unknown-node'; detail: string } {
  const node = cluster.nodes.find((n) => n.id === nodeId);
  if (!node) return { refused: 'unknown-node', detail: `node ${nodeId} is not configured in cluster ${cluster.id}` };
  const https = node.url.startsWith('https:');
  if (https && !cluster.tls?.caPem) {
    return { refused: 'unpinned', detail: `cluster ${cluster.id} has no tls.caPem: custody requires the node certificate to chain to a pinned cluster CA` };
  }
  if (!https && !node.insecureHttp) {
    return { refused: 'insecure-http', detail: `${node.url} is plain HTTP and the node is not configured insecureHttp` };
  }
  return {
    target: {
      url: node.url,
      ...(cluster.tls?.caPem === undefined ? {} : { caPem: cluster.tls.caPem }),
      ...(cluster.tls?.serverName === undefined ? {} : { serverName: cluster.tls.serverName }),
      ...(node.insecureHttp ? { insecureHttp: true } : {}),
    },
  };
}

