/** Request/response shapes the handlers use, and Vault's response conventions (Vault `http/handler.go` @ v1.14.9). */
import { randomUUID } from 'node:crypto';
import { goJson } from './go-format.ts';
import type { VaultProfile } from './profiles.ts';

export interface SimRequest {
  method: string;
  /** Path after `/v1/`, without query or trailing slash, e.g. `sys/seal-status`. */
  path: string;
  /** Raw query string without `?`. */
  rawQuery: string;
  query: URLSearchParams;
  body: string;
  /** X-Vault-Token, else the Authorization Bearer value (Vault `http/handler.go`, `vault/request_handling.go` @ v1.14.9); null when none. */
  token: string | null;
  noForwarding: boolean;
}

export interface SimResponse {
  status: number;
  /** Serialized body; undefined for no body (204, HEAD). */
  body?: string;
  headers?: Record<string, string>;
}

/** 200 with a JSON body, or 204 when there is nothing to say (respondOk). */
export function ok(body: unknown): SimResponse {
  return body === null || body === undefined ? { status: 204 } : { status: 200, body: goJson(body) };
}

export function noContent(): SimResponse {
  return { status: 204 };
}

/** `{"errors":[...]}`; no message gives the empty array Vault sends for 405s and bad params. */
export function errorResponse(status: number, ...messages: string[]): SimResponse {
  return { status, body: goJson({ errors: messages }) };
}

export const METHOD_NOT_ALLOWED: SimResponse = errorResponse(405);
export const NOT_FOUND: SimResponse = errorResponse(404);
/**
 * hashicorp/go-multierror's rendering of one error, as Vault's request handling produces it
 * (`vault/request_handling.go` handleRequest appends the token-check error to a multierror):
 * the same at 1.12 (git 4891122917^), v1.14.9, the 1.16+ code and OpenBao v2.5.0 / v2.6.2.
 */
export function multierrorText(message: string): string {
  return `1 error occurred:\n\t* ${message}\n\n`;
}

/** A missing or unknown token on a logical path. */
export const PERMISSION_DENIED: SimResponse = errorResponse(403, multierrorText('permission denied'));
/**
 * A missing or unknown token on `sys/seal` / `sys/step-down`: sealInitCommon and StepDown return
 * the bare logical.ErrPermissionDenied from fetchACLTokenEntryAndEntity (`vault/core.go`,
 * `vault/ha.go`, `vault/request_handling.go` @ v1.14.9); only a policy refusal is a multierror.
 */
export const PERMISSION_DENIED_PLAIN: SimResponse = errorResponse(403, 'permission denied');
/** A path the system backend does not know (root token, so the ACL check passed). */
export const UNSUPPORTED_PATH: SimResponse = errorResponse(404, multierrorText('unsupported path'));
export const VAULT_IS_SEALED: SimResponse = errorResponse(503, 'Vault is sealed');

/**
 * The logical-response envelope (Vault `sdk/logical/translate_response.go` HTTPResponse @ v1.14.9). `inject` copies the data keys to the top level, as
 * Vault does for `sys/ha-status` and `sys/key-status`.
 */
export function envelope(profile: VaultProfile, data: Record<string, unknown>, inject = false): SimResponse {
  const body: Record<string, unknown> = inject ? { ...data } : {};
  body['request_id'] = randomUUID();
  body['lease_id'] = '';
  body['renewable'] = false;
  body['lease_duration'] = 0;
  body['data'] = data;
  body['wrap_info'] = null;
  body['warnings'] = null;
  body['auth'] = null;
  if (profile.mountType) body['mount_type'] = 'system';
  return { status: 200, body: goJson(body) };
}
