import type { z } from 'zod';
import { createRedactor, memoizeRedactor, redactDeep } from '../core/redact.ts';
import { VaultApiError, VaultUnreachableError } from '../errors.ts';
import { describeSchemaMismatch, vaultErrorSchema } from './vault-http-schemas.ts';
import type { TransportResponse } from './vault-http-transport.ts';

/** What the decoder needs to know about the call that produced an answer. */
export interface AnswerContext {
  /** `METHOD URL` for messages. */
  label: string;
  /** `/v1/...` for {@link VaultApiError}. */
  path: string;
  /** Values sent in this call (token, key) and other known secrets that must never come back. */
  secrets: readonly string[];
  /** The answer is a secret by design (`sys/init`, a login): its fields are returned unfiltered. */
  keepSecrets?: boolean;
}

/**
 * The filter every text a node sends goes through (see `shared/core/redact.ts`): real Vault never
 * echoes a key or token, a node that merely holds a certificate from the cluster CA might.
 */
function redactorOf(ctx: AnswerContext): (text: string) => string {
  const secrets = ctx.secrets.filter((s) => s.length > 0);
  // Most calls (every sweep's health and seal-status) send no secret: one shared filter for
  // them, which remembers its answers for the field names and values every node repeats.
  return secrets.length === 0 ? noSecretRedactor : createRedactor(secrets);
}
const noSecretRedactor = memoizeRedactor(createRedactor());

export function isSuccess(res: TransportResponse): boolean {
  return res.status >= 200 && res.status <= 299;
}

/**
 * A decoder that reads an answer without zod: returns the value `schema` would, or undefined for
 * anything it does not accept (then the schema decides and words the error).
 */
export type FastDecoder<T> = (json: unknown, redact: (text: string) => string) => T | undefined;

/**
 * Decodes a JSON body with `schema`; a non-JSON or mismatching body means "not Vault". With
 * `fast`, an answer the fast decoder accepts skips the schema (the hot sweep answers).
 */
export function parseAnswer<S extends z.ZodType>(ctx: AnswerContext, res: TransportResponse, schema: S, fast?: FastDecoder<z.output<S>>): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(res.body.toString('utf8'));
  } catch {
    const what = res.body.length === 0 ? 'an empty body' : `a body that is not JSON (${res.contentType || 'no content type'})`;
    throw new VaultUnreachableError('bad-response', redactorOf(ctx)(`${ctx.label}: answer ${res.status} has ${what}; is this a Vault server?`));
  }
  const redact = redactorOf(ctx);
  if (fast && !ctx.keepSecrets) {
    const decoded = fast(json, redact);
    if (decoded !== undefined) return decoded;
  }
  const parsed = schema.safeParse(ctx.keepSecrets ? json : redactDeep(json, redact));
  if (!parsed.success) {
    throw new VaultUnreachableError(
      'bad-response',
      redact(`${ctx.label}: answer ${res.status} does not match the Vault API (${describeSchemaMismatch(parsed.error)})`),
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
  // Vault never echoes keys or tokens; a hostile server might, in any encoding.
  const redact = redactorOf(ctx);
  return (parsed.data.errors ?? []).map(redact);
}

/** The error for an answer the endpoint does not expect: Vault's own, or "not Vault". */
export function errorForAnswer(ctx: AnswerContext, res: TransportResponse): Error {
  const errors = vaultErrors(ctx, res);
  if (errors !== undefined) return new VaultApiError(res.status, errors, ctx.path);
  const body = res.body.length === 0 ? 'no body' : `a non-Vault body (${res.contentType || 'no content type'})`;
  return new VaultUnreachableError('bad-response', redactorOf(ctx)(`${ctx.label}: unexpected status ${res.status} with ${body}; is this a Vault server?`));
}
