import type { z } from 'zod';
import { VaultApiError, VaultUnreachableError } from '../errors.ts';
import { describeSchemaMismatch, vaultErrorSchema } from './vault-http-schemas.ts';
import type { TransportResponse } from './vault-http-transport.ts';

/** What the decoder needs to know about the call that produced an answer. */
export interface AnswerContext {
  /** `METHOD URL` for messages. */
  label: string;
  /** `/v1/...` for {@link VaultApiError}. */
  path: string;
  /** Values sent in this call (token, key) that must never come back in an error. */
  secrets: readonly string[];
}

export function isSuccess(res: TransportResponse): boolean {
  return res.status >= 200 && res.status <= 299;
}

/** Decodes a JSON body with `schema`; a non-JSON or mismatching body means "not Vault". */
export function parseAnswer<S extends z.ZodType>(
  ctx: AnswerContext,
  res: TransportResponse,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    const what =
      res.body.length === 0
        ? 'an empty body'
        : `a body that is not JSON (${res.contentType || 'no content type'})`;
    throw new VaultUnreachableError(
      'bad-response',
      `${ctx.label}: answer ${res.status} has ${what}; is this a Vault server?`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new VaultUnreachableError(
      'bad-response',
      `${ctx.label}: answer ${res.status} does not match the Vault API (${describeSchemaMismatch(parsed.error)})`,
    );
  }
  return parsed.data;
}

/** Vault's `errors` texts when the body is a Vault error answer, else undefined. */
export function vaultErrors(ctx: AnswerContext, res: TransportResponse): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = vaultErrorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  // Vault never echoes keys or tokens; a hostile server might, in any encoding, so every form
  // of what we sent is cut out anyway.
  const forms = ctx.secrets.filter((s) => s.length > 0).flatMap(encodingsOf);
  forms.sort((a, b) => b.length - a.length);
  return (parsed.data.errors ?? []).map((text) => forms.reduce((t, form) => t.split(form).join('[redacted]'), text));
}

/** A secret as sent plus the other texts of the same bytes: hex in both cases, base64(url). */
export function encodingsOf(secret: string): string[] {
  const forms = new Set([secret, secret.toLowerCase(), secret.toUpperCase()]);
  const bytes = /^(?:[0-9a-fA-F]{2})+$/.test(secret)
    ? Buffer.from(secret, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(secret) && secret.length >= 16
      ? Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
      : null;
  if (bytes && bytes.length >= 8) {
    const b64 = bytes.toString('base64');
    for (const form of [bytes.toString('hex'), bytes.toString('hex').toUpperCase(), b64, b64.replace(/=+$/, ''), bytes.toString('base64url')]) forms.add(form);
  }
  return [...forms];
}

/** The error for an answer the endpoint does not expect: Vault's own, or "not Vault". */
export function errorForAnswer(ctx: AnswerContext, res: TransportResponse): Error {
  const errors = vaultErrors(ctx, res);
  if (errors !== undefined) return new VaultApiError(res.status, errors, ctx.path);
  const body =
    res.body.length === 0
      ? 'no body'
      : `a non-Vault body (${res.contentType || 'no content type'})`;
  return new VaultUnreachableError(
    'bad-response',
    `${ctx.label}: unexpected status ${res.status} with ${body}; is this a Vault server?`,
  );
}
