import { AccessDeniedError, ConflictError, NotFoundError, SealwatchError, UnavailableError, ValidationError } from '../errors.ts';

const SEE_LOG = 'the server log has the details under this recovery id';

/** The only texts a recovery record gives for a cluster that failed, by kind of failure. */
export const PUBLIC_FAILURE_MESSAGES = {
  not_found: `something this recovery needs does not exist or is not configured; ${SEE_LOG}`,
  invalid_input: `the recovery was refused as invalid; ${SEE_LOG}`,
  conflict: 'another sweep or recovery was working on this cluster; retry later',
  state_conflict: `the cluster's stored state does not allow this recovery as asked; ${SEE_LOG}`,
  access_denied: `a dependency denied access; ${SEE_LOG}`,
  unavailable: `a dependency was unavailable; retry later (${SEE_LOG})`,
  internal: `the recovery failed; ${SEE_LOG}`,
} as const;

/**
 * How a recovery record — and so `GET /v1/recoveries/:id`, a hook's summary (answered to
 * senders that hold no API key) and a cluster route's answer — describes a cluster whose
 * recovery threw: the error's code and a fixed text. The error's own message can name the
 * state table, an item key, a KMS key or an address (adapters put them there for the log), so
 * it goes only to the server log (`recovery.cluster_failed`, with the recovery id). The routes
 * check cluster and node ids before starting a recovery, so the caller's own mistakes are
 * refused with their full message before this point.
 */
export function publicFailure(error: unknown): { code: string; message: string } {
  if (error instanceof NotFoundError) return { code: error.code, message: PUBLIC_FAILURE_MESSAGES.not_found };
  if (error instanceof ValidationError) return { code: error.code, message: PUBLIC_FAILURE_MESSAGES.invalid_input };
  if (error instanceof ConflictError) {
    // Lost races retry well; a conflict with stored state (custody exists, shares differ) does not.
    const race = error.reason === 'lease-held' || error.reason === 'write-condition' || error.reason === 'changed-concurrently';
    return { code: error.code, message: race ? PUBLIC_FAILURE_MESSAGES.conflict : PUBLIC_FAILURE_MESSAGES.state_conflict };
  }
  if (error instanceof AccessDeniedError) return { code: error.code, message: PUBLIC_FAILURE_MESSAGES.access_denied };
  if (error instanceof UnavailableError) return { code: error.code, message: PUBLIC_FAILURE_MESSAGES.unavailable };
  return { code: error instanceof SealwatchError ? error.code : 'internal', message: PUBLIC_FAILURE_MESSAGES.internal };
}
