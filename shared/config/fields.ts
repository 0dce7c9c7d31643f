import { decodeWebhookSecret, MIN_WEBHOOK_KEY_BYTES } from '../core/standard-webhooks.ts';
import { z } from 'zod';
import { decodeKeyText } from './key-text.ts';
import { containsPemCertificate } from './pem.ts';
import { configRelativePath, describeReference, parseReference, resolveValue, type ReferenceContext } from './references.ts';
import { Secret } from './secret.ts';

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ID_MESSAGE = 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit';
const INLINE_SECRET = 'write secrets as ${env:NAME} or ${file:PATH}, not inline';
const INLINE_ANY_SECRET = 'write secrets as ${env:NAME}, ${file:PATH}, ${ssm:/NAME} or ${secretsmanager:NAME}, not inline';
const REMOTE_AT_STARTUP = 'is needed at start-up: use ${env:NAME} or ${file:PATH} here (SSM and Secrets Manager references are read at first use)';
const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
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

  /**
   * A secret reference. `${env:}` / `${file:}` are read and checked now; `${ssm:}` /
   * `${secretsmanager:}` become lazy secrets, checked when first read.
   */
  const secret = (options: SecretFieldOptions = {}) =>
    z.string().transform((value, ctx) => {
      const remote = options.remote ?? true;
      const parsed = parseReference(value);
      if (parsed.ok && parsed.reference === undefined) {
        ctx.addIssue({ code: 'custom', message: remote ? INLINE_ANY_SECRET : INLINE_SECRET });
        return z.NEVER;
      }
      const reference = parsed.ok ? parsed.reference : undefined;
      if (reference !== undefined && (reference.kind === 'ssm' || reference.kind === 'secretsmanager')) {
        if (!remote) {
          ctx.addIssue({ code: 'custom', message: REMOTE_AT_STARTUP });
          return z.NEVER;
        }
        return Secret.lazy({
          reference,
          resolve: context.remoteSecrets,
          now: context.now ?? Date.now,
          ...(context.secretTtlMs === undefined ? {} : { ttlMs: context.secretTtlMs }),
          ...(options.check === undefined ? {} : { check: options.check }),
        });
      }
      const resolved = resolveValue(value, context);
      if (!resolved.ok) {
        ctx.addIssue({ code: 'custom', message: resolved.message });
        return z.NEVER;
      }
      const problem = options.check?.(resolved.value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: reference === undefined ? problem : `${describeReference(reference)} ${problem}` });
        return z.NEVER;
      }
      return new Secret(resolved.value);
    });

  const keyText = () => secret({ remote: false }).refine((s) => isKeyText(s.reveal()), KEY_TEXT);

  /** A secret that must be an https:// URL (chat webhooks embed their credential in the URL). */
  const secretUrl = () => secret({ check: (value) => (webUrlProblem(value) === undefined ? undefined : 'must resolve to an https:// URL') });

  /** A Standard Webhooks signing secret: shape and strength are checked, the value never echoed. */
  const webhookSecret = (options: Pick<SecretFieldOptions, 'remote'> = {}) =>
    secret({
      ...options,
      check: (value) =>
        !value.startsWith('whsec_')
          ? 'must resolve to a Standard Webhooks secret starting with whsec_'
          : decodeWebhookSecret(value) === null
            ? `must resolve to whsec_ followed by the base64 of at least ${MIN_WEBHOOK_KEY_BYTES} random bytes`
            : undefined,
    });

  /** A plain https:// URL; http:// only on loopback (local fakes in tests and demos). */
  const webUrl = () =>
    text().transform((value, ctx) => {
      const problem = webUrlProblem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return value;
    });

  /** `90s`, `30m`, `24h`, `7d` -> milliseconds, within [min, max]. */
  const duration = (min: number, max: number, belowMin?: string) =>
    z.unknown().transform((value, ctx) => {
      const problem = (message: string) => {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      };
      // z.unknown() lets a missing value through: say so like the other required fields do.
      if (value === undefined) return problem('is required');
      if (typeof value !== 'string') return problem(DURATION_MESSAGE);
      const resolved = resolveValue(value, context);
      if (!resolved.ok) return problem(resolved.message);
      const ms = parseDuration(resolved.value);
      if (ms === undefined) return problem(DURATION_MESSAGE);
      if (ms < min) return problem(belowMin ?? `must be at least ${formatDuration(min)}`);
      if (ms > max) return problem(`must be at most ${formatDuration(max)}`);
      return ms;
    });

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

  const caPem = () => text().pipe(z.string().refine(containsPemCertificate, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----...)'));

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

  return {
    text,
    nonEmpty,
    matching,
    id,
    secret,
    secretUrl,
    webhookSecret,
    webUrl,
    duration,
    keyText,
    keyFile,
    caFile,
    caPem,
    intRange,
    nodeUrl,
    endpoint,
    vaultUrl,
  };
}

export interface SecretFieldOptions {
  /** Accept `${ssm:}` / `${secretsmanager:}` (default true; false where start-up needs the value). */
  remote?: boolean;
  /** A problem with the value, worded without quoting it; checked at load, or at first use if remote. */
  check?: (value: string) => string | undefined;
}

const DURATION_MESSAGE = 'must be a duration like 90s, 30m, 24h or 7d';

/** Milliseconds of a `90s` / `30m` / `24h` / `7d` duration; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

/** The largest whole unit: 300000 -> `5m`, 90000 -> `90s`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

function webUrlProblem(value: string): string | undefined {
  const url = safeUrl(value);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) return 'must be an https:// URL';
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    return 'http:// is only allowed on loopback (127.0.0.1, localhost, [::1]): use https://';
  }
  return undefined;
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
