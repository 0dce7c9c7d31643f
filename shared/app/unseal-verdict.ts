import type { NodeUnsealGuard } from '../core/custody-types.ts';
import type { Finding } from '../core/finding.ts';
import type { SealStatus } from '../core/vault-types.ts';
import type { NodeUnsealDeps, NodeUnsealInput } from './unseal-node-types.ts';
import * as F from './unseal-findings.ts';
import type { SubmitResult } from './unseal-submit.ts';
import type { UnsealOutcome } from './unseal-types.ts';

/** What a finished submission means for the node: the outcome, its message and findings. */
export interface Verdict {
  outcome: UnsealOutcome;
  message: string;
  findings: Finding[];
}

type Final = Extract<SubmitResult, { kind: 'vault-error' | 'rejected' }>;

/**
 * Turns Vault's refusal of a submission into an outcome, writing the node's guard when the
 * shares were refused as a whole: a wrong key blocks at once; an unclassified rejection is
 * allowed one more full threshold (not before `retryAfterMs`), the second one blocks. Returns
 * null for failures that are retried within the run (transient before the threshold).
 */
export async function judgeRefusal(
  deps: NodeUnsealDeps,
  input: NodeUnsealInput,
  result: Final,
  context: { wrappers: string[]; sealType: string },
): Promise<Verdict | null> {
  const { cluster, nodeId, meta } = input;
  const now = new Date(deps.clock.now()).toISOString();
  await input.fence?.();
  const guardOf = (reason: NodeUnsealGuard['reason'], blocked: boolean, rejections: number, status: number | null): NodeUnsealGuard => ({
    generation: meta.generation,
    nodeId,
    rejections,
    blocked,
    reason,
    status,
    vaultError: result.vaultError,
    shareIndexes: result.submitted,
    wrappers: context.wrappers,
    firstAt: input.guard?.firstAt ?? now,
    lastAt: now,
  });
  if (result.kind === 'rejected') {
    const rejections = (input.guard?.rejections ?? 0) + 1;
    const guard = guardOf('rejected', rejections >= 2, rejections, result.status);
    await deps.custody.putGuard(cluster.id, guard);
    const retryAt = guard.blocked ? null : new Date(deps.clock.now() + deps.settings.retryAfterMs).toISOString();
    const finding = F.rejectedFinding(cluster.id, guard, retryAt);
    return { outcome: 'rejected', message: finding.message, findings: [finding] };
  }
  switch (result.answer) {
    case 'wrong-key': {
      await deps.custody.putGuard(cluster.id, guardOf('wrong-key', true, input.guard?.rejections ?? 0, result.status));
      const finding = F.wrongKeyFinding(cluster.id, nodeId, result.submitted, context.wrappers, result.vaultError, meta.generation);
      return {
        outcome: 'wrong-key',
        message: `Vault rejected the combined shares as the wrong key (${result.vaultError}); node ${nodeId} is blocked`,
        findings: [finding],
      };
    }
    case 'seal-failure': {
      const finding = F.sealFailureFinding(cluster.id, nodeId, context.sealType, result.vaultError);
      return { outcome: 'seal-failure', message: `the node's ${context.sealType} seal failed: ${result.vaultError}`, findings: [finding] };
    }
    case 'removed':
      return {
        outcome: 'removed',
        message: `node ${nodeId} was removed from its raft cluster: ${result.vaultError}`,
        findings: [F.removedFinding(cluster.id, nodeId, result.vaultError)],
      };
    case 'custody-mismatch':
      return {
        outcome: 'custody-mismatch',
        message: `Vault refused the shares: ${result.vaultError}`,
        findings: [F.shareMismatchFinding(cluster.id, nodeId, result.vaultError)],
      };
    case 'refused':
      return { outcome: 'refused', message: `Vault refused the unseal: ${result.vaultError}`, findings: [] };
    case 'transient':
      return null;
  }
}

/** The seal a node reports, for messages: its type, or "auto-unseal" where old versions say "shamir". */
export function sealNameOf(status: Pick<SealStatus, 'type' | 'recoverySeal'>): string {
  return status.recoverySeal && status.type === 'shamir' ? 'auto-unseal' : status.type;
}
