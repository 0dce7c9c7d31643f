const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

/**
 * True when the text holds at least one PEM certificate block whose body decodes to DER
 * (an ASN.1 SEQUENCE). It does not verify the certificate: the TLS layer does that per connection.
 */
export function containsPemCertificate(text: string): boolean {
  for (const match of text.matchAll(CERTIFICATE_BLOCK)) {
    const der = Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64');
    if (der.length > 16 && der[0] === 0x30) return true;
  }
  return false;
}
