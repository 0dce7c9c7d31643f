import { z } from 'zod';
import { decodeKeyText } from './key-text.ts';
import { containsPemCertificate } from './pem.ts';
import { configRelativePath, parseReference, resolveValue, type ReferenceContext } from './references.ts';
import { Secret } from './secret.ts';

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ID_MESSAGE = 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit';
const INLINE_SECRET = 'write secrets as ${env:NAME} or ${file:PATH}, not inline';
const KEY_TEXT = 'must be 32 bytes written as base64 or hex';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Field schemas bound to one reference context. Every string field goes through `text()`, so any
 * string value may be `${env:NAME}` or `${file:PATH}`; secret fields go through `secret()`, which
 * insists on a reference. Issues never quote a resolved value.
 */
export function createFields(context: ReferenceContext) {
  const text = () =>
    z.string().transform((value, ctx) => {
      const resolved = resolveValue(value, context);
      if (!resolved.ok) {
        ctx.addIssue({ code: 'custom', message: resolved.message });
        return z.NEVER;
      }
      return resolved.value;
    });

  const nonEmpty = () => text().pipe(z.string().min(1, 'must not be empty'));
  const matching = (pattern: RegExp, message: string) => text().pipe(z.string().regex(pattern, message));
  const id = () => matching(ID_PATTERN, ID_MESSAGE);

  const secret = () =>
    z.string().transform((value, ctx) => {
      const parsed = parseReference(value);
      if (parsed.ok && parsed.reference === undefined) {
        ctx.addIssue({ code: 'custom', message: INLINE_SECRET });
        return z.NEVER;
      }
      const resolved = resolveValue(value, context);
      if (!resolved.ok) {
        ctx.addIssue({ code: 'custom', message: resolved.message });
        return z.NEVER;
      }
      return new Secret(resolved.value);
    });

  const keyText = () => secret().refine((s) => isKeyText(s.reveal()), KEY_TEXT);

  /** A file holding a 32-byte key; read now so a missing file is a config problem, not a 3 a.m. one. */
  const keyFile = () =>
    text().transform((path, ctx) => {
      const absolute = configRelativePath(context, path);
      const content = context.readFile(absolute);
      if (content === undefined) {
        ctx.addIssue({ code: 'custom', message: `cannot read key file ${absolute}` });
        return z.NEVER;
      }
      if (!isKeyText(content)) {
        ctx.addIssue({ code: 'custom', message: `key file ${absolute} ${KEY_TEXT}` });
        return z.NEVER;
      }
      return { path: absolute, key: new Secret(content.trim()) };
    });

  const caFile = () =>
    text().transform((path, ctx) => {
      const absolute = configRelativePath(context, path);
      const content = context.readFile(absolute);
      if (content === undefined) {
        ctx.addIssue({ code: 'custom', message: `cannot read CA file ${absolute}` });
        return z.NEVER;
      }
      if (!containsPemCertificate(content)) {
        ctx.addIssue({ code: 'custom', message: `CA file ${absolute} does not contain a PEM certificate` });
        return z.NEVER;
      }
      return { path: absolute, pem: content };
    });

  const caPem = () =>
    text().pipe(
      z.string().refine(containsPemCertificate, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----...)'),
    );

  const intRange = (min: number, max: number) => {
    const message = `must be a whole number from ${min} to ${max}`;
    return z.number().int(message).min(min, message).max(max, message);
  };

  /** Vault node address: scheme, host and port only, normalised to the URL origin. */
  const nodeUrl = () =>
    text().transform((value, ctx) => {
      const problem = nodeUrlProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return new URL(value).origin;
    });

  /** An SDK endpoint override (dynalite, a KMS wire fake): any http(s) URL. */
  const endpoint = () =>
    text().refine((value) => {
      const url = safeUrl(value);
      return url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:');
    }, 'must be an http:// or https:// URL');

  /** Key Vault URL: https, except plain http on loopback for local wire fakes. */
  const vaultUrl = () =>
    text().refine((value) => {
      const url = safeUrl(value);
      if (url === undefined) return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
    }, 'must be an https:// URL like https://NAME.vault.azure.net');

  return { text, nonEmpty, matching, id, secret, keyText, keyFile, caFile, caPem, intRange, nodeUrl, endpoint, vaultUrl };
}

export type Fields = ReturnType<typeof createFields>;

function isKeyText(value: string): boolean {
  const key = decodeKeyText(value);
  key?.fill(0);
  return key !== undefined;
}

export function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function nodeUrlProblem(value: string): string | undefined {
  const url = safeUrl(value);
  if (url === undefined) return 'must be a URL like https://10.0.1.10:8200';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// (or http://), e.g. https://10.0.1.10:8200';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.pathname !== '/' && url.pathname !== '') return 'must not have a path: sealwatch adds /v1/... itself';
  if (url.search !== '' || value.includes('?')) return 'must not have a query string';
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment';
  return undefined;
}
