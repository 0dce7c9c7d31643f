import type { NodeObservation } from '../core/node-state.ts';
import { describeError, VaultApiError, VaultUnreachableError } from '../errors.ts';
import type { VaultClient } from '../ports/vault-client.ts';
import type { SharedDeadlines } from './shared-deadlines.ts';

export interface ObserveNodeOptions {
  /** One deadline for both calls. */
  timeoutMs: number;
  /** Epoch ms; injected so observations are stamped by the caller's clock. */
  now: () => number;
  /**
   * Deadlines shared with the other nodes of a sweep (shared-deadlines.ts); without them the node
   * gets its own timer.
   */
  deadlines?: SharedDeadlines;
}

/**
 * Looks at one node once: `GET sys/health` without status overrides (the code carries the
 * state) and `GET sys/seal-status`, in parallel under one deadline. Never throws: any failure is
 * recorded as the observation's `error`, next to whichever answer did arrive.
 */
export async function observeNode(client: VaultClient, options: ObserveNodeOptions): Promise<NodeObservation> {
  const at = options.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signal: AbortSignal;
  if (options.deadlines) signal = options.deadlines.signal();
  else {
    const controller = new AbortController();
    timer = setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), options.timeoutMs);
    signal = controller.signal;
  }
  try {
    const [health, seal] = await Promise.allSettled([client.health({ signal }), client.sealStatus({ signal })]);
    const observation: NodeObservation = { at, durationMs: 0 };
    if (health.status === 'fulfilled') observation.health = health.value;
    if (seal.status === 'fulfilled') observation.sealStatus = seal.value;
    // health's failure says more about reachability, so it wins when both failed.
    const failure =
      health.status === 'rejected'
        ? toError(health.reason, false, options.timeoutMs, client.target.url)
        : seal.status === 'rejected'
          ? toError(seal.reason, true, options.timeoutMs, client.target.url)
          : undefined;
    if (failure) observation.error = failure;
    observation.durationMs = Math.max(0, options.now() - at);
    return observation;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function toError(error: unknown, fromSealStatus: boolean, timeoutMs: number, url: string): NonNullable<NodeObservation['error']> {
  if (error instanceof VaultUnreachableError) {
    const message = error.reason === 'timeout' ? `${error.message} (${timeoutMs} ms)` : error.message;
    return { reason: error.reason, message };
  }
  if (error instanceof VaultApiError) {
    // seal-status answers 200 on every reachable Vault; an error answer there means its storage
    // is failing or this is not a Vault at all. Either way the node cannot be classified.
    const hint = fromSealStatus ? ' (a working Vault answers sys/seal-status with 200)' : '';
    return { reason: 'bad-response', message: `${url}: ${error.message}${hint}` };
  }
  return { reason: 'bad-response', message: describeError(error) };
}
