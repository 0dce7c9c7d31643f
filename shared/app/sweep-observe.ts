import { classifyNode } from '../core/classify-node.ts';
import { observationTarget } from '../core/pinned-target.ts';
import type { ObservedNode } from '../core/plan-sweep.ts';
import type { Clock } from '../ports/clock.ts';
import type { VaultClient, VaultClientFactory } from '../ports/vault-client.ts';
import { mapLimit } from './map-limit.ts';
import { observeNode } from './observe-node.ts';
import { createSharedDeadlines } from './shared-deadlines.ts';
import type { SweepCluster } from './sweep-types.ts';

/**
 * Observes every node of `clusters` (bounded concurrency, each within `nodeTimeoutMs`); a failure
 * is an observation, never an exception. `signal` (a recover's caller) cuts the observations short.
 */
export async function observeClusters(
  deps: { vault: VaultClientFactory; clock: Clock; concurrency: number; nodeTimeoutMs: number },
  clusters: readonly SweepCluster[],
  signal?: AbortSignal,
): Promise<ObservedNode[][]> {
  const { vault, clock } = deps;
  const flat = clusters.flatMap((cluster, ci) => cluster.nodes.map((node) => ({ cluster, ci, node })));
  const results: ObservedNode[][] = clusters.map(() => []);
  // Nodes observed close together share a deadline timer (shared-deadlines.ts).
  const deadlines = createSharedDeadlines({ timeoutMs: deps.nodeTimeoutMs });
  // One options object for every node (observeNode keeps nothing of it).
  const nodeOptions = { timeoutMs: deps.nodeTimeoutMs, now: () => clock.now(), deadlines };
  const observations = await mapLimit(flat, deps.concurrency, async ({ cluster, node }) => {
    const client = vault.client(observationTarget(cluster, node));
    return observeNode(signal ? boundTo(client, signal) : client, nodeOptions);
  }).finally(() => deadlines.close());
  flat.forEach(({ ci, node }, i) => {
    const observation = observations[i];
    if (!observation) return;
    results[ci]?.push({ nodeId: node.id, url: node.url, view: classifyNode(observation), durationMs: observation.durationMs });
  });
  return results;
}

/** The client with its observation calls also ended by `signal` (the other calls unchanged). */
function boundTo(client: VaultClient, signal: AbortSignal): VaultClient {
  const bound = Object.create(client) as VaultClient;
  bound.health = (o) => client.health({ ...o, signal: o?.signal ? AbortSignal.any([o.signal, signal]) : signal });
  bound.sealStatus = (o) => client.sealStatus({ ...o, signal: o?.signal ? AbortSignal.any([o.signal, signal]) : signal });
  return bound;
}
