import type { Logger } from '../../ports/logger.ts';
import type { SweepReport } from '../sweep-types.ts';
import type { DiscoveryService } from './discovery-service.ts';

/** After a change, sweep again at these delays while nodes are still coming up (not yet listening). */
const FOLLOW_UPS_MS = [1_000, 3_000];
const DEBOUNCE_MS = 50;

/**
 * For long-lived processes (`sealwatch serve`): a targeted sweep of a cluster soon after its
 * endpoints change, so a restarted pod is unsealed about as soon as Vault listens. Never more
 * than one sweep per cluster at a time; a change during a sweep queues exactly one more.
 */
export function startDiscoveryWatch(input: {
  discovery: DiscoveryService;
  sweep: (clusterId: string) => Promise<SweepReport>;
  logger: Logger;
  onReport?: (report: SweepReport) => void;
}): { stop(): void } {
  const controller = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, boolean>();
  const queued = new Set<string>();

  const schedule = (clusterId: string, delayMs: number, followUps: readonly number[]) => {
    if (controller.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void sweepOnce(clusterId, followUps);
    }, delayMs);
    timers.add(timer);
  };

  async function sweepOnce(clusterId: string, followUps: readonly number[]): Promise<void> {
    if (running.get(clusterId)) {
      queued.add(clusterId);
      return;
    }
    running.set(clusterId, true);
    try {
      const report = await input.sweep(clusterId);
      input.onReport?.(report);
      const cluster = report.clusters.find((c) => c.id === clusterId);
      const settling = cluster?.nodes.some((n) => n.state === 'unreachable' || n.state === 'sealed') ?? false;
      const [next, ...rest] = followUps;
      if (settling && next !== undefined) schedule(clusterId, next, rest);
    } catch (error) {
      input.logger.error('discovery.watch_sweep_failed', { cluster: clusterId, error });
    } finally {
      running.set(clusterId, false);
      if (queued.delete(clusterId)) schedule(clusterId, 0, FOLLOW_UPS_MS);
    }
  }

  input.discovery.watch((clusterId) => schedule(clusterId, DEBOUNCE_MS, FOLLOW_UPS_MS), controller.signal);
  return {
    stop() {
      controller.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
