/**
 * Fanned-out work: the dispatcher sends one message per cluster and workers sweep one cluster
 * each. Messages carry identifiers and times only, never secrets (SQS keeps them on disk and a
 * DLQ may hold them for days).
 */
export interface SweepWorkMessage {
  kind: 'sweep-cluster';
  /** Shared by every message of one dispatch, so worker reports can be tied together. */
  dispatchId: string;
  clusterId: string;
  /** The trigger of the dispatch (`schedule`, `webhook`...), carried into the worker's sweep. */
  trigger: string;
  /** ISO time of the dispatch; workers drop messages older than their maximum age. */
  dispatchedAt: string;
}

/**
 * A recovery (API, webhook or event) that did not finish within its request's budget, handed to
 * the worker. Only identifiers: the worker reads what is left to do from the recovery record.
 */
export interface RecoveryWorkMessage {
  kind: 'recovery';
  /** The id the caller was given (`GET /v1/recoveries/:id`). */
  recoveryId: string;
  /** ISO time of the hand-off. */
  queuedAt: string;
}

export type WorkMessage = SweepWorkMessage | RecoveryWorkMessage;

/**
 * A queue of work for the worker (SQS on AWS, in-process locally). Delivery is at least once: a
 * worker may see a message twice, which the per-cluster leases and the recovery record's status
 * make harmless.
 */
export interface WorkQueue {
  /**
   * Enqueues every message and resolves once the queue has accepted all of them.
   * @throws UnavailableError when some messages could not be enqueued (retryable); the ones
   *   that were accepted stay queued.
   * @throws AccessDeniedError when the queue refuses the caller.
   */
  send(messages: readonly WorkMessage[], signal?: AbortSignal): Promise<void>;
}
