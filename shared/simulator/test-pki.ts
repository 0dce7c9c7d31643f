import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

// ECDSA P-256 through WebCrypto: key generation and signing take well under a millisecond, so
// hundreds of simulated clusters can each get their own CA.
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM, usable as `key` for node:https / node:tls. */
  keyPem: string;
}

export interface IssueOptions {
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

export interface TestPki {
  /** The CA certificate to trust. */
  readonly caPem: string;
  /** A leaf (server and client auth) for these host names; IP literals become IP SANs. */
  issue(hostnames: string[], options?: IssueOptions): Promise<IssuedCertificate>;
}

export interface TestPkiOptions {
  commonName?: string;
  notAfter?: Date;
}

let serial = 0;
function nextSerial(): string {
  serial += 1;
  // Random high bits keep serials unique across CAs; the counter keeps them unique within one.
  const random = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return `01${random}${serial.toString(16).padStart(8, '0')}`;
}

async function toPkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', key));
  const body = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

function validity(options: { notBefore?: Date; notAfter?: Date }): { notBefore: Date; notAfter: Date } {
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY_MS);
  // An already-expired certificate (notAfter in the past) must still have notBefore < notAfter.
  const notBefore = options.notBefore ?? new Date(Math.min(Date.now() - 3_600_000, notAfter.getTime() - DAY_MS));
  return { notBefore, notAfter };
}

/**
 * Creates a fresh certificate authority for tests (simulated Vault nodes, rogue CAs, expired
 * leaves). Each call is an independent CA: a leaf of one never chains to another.
 */
export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const caKeys = await globalThis.crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const caName = `CN=${options.commonName ?? 'sealwatch test CA'}`;
  const caValidity = validity({ notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS) });
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: caName,
    ...caValidity,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = caCert.toString('pem') + '\n';

  async function issue(hostnames: string[], issueOptions: IssueOptions = {}): Promise<IssuedCertificate> {
    if (hostnames.length === 0) throw new Error('issue() needs at least one host name');
    const keys = await globalThis.crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const names = hostnames.map((name) => (isIP(name) !== 0 ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name }));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: nextSerial(),
      subject: `CN=${issueOptions.commonName ?? hostnames[0]}`,
      issuer: caCert.subject,
      ...validity(issueOptions),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension(names),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ],
    });
    return { certPem: cert.toString('pem') + '\n', keyPem: await toPkcs8Pem(keys.privateKey) };
  }

  return { caPem, issue };
}
