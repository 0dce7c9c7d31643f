import type { RecoveryRequest, RecoveryResult, RecoveryService } from '../../app/recovery.ts';
import { SealwatchError } from '../../errors.ts';
import type { Logger } from '../../ports/logger.ts';
import type { RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';

export type RecoveryOutcome = RecoveryResult | { cluster: string; error: { code: string; message: string } };

export function requireRecovery(deps: RouteDeps): RecoveryService {
  if (!deps.recovery) throw new HttpError(404, 'not_configured', 'recovery is not available in this deployment');
  return deps.recovery;
}

/**
 * Runs recoveries in parallel and waits at most `budgetMs`. Within budget: every outcome (a
 * failed cluster is an outcome, not a failed request). Past it: `accepted`, the work goes on
 * and its failures are logged.
 */
export async function runWithinBudget(
  recovery: RecoveryService,
  requests: readonly RecoveryRequest[],
  budgetMs: number,
  logger: Logger,
): Promise<{ status: 'done'; results: RecoveryOutcome[] } | { status: 'accepted'; results: [] }> {
  const all = Promise.all(
    requests.map((request) =>
      recovery.run(request).catch((error: unknown): RecoveryOutcome => {
        logger.error('api.recovery_failed', { cluster: request.clusterId, trigger: request.trigger, error });
        return {
          cluster: request.clusterId,
          error: error instanceof SealwatchError ? { code: error.code, message: error.message } : { code: 'internal', message: 'recovery failed; see the server log' },
        };
      }),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), budgetMs);
  });
  try {
    const first = await Promise.race([all, late]);
    return first === 'late' ? { status: 'accepted', results: [] } : { status: 'done', results: first };
  } finally {
    clearTimeout(timer);
  }
}
