/**
 * Tokens the simulated AWS IAM auth method issued, per cluster, with their expiry. Kept apart
 * from aws-auth.ts so the authenticated endpoints (logical.ts) can check a token without
 * importing the login handler, which itself forwards through logical.ts.
 */
import type { Group } from './raft-group.ts';
import type { SimNode } from './sim-node.ts';

const issued = new WeakMap<Group, Map<string, number>>();

/** Whether `token` was issued by this auth method for the node's cluster and is unexpired. */
export function isIssuedToken(node: SimNode, token: string | null): boolean {
  if (token === null || node.group === null) return false;
  const until = issued.get(node.group)?.get(token);
  return until !== undefined && until > node.ctx.now();
}

/** Remembers a token issued for `group`'s cluster until `until` (epoch ms). */
export function recordIssuedToken(group: Group, token: string, until: number): void {
  const tokens = issued.get(group) ?? new Map<string, number>();
  tokens.set(token, until);
  issued.set(group, tokens);
}
