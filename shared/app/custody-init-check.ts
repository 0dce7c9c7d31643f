import { randomBytes } from 'node:crypto';
import type { CustodyAssignment } from '../core/custody-policy.ts';
import { shareContext, tokenContext, type CustodyKind } from '../core/custody-types.ts';
import { equalBytes } from '../core/share-validation.ts';
import { ConflictError, describeError, UnavailableError, ValidationError } from '../errors.ts';
import { deadline, type CustodyCluster, type CustodyContext } from './custody-context.ts';
import type { NodeSeal } from './custody-nodes.ts';

// The checks `init` makes before Vault is called (Vault hands the shares out exactly once).

export function checkCounts(n: number, t: number, pgpKeys: readonly string[] | undefined): void {
  const problems: string[] = [];
  if (!Number.isInteger(n) || n < 1 || n > 255) problems.push('shares: must be a whole number from 1 to 255');
  if (!Number.isInteger(t) || t < 1 || t > 255) problems.push('threshold: must be a whole number from 1 to 255');
  else if (t > n) problems.push(`threshold ${t} cannot be larger than shares ${n}`);
  else if (t === 1 && n > 1) problems.push('threshold must be greater than one for multiple shares (Vault refuses 1-of-N)');
  if (pgpKeys && pgpKeys.length > 0 && pgpKeys.length !== n) problems.push(`${pgpKeys.length} PGP keys for ${n} shares: give exactly one per share`);
  if (problems.length > 0) throw new ValidationError('invalid init parameters', problems);
}

/** The first configured node, once every node has answered and none is initialised. */
export function pickNode(cluster: CustodyCluster, nodes: readonly NodeSeal[]): NodeSeal {
  const silent = nodes.filter((n) => !n.reachable);
  if (silent.length > 0) {
    throw new UnavailableError(
      `every node of cluster ${cluster.id} must answer before init, so that an initialised node is never missed: ${silent.map((n) => `${n.node}: ${n.error ?? 'no answer'}`).join('; ')}`,
    );
  }
  const initialized = nodes.filter((n) => n.initialized);
  if (initialized.length > 0) {
    throw new ConflictError(`cluster ${cluster.id} is already initialised (${initialized.map((n) => n.node).join(', ')})`, {
      reason: 'already-initialized',
    });
  }
  const seals = new Set(nodes.map((n) => `${n.type}/${String(n.recoverySeal)}`));
  if (seals.size > 1) {
    throw new ValidationError(
      `the nodes of cluster ${cluster.id} report different seal types`,
      nodes.map((n) => `node ${n.node}: ${n.type} (recovery_seal ${String(n.recoverySeal)})`),
    );
  }
  const first = nodes[0];
  if (!first) throw new ValidationError(`cluster ${cluster.id} has no nodes`);
  return first;
}

/** Wraps and unwraps random bytes under each wrapper involved, with the exact contexts it will use. */
export async function canary(
  ctx: CustodyContext,
  clusterId: string,
  kind: CustodyKind,
  shares: CustodyAssignment['shares'],
  tokenWrapper: string | undefined,
): Promise<void> {
  const firstIndex = new Map<string, number>();
  for (const s of shares) if (!firstIndex.has(s.wrapper)) firstIndex.set(s.wrapper, s.index);
  const checks = [...firstIndex].map(([wrapper, index]) => ({ wrapper, context: shareContext(clusterId, kind, index) }));
  if (tokenWrapper) checks.push({ wrapper: tokenWrapper, context: tokenContext(clusterId, 'root') });
  const failures: string[] = [];
  await Promise.all(
    checks.map(async ({ wrapper, context }) => {
      const probe = randomBytes(33);
      try {
        const w = ctx.wrapper(wrapper);
        const wrapped = await w.wrap(probe, context, deadline(ctx.wrapperTimeoutMs));
        const back = await w.unwrap(wrapped, context, deadline(ctx.wrapperTimeoutMs));
        const same = equalBytes(back, probe);
        back.fill(0);
        if (!same) failures.push(`${wrapper}: unwrapped bytes differ from what was wrapped`);
      } catch (error) {
        failures.push(`${wrapper}: ${describeError(error)}`);
      } finally {
        probe.fill(0);
      }
    }),
  );
  if (failures.length > 0) {
    throw new UnavailableError(`custody wrapper check failed, so Vault was not initialised: ${failures.join('; ')}`, {
      code: 'wrapper_unavailable',
    });
  }
}
