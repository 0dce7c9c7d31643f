import { sealBackendFindings } from '../../core/findings/seal-key-findings.ts';
import type { Finding } from '../../core/finding.ts';
import type { NodeState } from '../../core/node-state.ts';
import type { VaultClientFactory } from '../../ports/vault-client.ts';
import type { ClusterInspector } from '../sweep.ts';

const UNSEALED: ReadonlySet<NodeState> = new Set(['active', 'standby', 'perf-standby', 'dr-secondary', 'standby-unhealthy']);

/**
 * `seal.backend-unhealthy` from `sys/seal-backend-status` (Vault ≥ 1.15, unauthenticated) of each
 * unsealed auto-unseal node. Nodes known to run an older version are not asked. Where the endpoint
 * does not exist (OpenBao, older builds) the path falls through to Vault's logical handler, which
 * answers 403 without a token: the client reports that as "not available" (null), never a
 * finding, whatever the status. A node that fails to answer is left to the node checks.
 */
export function createSealBackendInspector(options: { vault: VaultClientFactory }): ClusterInspector {
  return {
    name: 'seal-backend',
    async inspect({ cluster, plan, signal }) {
      const byId = new Map(cluster.nodes.map((n) => [n.id, n]));
      // Shamir-sealed nodes have no seal backend to be unhealthy; auto-unseal nodes say so by
      // their type or, on Vault ≤ 1.15.3 (type "shamir" after init), by `recovery_seal`.
      const asked = plan.nodes.filter(
        (n) => UNSEALED.has(n.state) && mayHaveEndpoint(n.view.version) && (n.view.recoverySeal === true || isAutoSealType(n.view.sealType)),
      );
      const results = await Promise.all(
        asked.map(async (n): Promise<Finding[]> => {
          const node = byId.get(n.nodeId);
          if (!node) return [];
          const client = options.vault.client({
            url: node.url,
            ...(cluster.tls?.caPem === undefined ? {} : { caPem: cluster.tls.caPem }),
            ...(cluster.tls?.serverName === undefined ? {} : { serverName: cluster.tls.serverName }),
            ...(node.insecureHttp === undefined ? {} : { insecureHttp: node.insecureHttp }),
          });
          try {
            const status = await client.sealBackendStatus({ signal });
            return status ? sealBackendFindings(cluster.id, n.nodeId, status) : [];
          } catch {
            return [];
          }
        }),
      );
      return results.flat();
    },
  };
}

function isAutoSealType(type: string | null): boolean {
  return type !== null && type !== 'shamir';
}

/** False only for versions known to predate the endpoint (Vault < 1.15). */
export function mayHaveEndpoint(version: string | null): boolean {
  const match = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!match) return true;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 15);
}
