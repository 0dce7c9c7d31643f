import { assessAttempt, type AttemptSighting } from '../core/unseal-decision.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError } from '../errors.ts';
import type { VaultClient } from '../ports/vault-client.ts';
import type { NodeUnsealDeps, NodeUnsealInput } from './unseal-node-types.ts';

/**
 * The first sighting of a foreign unseal attempt, kept in the store (`UNSEAL_ATTEMPT#<node>`,
 * expiring after a day) so that a later call, in this or another invocation, can tell whether
 * the attempt has moved since.
 */
/** A sighting, or (with `owner`) the nonce of an attempt a sealwatch operation started itself. */
type OwnedSighting = AttemptSighting & { owner?: string };

export const sightingKey = (clusterId: string, nodeId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: `UNSEAL_ATTEMPT#${nodeId}` });

/**
 * Deals with an attempt already in progress: `ready` when the node can take our shares (no
 * attempt left, or ours / an abandoned one was reset), `leave` when someone else is at work.
 */
export async function clearAttempt(
  deps: NodeUnsealDeps,
  client: VaultClient,
  input: NodeUnsealInput,
  status: SealStatus,
  ourNonce: string | null,
  callSignal: () => AbortSignal,
): Promise<{ kind: 'ready' } | { kind: 'leave' | 'retry'; reason: string }> {
  const key = sightingKey(input.cluster.id, input.nodeId);
  const now = deps.clock.now();
  const previous = ourNonce === status.nonce ? null : ((await deps.store.get<OwnedSighting>(key.pk, key.sk))?.data ?? null);
  // An attempt a sealwatch operation recorded as its own, while we hold the cluster lease: that
  // operation is gone (it would hold the lease), so the attempt is abandoned and ours to reset.
  // A record without a nonce is an operation that died before Vault's first answer reached it.
  const deadOperation = previous?.owner !== undefined && previous.owner !== input.operation;
  const abandoned = deadOperation && (previous.nonce === status.nonce || previous.nonce === '') ? status.nonce : null;
  const assessment = assessAttempt({ current: status, previous, ours: ourNonce ?? abandoned, now, staleAfterMs: deps.settings.staleAttemptMs });
  if (assessment.kind === 'foreign-active') {
    // Remember the first sighting of this exact state; a later call resets it if nothing moved.
    if (!previous || previous.nonce !== status.nonce || previous.progress !== status.progress) {
      await deps.store.put<AttemptSighting>({
        ...key,
        data: { nonce: status.nonce, progress: status.progress, at: now },
        expiresAt: Math.floor(now / 1000) + 86_400,
        condition: { kind: 'any' },
      });
    }
    return {
      kind: 'leave',
      reason: `an unseal attempt by someone else is in progress (progress ${status.progress}/${status.t}); it is reset only after ${deps.settings.staleAttemptMs} ms without movement`,
    };
  }
  if (assessment.kind === 'none') return { kind: 'ready' };
  deps.logger.warn('unseal.reset_attempt', {
    cluster: input.cluster.id,
    node: input.nodeId,
    progress: status.progress,
    reason:
      assessment.kind === 'foreign-stale'
        ? `foreign attempt idle ${assessment.idleMs} ms`
        : abandoned !== null
          ? `attempt of sealwatch operation ${previous?.owner} that is gone`
          : 'our interrupted attempt',
  });
  try {
    await client.unseal({ reset: true }, { signal: callSignal() });
  } catch (error) {
    return { kind: 'retry', reason: `reset of the unseal attempt failed: ${describeError(error)}` };
  }
  if (previous) await deps.store.delete(key.pk, key.sk);
  return { kind: 'ready' };
}
