/** A node that looks like a cluster's node but whose certificate comes from another CA. */
import { startSimulatedCluster } from './cluster.ts';
import type { VaultProfileName } from './profiles.ts';
import type { SimulatedNode, SimulatedSealType } from './types.ts';

export interface ImpostorNodeOptions {
  profile?: VaultProfileName;
  sealType?: SimulatedSealType;
  /** Default `{ shares: 5, threshold: 3 }`; false leaves it uninitialized. */
  init?: { shares: number; threshold: number } | false;
  /** Default false: a sealed impostor is the one that would be sent shares. */
  unsealed?: boolean;
  host?: string;
  nodeIdPrefix?: string;
}

export type ImpostorNode = SimulatedNode & { readonly caPem: string; close(): Promise<void> };

/**
 * Starts a one-node cluster with its own CA: same API behaviour as any simulated node, but a
 * client pinned to another cluster's CA must refuse it. Its request log shows what it received.
 */
export async function startImpostorNode(options: ImpostorNodeOptions = {}): Promise<ImpostorNode> {
  const cluster = await startSimulatedCluster({
    nodes: 1,
    tls: true,
    unsealed: options.unsealed ?? false,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.sealType === undefined ? {} : { sealType: options.sealType }),
    ...(options.init === undefined ? {} : { init: options.init }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.nodeIdPrefix === undefined ? {} : { nodeIdPrefix: options.nodeIdPrefix }),
  });
  const node = cluster.nodes[0];
  if (node === undefined || cluster.caPem === null) throw new Error('impostor cluster has no TLS node');
  return Object.assign(node, { caPem: cluster.caPem, close: () => cluster.close() });
}
