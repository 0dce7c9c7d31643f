import type { CustodyKind } from '../core/custody-types.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError } from '../errors.ts';
import { deadline, nodeTarget, type CustodyCluster, type CustodyContext } from './custody-context.ts';

/** One node's seal status as custody commands report it (no secrets in here). */
export interface NodeSeal {
  node: string;
  url: string;
  reachable: boolean;
  error?: string;
  initialized?: boolean;
  sealed?: boolean;
  type?: string;
  recoverySeal?: boolean;
  t?: number;
  n?: number;
}

/** `sys/seal-status` of every configured node, in parallel, each under its own deadline. */
export async function surveyNodes(ctx: CustodyContext, cluster: CustodyCluster): Promise<NodeSeal[]> {
  return Promise.all(
    cluster.nodes.map(async (node): Promise<NodeSeal> => {
      try {
        const client = ctx.options.vault.client(nodeTarget(cluster, node));
        return fromStatus(node.id, node.url, await client.sealStatus({ signal: deadline(ctx.nodeTimeoutMs) }));
      } catch (error) {
        return { node: node.id, url: node.url, reachable: false, error: describeError(error) };
      }
    }),
  );
}

function fromStatus(node: string, url: string, s: SealStatus): NodeSeal {
  return { node, url, reachable: true, initialized: s.initialized, sealed: s.sealed, type: s.type, recoverySeal: s.recoverySeal, t: s.t, n: s.n };
}

/** Initialized nodes that answered. */
export function initializedNodes(nodes: readonly NodeSeal[]): NodeSeal[] {
  return nodes.filter((n) => n.reachable && n.initialized === true);
}

/**
 * Why an initialized node's seal status does not fit a share set: the kind (recovery shares go
 * with auto-unseal seals), the threshold and the share count must all agree (the peers' "key
 * index out of range" comes from exactly this disagreement).
 */
export function sealMismatches(node: NodeSeal, expected: { kind: CustodyKind; threshold: number; shares: number }): string[] {
  const problems: string[] = [];
  const nodeKind: CustodyKind = node.recoverySeal ? 'recovery' : 'unseal';
  if (nodeKind !== expected.kind) {
    problems.push(
      `node ${node.node}: its seal (${node.type ?? 'unknown'}, recovery_seal ${String(node.recoverySeal)}) takes ${nodeKind} shares, but these are ${expected.kind} shares`,
    );
  }
  if (node.t !== expected.threshold) problems.push(`node ${node.node}: threshold t=${node.t}, the import says ${expected.threshold}`);
  if (node.n !== expected.shares) problems.push(`node ${node.node}: share count n=${node.n}, the import has ${expected.shares}`);
  return problems;
}
