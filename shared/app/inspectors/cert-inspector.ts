import { certFindings, type NodeCertificate } from '../../core/findings/cert-findings.ts';
import type { CertificateProbe, PeerCertificateInfo } from '../../ports/certificate-probe.ts';
import type { Clock } from '../../ports/clock.ts';
import type { VaultTarget } from '../../core/vault-target.ts';
import { nodeTarget } from '../raft-recovery-service.ts';
import type { ClusterInspector } from '../sweep.ts';

export interface CertInspectorOptions {
  /** Reads a node's certificate now (a handshake of its own). */
  probe: CertificateProbe;
  /**
   * The certificate the sweep's own connections already saw, if any (their first full handshake):
   * used for a node's first read only. A refresh always probes, because a kept-alive or resumed
   * connection never shows a certificate the node was given since (a rotated one).
   */
  known?: (target: VaultTarget) => PeerCertificateInfo | null;
  clock: Clock;
  /** `checks.certExpiryDays` by cluster id (default 14). */
  days: (clusterId: string) => number;
  /** Per handshake (default 3 s). */
  timeoutMs?: number;
  /** A node's certificate is read again after this long (default 6 h): certificates rarely change. */
  refreshMs?: number;
}

/**
 * `node.cert-expiring` for the reachable https nodes of a cluster. Each node's certificate is
 * read at most once per `refreshMs`, so large fleets do not pay a handshake per node per sweep.
 */
export function createCertInspector(options: CertInspectorOptions): ClusterInspector {
  const refreshMs = options.refreshMs ?? 6 * 3_600_000;
  const seen = new Map<string, { at: number; info: PeerCertificateInfo | null }>();
  return {
    name: 'certificates',
    async inspect({ cluster, plan, signal }) {
      const reachable = plan.nodes.filter((n) => n.state !== 'unreachable' && n.url.startsWith('https:'));
      const certs: NodeCertificate[] = [];
      await Promise.all(
        reachable.map(async (n) => {
          const key = `${cluster.id}\n${n.url}`;
          let entry = seen.get(key);
          if (!entry || options.clock.now() - entry.at >= refreshMs) {
            const target = nodeTarget(cluster, n.nodeId);
            const info =
              (!entry && options.known?.(target)) || (await options.probe(target, AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 3_000)])));
            entry = { at: options.clock.now(), info };
            seen.set(key, entry);
          }
          if (entry.info) certs.push({ nodeId: n.nodeId, ...entry.info });
        }),
      );
      certs.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
      return certFindings(cluster.id, certs, options.clock.now(), options.days(cluster.id));
    },
  };
}
