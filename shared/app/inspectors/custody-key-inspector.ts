import { keyHealthFindings } from '../../core/findings/seal-key-findings.ts';
import type { Clock } from '../../ports/clock.ts';
import type { KeyHealth, KeyWrapper } from '../../ports/key-wrapper.ts';
import type { ClusterInspector } from '../sweep.ts';
import { DEFAULT_KEY_CHECK_INTERVAL_MS, DEFAULT_KEY_EXPIRY_DAYS } from './seal-key-inspector.ts';
import { createTtlCache } from './ttl-cache.ts';

export interface CustodyKeyInspectorOptions {
  /** Wrapper ids each cluster's `custody` names (default and per-share wrappers). */
  custodyWrappers: ReadonlyMap<string, readonly string[]>;
  wrapper(id: string): KeyWrapper | undefined;
  clock: Clock;
  expiryDays?: (clusterId: string) => number;
  /** One wrapper is checked at most this often, however many clusters use it (default 5 min). */
  minIntervalMs?: number;
}

/**
 * `custody.*` findings: the health of every wrapper key a cluster's shares depend on. A custody
 * key pending deletion means sealwatch will soon be unable to unseal that cluster.
 */
export function createCustodyKeyInspector(options: CustodyKeyInspectorOptions): ClusterInspector {
  const { clock } = options;
  const cache = createTtlCache<KeyHealth>({ ttlMs: options.minIntervalMs ?? DEFAULT_KEY_CHECK_INTERVAL_MS, now: () => clock.now() });
  return {
    name: 'custody-key',
    async inspect({ cluster, signal }) {
      const ids = options.custodyWrappers.get(cluster.id) ?? [];
      const results = await Promise.all(
        ids.map(async (id) => {
          const wrapper = options.wrapper(id);
          if (!wrapper) return [];
          const health = await cache.get(id, () => wrapper.health(signal));
          return keyHealthFindings({
            scope: 'custody',
            cluster: cluster.id,
            provider: wrapper.kind,
            wrapper: id,
            facts: health,
            nowMs: clock.now(),
            expiryDays: options.expiryDays?.(cluster.id) ?? DEFAULT_KEY_EXPIRY_DAYS,
          });
        }),
      );
      return results.flat();
    },
  };
}
