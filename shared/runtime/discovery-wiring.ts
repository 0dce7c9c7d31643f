import { createDiscoveryService, type DiscoveredCluster, type DiscoveryService } from '../app/discovery/discovery-service.ts';
import type { SweepCluster } from '../app/sweep-types.ts';
import type { ClusterConfig, DiscoveryConfig } from '../config/types.ts';
import { NODE_PLACEHOLDER, serverNameFor } from '../core/server-name.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { DiscoveredNode, NodeDiscovery } from '../ports/node-discovery.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory, VaultTarget } from '../ports/vault-client.ts';

export interface DiscoveryWiringDeps {
  clusters: readonly ClusterConfig[];
  store: StateStore;
  clock: Clock;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** Sources by cluster id instead of the configured ones (tests). */
  sources?: ReadonlyMap<string, NodeDiscovery>;
}

/**
 * Discovery sources per configured cluster. Each adapter (and its SDK) is imported on first use,
 * so a Lambda whose clusters list static nodes only loads none of them.
 */
export function createDiscoveryWiring(deps: DiscoveryWiringDeps): { service: DiscoveryService; close(): void } {
  const closers: (() => void)[] = [];
  const discoveries = new Map<string, DiscoveredCluster>();
  for (const cluster of deps.clusters) {
    if (!cluster.discovery) continue;
    const source = deps.sources?.get(cluster.id) ?? lazySource(cluster.discovery, deps, closers);
    discoveries.set(cluster.id, { source, goneAfterSweeps: cluster.discovery.goneAfterSweeps, timeoutMs: cluster.discovery.timeoutMs });
  }
  const service = createDiscoveryService({ discoveries, store: deps.store, clock: deps.clock, logger: deps.logger });
  return {
    service,
    close: () => {
      for (const c of closers) c();
    },
  };
}

type SourceDeps = Pick<DiscoveryWiringDeps, 'clock' | 'env'>;

/**
 * One cluster's static nodes plus what its discovery finds now, with no state store (`sealwatch
 * status`): terminating endpoints are left out, a failure is returned as text.
 */
export async function discoverOnce(cluster: ClusterConfig, deps: SourceDeps): Promise<{ nodes: ClusterConfig['nodes']; error?: string }> {
  if (!cluster.discovery) return { nodes: cluster.nodes };
  const closers: (() => void)[] = [];
  try {
    const found = await lazySource(cluster.discovery, deps, closers).discover(AbortSignal.timeout(cluster.discovery.timeoutMs));
    const extra = found
      .filter((n) => !n.terminating && !cluster.nodes.some((s) => s.id === n.id))
      .slice(0, 99)
      .map((n) => ({ id: n.id, url: n.url, insecureHttp: n.insecureHttp ?? false }));
    return { nodes: [...cluster.nodes, ...extra] };
  } catch (error) {
    return { nodes: cluster.nodes, error: error instanceof Error ? error.message : String(error) };
  } finally {
    for (const c of closers) c();
  }
}

function lazySource(config: DiscoveryConfig, deps: SourceDeps, closers: (() => void)[]): NodeDiscovery {
  let loaded: Promise<NodeDiscovery> | undefined;
  const load = () => (loaded ??= loadSource(config, deps, closers));
  const source: NodeDiscovery = {
    source: config.kind,
    discover: async (signal) => (await load()).discover(signal),
  };
  if (config.kind === 'kubernetes') {
    source.watch = (onChange, signal) => {
      void load().then((s) => s.watch?.(onChange, signal));
    };
  }
  return source;
}

async function loadSource(config: DiscoveryConfig, deps: SourceDeps, closers: (() => void)[]): Promise<NodeDiscovery> {
  switch (config.kind) {
    case 'kubernetes': {
      const [{ createKubernetesCredentials }, { createEndpointSliceDiscovery }] = await Promise.all([
        import('../adapters/kubernetes-credentials.ts'),
        import('../adapters/kubernetes-endpoint-slices.ts'),
      ]);
      const credentials = createKubernetesCredentials(config.kubernetes.api, { env: deps.env, now: () => deps.clock.now() });
      return createEndpointSliceDiscovery(config.kubernetes, credentials);
    }
    case 'aws-ec2': {
      const { createEc2Discovery } = await import('../adapters/aws-ec2-discovery.ts');
      const source = createEc2Discovery(config.awsEc2);
      closers.push(() => source.close());
      return source;
    }
    case 'dns': {
      const { createDnsDiscovery } = await import('../adapters/dns-discovery.ts');
      return createDnsDiscovery(config.dns);
    }
  }
}

/**
 * Resolves a `{node}` template in `serverName` by the node the URL belongs to (static nodes and
 * every node discovery listed since start). Other targets pass through untouched.
 */
export function withServerNameTemplates(vault: VaultClientFactory): { vault: VaultClientFactory; remember(clusters: readonly SweepCluster[]): void } {
  const nodeByUrl = new Map<string, string>();
  const resolveTarget = (target: VaultTarget): VaultTarget =>
    target.serverName?.includes(NODE_PLACEHOLDER) ? { ...target, serverName: serverNameFor(target.serverName, nodeByUrl.get(target.url)) } : target;
  return {
    vault: {
      client: (target) => vault.client(resolveTarget(target)),
      ...(vault.peerCertificate ? { peerCertificate: (target: VaultTarget) => vault.peerCertificate?.(resolveTarget(target)) ?? null } : {}),
      close: () => vault.close(),
    },
    remember(clusters) {
      for (const cluster of clusters) for (const node of cluster.nodes) nodeByUrl.set(node.url, node.id);
    },
  };
}

export type { DiscoveredNode };
