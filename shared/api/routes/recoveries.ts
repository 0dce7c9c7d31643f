import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { requireJobs } from './recovery-run.ts';

/** `GET /v1/recoveries/:id`: a recovery's state and results (scope `read`). */
export function registerRecoveryRoutes(app: ApiApp, deps: RouteDeps): void {
  const read = requireScope(deps.apiKeys, 'read', deps.limiter);
  app.get('/v1/recoveries/:id', read, async (c) => {
    const id = c.req.param('id');
    const record = await requireJobs(deps).get(id);
    if (!record) throw new NotFoundError(`no recovery "${id.slice(0, 64)}" (ids look like rcv-20261207T072700Z-0a1b2c3d; records are kept 7 days)`);
    return c.json(record);
  });
}
