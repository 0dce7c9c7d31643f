import { VaultUnreachableError } from '../errors.ts';

/*
 * Node/OpenSSL transport errors → VaultUnreachableError with a message an operator can act on.
 * Messages name the URL and the error code, never headers or bodies (which hold tokens/shares).
 */

const REFUSED: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while sending',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host is down',
  ENOTFOUND: 'host name not found in DNS',
  EAI_AGAIN: 'temporary DNS failure',
  EADDRNOTAVAIL: 'address not available',
};

/** OpenSSL verify results meaning "this chain does not lead to a CA we trust". */
const UNTRUSTED_CHAIN = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

const CERT_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate is revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not name this host',
  INVALID_PURPOSE: 'certificate is not valid for TLS server use',
  HOSTNAME_MISMATCH: 'certificate does not name this host',
};

function isTlsError(code: string, error: NodeJS.ErrnoException & { library?: string }): boolean {
  return (
    UNTRUSTED_CHAIN.has(code) ||
    code in CERT_PROBLEMS ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code === 'EPROTO' ||
    error.library === 'SSL routines'
  );
}

/** Translates an error from node:http(s) for the request described by `label`. */
export function describeTransportError(error: NodeJS.ErrnoException, label: string, hasClusterCa: boolean): VaultUnreachableError {
  const code = error.code ?? '';
  if (UNTRUSTED_CHAIN.has(code)) {
    const signer = hasClusterCa ? 'the cluster CA' : 'a trusted CA';
    return new VaultUnreachableError('tls', `${label}: certificate is not signed by ${signer} (${code})`, { cause: error });
  }
  const certProblem = CERT_PROBLEMS[code];
  if (certProblem) {
    return new VaultUnreachableError('tls', `${label}: ${certProblem} (${code})`, { cause: error });
  }
  if (isTlsError(code, error)) {
    return new VaultUnreachableError('tls', `${label}: TLS handshake failed (${code || 'unknown TLS error'})`, { cause: error });
  }
  if (code === 'ETIMEDOUT') {
    return new VaultUnreachableError('timeout', `${label}: connection timed out (ETIMEDOUT)`, {
      cause: error,
    });
  }
  const refused = REFUSED[code];
  if (refused) {
    return new VaultUnreachableError('refused', `${label}: ${refused} (${code})`, { cause: error });
  }
  return new VaultUnreachableError('refused', `${label}: connection failed (${code || error.name})`, { cause: error });
}
