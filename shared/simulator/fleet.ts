/** Many simulated clusters at once, for sweep benchmarks and scale tests. */
import { startSimulatedCluster } from './cluster.ts';
import type { VaultProfileName } from './profiles.ts';
import type { SimulatedCluster, SimulatedClusterOptions } from './types.ts';

export interface SimulatedFleetOptions extends Omit<SimulatedClusterOptions, 'nodes' | 'clusterName'> {
  clusters: number;
  nodesPerCluster: number;
  profile?: VaultProfileName;
  tls?: boolean;
  /** Clusters created at the same time. Default 16 (certificate generation overlaps well). */
  concurrency?: number;
  /** Cluster names are `<prefix><index>`. Default `sim-cluster-`. */
  clusterNamePrefix?: string;
}

/**
 * Starts `clusters` clusters of `nodesPerCluster` nodes with bounded concurrency and returns
 * them in order (close each when done). If one fails to start, the ones already started are
 * closed and the error is rethrown.
 */
export async function startSimulatedFleet(options: SimulatedFleetOptions): Promise<SimulatedCluster[]> {
  const { clusters: count, nodesPerCluster, concurrency = 16, clusterNamePrefix = 'sim-cluster-', ...rest } = options;
  if (!Number.isInteger(count) || count < 0) throw new Error('clusters must be a non-negative integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
  const clusters: SimulatedCluster[] = new Array<SimulatedCluster>(count);
  let next = 0;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < count) {
      const index = next;
      next += 1;
      try {
        const clusterName = `${clusterNamePrefix}${index}`;
        clusters[index] = await startSimulatedCluster({ ...rest, nodes: nodesPerCluster, clusterName });
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(count, 1)) }, worker));
  if (failure !== null) {
    await Promise.all(clusters.filter((c) => c !== undefined).map((c) => c.close()));
    throw failure;
  }
  return clusters;
}
