import type { Finding } from '../finding.ts';

export interface NodeCertificate {
  nodeId: string;
  /** Epoch ms of the certificate's notAfter. */
  validTo: number;
  subject?: string;
}

const DAY_MS = 86_400_000;

/** `node.cert-expiring`: warning within `days`, critical once expired or within a day. */
export function certFindings(clusterId: string, certs: readonly NodeCertificate[], now: number, days = 14): Finding[] {
  const findings: Finding[] = [];
  for (const cert of certs) {
    const left = cert.validTo - now;
    if (left > days * DAY_MS) continue;
    const daysLeft = Math.floor(left / DAY_MS);
    findings.push({
      id: 'node.cert-expiring',
      severity: left <= DAY_MS ? 'critical' : 'warning',
      cluster: clusterId,
      node: cert.nodeId,
      message:
        left <= 0
          ? `the TLS certificate of node ${cert.nodeId} expired on ${new Date(cert.validTo).toISOString()}`
          : `the TLS certificate of node ${cert.nodeId} expires on ${new Date(cert.validTo).toISOString()} (in ${daysLeft} days)`,
      evidence: { validTo: new Date(cert.validTo).toISOString(), daysLeft, thresholdDays: days, subject: cert.subject ?? null },
    });
  }
  return findings;
}
