import { connect } from 'node:tls';
import { UnavailableError } from '../errors.ts';
import type { CertificateProbe, PeerCertificateInfo } from '../ports/certificate-probe.ts';

/**
 * Reads the certificate of an https node with a bare TLS handshake, sending no request. The
 * handshake does not verify the chain on purpose: an expired certificate must still be read to
 * be reported, and nothing is sent over this connection. Plain-http nodes give null.
 */
export const probePeerCertificate: CertificateProbe = (target, signal) => {
  const url = new URL(target.url);
  if (url.protocol !== 'https:') return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    // SNI must be a host name, never an IP literal.
    const servername = target.serverName ?? (/^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname);
    const socket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      ...(servername === undefined ? {} : { servername }),
      ...(target.caPem ? { ca: target.caPem } : {}),
    });
    const done = (error: Error | null, value?: PeerCertificateInfo) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    const onAbort = () => done(new UnavailableError(`TLS handshake with ${url.host} timed out`));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const validTo = Date.parse(cert.valid_to);
      if (!Number.isFinite(validTo)) return done(new UnavailableError(`${url.host} presented no readable certificate`));
      const cn = cert.subject?.CN;
      done(null, { validTo, ...(typeof cn === 'string' ? { subject: cn } : {}) });
    });
    socket.once('error', (error) => done(new UnavailableError(`TLS handshake with ${url.host} failed: ${error.message}`)));
  });
};
