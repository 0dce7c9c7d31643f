import type { Context } from 'hono';
import type { RecoveryAsk } from '../../app/recovery-records.ts';
import { readHeartbeats, type SweepHeartbeat } from '../../app/sweep-heartbeat.ts';
import { readClusterRecords } from '../../app/cluster-record-layout.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { ClusterRecord } from '../../core/cluster-record.ts';
import { freshnessOf } from '../../core/staleness.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { nodeStatus } from '../node-status.ts';
import { ClusterPathSchema, parseOptionalJson, RecoverBodySchema, RecoverQuerySchema, validate } from '../schemas.ts';
import { failedOutcomeAnswer, requireJobs, startRecovery } from './recovery-run.ts';

/**
 * `GET /v1/clusters`, `GET /v1/clusters/:id`, `POST /v1/clusters/:id/sweep`, `POST /v1/clusters/:id/recover`.
 * The two POSTs answer their recovery's result, or 202 with its id when the worker finishes it.
 */
export function registerClusterRoutes(app: ApiApp, deps: RouteDeps): void {
  const read = requireScope(deps.apiKeys, 'read', deps.limiter);
  const operate = requireScope(deps.apiKeys, 'operate', deps.limiter);

  app.get('/v1/clusters', read, async (c) => {
    const [records, heartbeats] = await Promise.all([
      readClusterRecords(
        deps.store,
        deps.clusters.map((x) => x.id),
      ),
      readHeartbeats(
        deps.store,
        deps.clusters.map((x) => x.id),
      ),
    ]);
    return c.json({ clusters: deps.clusters.map((cluster, i) => clusterBody(cluster, records[i]?.data ?? null, heartbeats[i] ?? null)) });
  });

  app.get('/v1/clusters/:id', read, async (c) => {
    const cluster = find(c.req.param('id'));
    const [[record], [heartbeat]] = await Promise.all([readClusterRecords(deps.store, [cluster.id]), readHeartbeats(deps.store, [cluster.id])]);
    const body = clusterBody(cluster, record?.data ?? null, heartbeat ?? null);
    return c.json({ ...body, nodes: cluster.nodes.map((node) => nodeStatus(node, record?.data ?? null)), findings: heartbeat?.findings ?? [] });
  });

  app.post('/v1/clusters/:id/sweep', operate, async (c) => {
    const cluster = find(c.req.param('id'));
    return recoverOne(c, { clusterId: cluster.id, action: 'sweep' });
  });

  app.post('/v1/clusters/:id/recover', operate, async (c) => {
    const cluster = find(c.req.param('id'));
    const query = validate(RecoverQuerySchema, c.req.query(), 'query');
    const body = validate(RecoverBodySchema, parseOptionalJson(await c.req.text()), 'recover request');
    if (body.dryRun !== undefined && query.dryRun !== undefined && body.dryRun !== (query.dryRun === 'true')) {
      throw new ValidationError('invalid recover request: dryRun: the body and the query disagree', ['dryRun: body and query disagree']);
    }
    const dryRun = body.dryRun ?? query.dryRun === 'true';
    const unknown = (body.nodes ?? []).filter((id) => !cluster.nodes.some((n) => n.id === id));
    if (unknown.length > 0) throw new ValidationError(`cluster ${cluster.id} has no node ${unknown.map((n) => `"${n}"`).join(', ')}`);
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
    if ('error' in outcome) return failedOutcomeAnswer(c, deps, start.recoveryId, outcome);
    return c.json({ ...outcome, recoveryId: start.recoveryId });
  }

  function find(id: string): SweepCluster {
    // Validated as an id first, so the message never echoes arbitrary path text.
    validate(ClusterPathSchema, { id }, 'path');
    const cluster = deps.clusters.find((x) => x.id === id);
    if (!cluster) throw new NotFoundError(`no cluster with id "${id}" is configured`);
    return cluster;
  }

  /** A cluster as the API lists it: config identity, recorded node states, and how fresh they are. */
  function clusterBody(cluster: SweepCluster, record: ClusterRecord | null, heartbeat: SweepHeartbeat | null) {
    const counts: Record<string, number> = {};
    for (const node of cluster.nodes) {
      const state = record?.nodes[node.id]?.state ?? 'unknown';
      counts[state] = (counts[state] ?? 0) + 1;
    }
    const fresh = freshnessOf(heartbeat ? Date.parse(heartbeat.at) : null, deps.clock.now(), deps.sweepIntervalMs);
    return {
      id: cluster.id,
      name: cluster.name,
      nodeCount: cluster.nodes.length,
      states: counts,
      lastSweepAt: fresh.lastSweepAt,
      lastSweepAgeSeconds: fresh.ageSeconds,
      stale: fresh.stale,
    };
  }
}
