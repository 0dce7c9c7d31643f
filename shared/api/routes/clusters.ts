import type { Context } from 'hono';
import type { RecoveryAsk } from '../../app/recovery-records.ts';
import { clusterStateKey } from '../../app/sweep.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { ClusterRecord } from '../../core/cluster-record.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { nodeStatus } from '../node-status.ts';
import { parseJsonText, RecoverBodySchema, validate } from '../schemas.ts';
import { outcomeStatus, requireJobs, startRecovery } from './recovery-run.ts';

/**
 * `GET /v1/clusters`, `GET /v1/clusters/:id`, `POST /v1/clusters/:id/sweep`, `POST /v1/clusters/:id/recover`.
 * The two POSTs answer their recovery's result, or 202 with its id when the worker finishes it.
 */
export function registerClusterRoutes(app: ApiApp, deps: RouteDeps): void {
  const read = requireScope(deps.apiKeys, 'read', deps.limiter);
  const operate = requireScope(deps.apiKeys, 'operate', deps.limiter);

  app.get('/v1/clusters', read, async (c) => {
    const clusters = await Promise.all(deps.clusters.map(async (cluster) => clusterBody(cluster, await readRecord(cluster.id))));
    return c.json({ clusters });
  });

  app.get('/v1/clusters/:id', read, async (c) => {
    const cluster = find(c.req.param('id'));
    return c.json(clusterBody(cluster, await readRecord(cluster.id), true));
  });

  app.post('/v1/clusters/:id/sweep', operate, async (c) => {
    const cluster = find(c.req.param('id'));
    return recoverOne(c, { clusterId: cluster.id, action: 'sweep' });
  });

  app.post('/v1/clusters/:id/recover', operate, async (c) => {
    const cluster = find(c.req.param('id'));
    const text = await c.req.text();
    const body = validate(RecoverBodySchema, text.trim() === '' ? {} : parseJsonText(text), 'recover request');
    const dryRun = body.dryRun ?? (c.req.query('dryRun') === 'true' || c.req.query('dry-run') === 'true');
    const unknown = (body.nodes ?? []).filter((id) => !cluster.nodes.some((n) => n.id === id));
    if (unknown.length > 0) throw new ValidationError(`cluster ${cluster.id} has no node ${unknown.map((n) => `"${n.slice(0, 64)}"`).join(', ')}`);
    return recoverOne(c, { clusterId: cluster.id, action: 'recover', ...(body.nodes ? { nodeIds: body.nodes } : {}), ...(dryRun ? { dryRun: true } : {}) });
  });

  /**
   * One cluster's recovery: its result (with the recovery id) when it finishes in time, else 202
   * `{status: "accepted", recoveryId}` while the worker finishes it.
   */
  async function recoverOne(c: Context, ask: RecoveryAsk) {
    requireJobs(deps);
    const start = await startRecovery(c, deps, 'api', [ask]);
    if (start.status === 'accepted') return c.json(start, 202);
    const outcome = start.results[0] as (typeof start.results)[number];
    if ('error' in outcome) return c.json({ error: outcome.error, recoveryId: start.recoveryId, requestId: c.get('requestId') }, outcomeStatus(outcome));
    return c.json({ ...outcome, recoveryId: start.recoveryId });
  }

  function find(id: string): SweepCluster {
    const cluster = deps.clusters.find((x) => x.id === id);
    if (!cluster) throw new NotFoundError(`no cluster with id "${id.slice(0, 64)}" is configured`);
    return cluster;
  }

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
          nodes: cluster.nodes.map((node) => nodeStatus(node, record)),
        }
      : {}),
  };
}
