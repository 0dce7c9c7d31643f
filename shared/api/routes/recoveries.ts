import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { requireScope } from '../middleware/api-key-auth.ts';
import { RecoveryPathSchema, validate } from '../schemas.ts';
import { requireJobs } from './recovery-run.ts';

/** `GET /v1/recoveries/:id`: a recovery's state and results (scope `read`). */
export function registerRecoveryRoutes(app: ApiApp, deps: RouteDeps): void {
  const read = requireScope(deps.apiKeys, 'read', deps.limiter);
  app.get('/v1/recoveries/:id', read, async (c) => {
    // Validated first (400 naming the expected shape), so a message never echoes arbitrary path text.
    const { id } = validate(RecoveryPathSchema, { id: c.req.param('id') }, 'path');
    const record = await requireJobs(deps).get(id);
    if (!record) throw new NotFoundError(`no recovery "${id}" (records are kept 7 days)`);
    return c.json(record);
  });
}
