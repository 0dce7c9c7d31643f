import type { VaultTarget } from '../core/vault-target.ts';

/** The certificate a node presents: its notAfter (epoch ms) and subject CN. */
export interface PeerCertificateInfo {
  validTo: number;
  subject?: string;
}

/** Reads a node's TLS certificate; null for plain-http nodes. Fails with UnavailableError. */
export type CertificateProbe = (target: VaultTarget, signal: AbortSignal) => Promise<PeerCertificateInfo | null>;
