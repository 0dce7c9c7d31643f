import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { ClusterRecord } from '../core/cluster-record.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import { clusterStateKey } from '../app/sweep.ts';
import type { SweepCluster } from '../app/sweep-types.ts';
import { errorBody, toErrorResponse } from './errors.ts';

export interface AppDeps {
  clusters: readonly SweepCluster[];
  store: StateStore;
  logger: Logger;
  version: string;
}

/**
 * The sealwatch HTTP API, shared by the Lambda handler (`functions/api`) and `sealwatch serve`.
 * It speaks web-standard Request/Response only; adapters translate.
 */
export function createApp(deps: AppDeps) {
  const app = new Hono<{ Variables: { requestId: string } }>();
  app.use(requestId());

  app.get('/healthz', (c) => c.json({ ok: true, version: deps.version }));

  app.get('/v1/clusters', async (c) => {
    const clusters = await Promise.all(deps.clusters.map(async (cluster) => clusterBody(cluster, await readRecord(cluster.id))));
    return c.json({ clusters });
  });

  app.get('/v1/clusters/:id', async (c) => {
    const cluster = deps.clusters.find((x) => x.id === c.req.param('id'));
    if (!cluster) throw new NotFoundError(`no cluster with id "${c.req.param('id')}" is configured`);
    return c.json(clusterBody(cluster, await readRecord(cluster.id), true));
  });

  app.notFound((c) => c.json(errorBody(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    if (!(error instanceof NotFoundError)) deps.logger.error('api.error', { path: c.req.path, requestId: c.get('requestId'), error });
    return toErrorResponse(c, error);
  });
  return app;

  async function readRecord(clusterId: string): Promise<ClusterRecord | null> {
    const key = clusterStateKey(clusterId);
    return (await deps.store.get<ClusterRecord>(key.pk, key.sk))?.data ?? null;
  }
}

/** A cluster as the API shows it: config identity plus the last recorded node states. */
function clusterBody(cluster: SweepCluster, record: ClusterRecord | null, withNodes = false) {
  const counts: Record<string, number> = {};
  for (const node of cluster.nodes) {
    const state = record?.nodes[node.id]?.state ?? 'unknown';
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return {
    id: cluster.id,
    name: cluster.name,
    nodeCount: cluster.nodes.length,
    states: counts,
    ...(withNodes
      ? {
          nodes: cluster.nodes.map((node) => {
            const r = record?.nodes[node.id];
            return {
              id: node.id,
              url: node.url,
              state: r?.state ?? 'unknown',
              since: r ? new Date(r.since).toISOString() : null,
              initialized: r?.initialized ?? null,
              sealType: r?.sealType ?? null,
              threshold: r?.threshold ?? null,
              shares: r?.shares ?? null,
              version: r?.version ?? null,
              clusterId: r?.clusterId ?? null,
              error: r?.errorReason ?? null,
            };
          }),
        }
      : {}),
  };
}
