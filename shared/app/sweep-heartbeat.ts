import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.ts';
import type { StateStore } from '../ports/state-store.ts';
import { zeroByState } from './sweep-report.ts';
import type { ClusterSummary } from './sweep-types.ts';

/**
 * What the last sweep of a cluster saw: *when* the cluster was last looked at, which the node
 * records deliberately do not say (they are only rewritten on change), plus the summary and
 * findings the dashboard and the API show between sweeps.
 */
export interface SweepHeartbeat {
  /** ISO time the sweep finished observing the cluster's nodes. */
  at: string;
  trigger: string;
  summary: ClusterSummary;
  findings: Finding[];
}

/**
 * Heartbeats are written per sweep, not per cluster: every sweep writes its clusters' heartbeats
 * into a few items of the `SWEPT` partition (`sk <scope>#<n>`, each up to ~300 KB of clusters,
 * DynamoDB's item limit being 400 KB), overwriting its previous ones. A sweep of a thousand
 * clusters that changed nothing so writes a handful of items instead of a thousand. Readers query
 * the partition and keep, per cluster, the newest heartbeat of any sweep (a scheduled sweep of
 * everything, or a targeted one of a few clusters).
 */
const SWEPT_PK = 'SWEPT';
/** The JSON budget of one chunk, well below DynamoDB's 400 KB per item. */
const CHUNK_BYTES = 300_000;
/** Chunks nobody rewrites (a scope swept no more, a chunk a smaller fleet no longer fills) go after a week. */
const CHUNK_TTL_SECONDS = 7 * 24 * 3600;

interface HeartbeatChunk {
  at: string;
  trigger: string;
  clusters: Record<string, { summary: ClusterSummary; findings: Finding[] }>;
}

/** The sweep scope as part of a sort key: short ids as they are, long lists by digest. */
function scopeKey(scope: string): string {
  return scope.length <= 200 ? scope : `digest:${createHash('sha256').update(scope).digest('hex').slice(0, 32)}`;
}

/** The items holding one sweep's heartbeats (all with the same `at` and trigger). */
export function heartbeatItems(
  scope: string,
  heartbeats: readonly { clusterId: string; heartbeat: SweepHeartbeat }[],
  nowSeconds: number,
): { pk: string; sk: string; data: HeartbeatChunk; expiresAt: number }[] {
  const first = heartbeats[0]?.heartbeat;
  if (!first) return [];
  const chunks: HeartbeatChunk[] = [];
  let current: HeartbeatChunk | undefined;
  let bytes = 0;
  for (const { clusterId, heartbeat } of heartbeats) {
    const entry = { summary: storedSummary(heartbeat.summary), findings: heartbeat.findings };
    const size = Buffer.byteLength(JSON.stringify(entry)) + Buffer.byteLength(clusterId) + 8;
    if (!current || (bytes + size > CHUNK_BYTES && bytes > 0)) {
      current = { at: first.at, trigger: first.trigger, clusters: {} };
      chunks.push(current);
      bytes = 0;
    }
    current.clusters[clusterId] = entry;
    bytes += size;
  }
  const key = scopeKey(scope);
  return chunks.map((data, n) => ({ pk: SWEPT_PK, sk: `${key}#${n}`, data, expiresAt: nowSeconds + CHUNK_TTL_SECONDS }));
}

/** Writes one sweep's heartbeats (tests and tools; the sweep batches them with its other writes). */
export async function writeHeartbeats(
  store: StateStore,
  scope: string,
  heartbeats: readonly { clusterId: string; heartbeat: SweepHeartbeat }[],
  nowSeconds: number,
): Promise<void> {
  await store.putMany(heartbeatItems(scope, heartbeats, nowSeconds));
}

/** Writes a heartbeat of one cluster as a sweep of that cluster alone would. */
export async function writeHeartbeat(store: StateStore, clusterId: string, heartbeat: SweepHeartbeat): Promise<void> {
  await writeHeartbeats(store, `sweep/${clusterId}`, [{ clusterId, heartbeat }], Math.floor(Date.parse(heartbeat.at) / 1000));
}

/** The newest heartbeat of each of `clusterIds`, in order; null for a cluster never swept. */
export async function readHeartbeats(store: StateStore, clusterIds: readonly string[]): Promise<(SweepHeartbeat | null)[]> {
  const wanted = new Set(clusterIds);
  const newest = new Map<string, SweepHeartbeat>();
  let cursor: string | undefined;
  do {
    const page = await store.query<HeartbeatChunk>({ pk: SWEPT_PK, ...(cursor === undefined ? {} : { cursor }) });
    for (const { data } of page.items) {
      for (const [clusterId, entry] of Object.entries(data.clusters ?? {})) {
        if (!wanted.has(clusterId)) continue;
        const known = newest.get(clusterId);
        if (!known || Date.parse(data.at) > Date.parse(known.at))
          newest.set(clusterId, { at: data.at, trigger: data.trigger, summary: readSummary(entry.summary), findings: entry.findings });
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return clusterIds.map((id) => newest.get(id) ?? null);
}

/**
 * The summary as stored: its states' zero counts left out (most of a quiet cluster's entry: a
 * 1,000-node sweep's item shrinks by about a third), put back by `readSummary`.
 */
function storedSummary(summary: ClusterSummary): ClusterSummary {
  if (!summary.byState) return summary;
  const byState: Partial<ClusterSummary['byState']> = {};
  for (const [state, count] of Object.entries(summary.byState) as [keyof ClusterSummary['byState'], number][]) if (count !== 0) byState[state] = count;
  return { ...summary, byState: byState as ClusterSummary['byState'] };
}

/** A stored summary with every state's count, zeros included (items of earlier sweeps carry them all already). */
function readSummary(summary: ClusterSummary): ClusterSummary {
  return summary?.byState ? { ...summary, byState: { ...zeroByState(), ...summary.byState } } : summary;
}
