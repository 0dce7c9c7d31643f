/**
 * The one error hierarchy of sealwatch (shared/errors.ts re-exports it). Adapters translate SDK and transport errors into these
 * classes at their edge; nothing else inspects SDK errors. Messages must never contain key
 * material, tokens or unwrapped keys: callers put identifiers (cluster, node, share index,
 * wrapper id) in messages, never values.
 */
export class SealwatchError extends Error {
  /** Stable machine-readable code, used in API error bodies and CLI output. */
  readonly code: string;
  /** What the reader can do about it (the CLI prints it after the message); never secret. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

/**
 * What is missing, when an entry point can say how to create it: `custody` (no shares stored for
 * the cluster), `vault-token` (no control token stored for the cluster).
 */
export type MissingThing = 'custody' | 'vault-token';

/** The thing asked for does not exist (distinct from "could not be reached"). */
export class NotFoundError extends SealwatchError {
  readonly missing: MissingThing | undefined;
  constructor(message: string, options?: { cause?: unknown; missing?: MissingThing }) {
    super('not_found', message, options);
    this.missing = options?.missing;
  }
}

/** A dependency could not be reached or answered with a transient failure; retrying may help. */
export class UnavailableError extends SealwatchError {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown; code?: string; hint?: string }) {
    super(options?.code ?? 'unavailable', message, options);
  }
}

/** Throttled by a provider; retry later (a kind of Unavailable). */
export class ThrottledError extends UnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'throttled' });
  }
}

/** Why access was refused: a policy said no, or there were no valid credentials to ask with. */
export type AccessDeniedReason = 'denied' | 'credentials';

/** The caller is not allowed to do this (IAM, RBAC, Vault policy). Retrying will not help. */
export class AccessDeniedError extends SealwatchError {
  readonly reason: AccessDeniedReason;
  constructor(message: string, options?: { cause?: unknown; hint?: string; reason?: AccessDeniedReason }) {
    super('access_denied', message, options);
    this.reason = options?.reason ?? 'denied';
  }
}

/**
 * Why a write or an operation conflicts with what is there, in domain terms; entry points map
 * these to their own words (the CLI to flags such as `--replace`, the API to codes).
 * - `write-condition`: an optimistic write lost (version mismatch, item exists);
 * - `changed-concurrently`: what this operation read changed while it ran; running it again helps;
 * - `lease-held`: another operation holds the cluster's lease; trying again shortly helps;
 * - `custody-exists`: the cluster already has custody, and replacing it was not asked for;
 * - `custody-partial`: a custody write stopped half-way; running the same write again completes it (a
 *   first import as it was, a replacement again as a replacement);
 * - `shares-differ`: the shares rebuild another key than the custody they would replace, and a
 *   rekey was not declared;
 * - `already-initialized`: the cluster was initialized already.
 */
export type ConflictReason =
  | 'write-condition'
  | 'changed-concurrently'
  | 'lease-held'
  | 'custody-exists'
  | 'custody-partial'
  | 'shares-differ'
  | 'already-initialized';

/** The code of each reason: reasons a caller acts on differently get their own. */
const CONFLICT_CODES: Record<ConflictReason, string> = {
  'write-condition': 'conflict',
  'changed-concurrently': 'conflict',
  'lease-held': 'conflict',
  'custody-exists': 'custody_exists',
  'custody-partial': 'custody_partial',
  'shares-differ': 'key_changed',
  'already-initialized': 'already_initialized',
};

/** A conditional write lost or the state forbids the operation as asked; `reason` says which. */
export class ConflictError extends SealwatchError {
  readonly reason: ConflictReason;
  constructor(message: string, options?: { cause?: unknown; hint?: string; reason?: ConflictReason }) {
    const reason = options?.reason ?? 'write-condition';
    super(CONFLICT_CODES[reason], message, options);
    this.reason = reason;
  }
}

/**
 * Input from a user or caller is malformed. Nothing was changed. `field` names the request field
 * at fault in the application's terms (`threshold`, `storeRootToken`), for entry points to map to
 * their own (a CLI flag, a JSON property).
 */
export class ValidationError extends SealwatchError {
  readonly problems: readonly string[];
  readonly field: string | undefined;
  constructor(message: string, problems: readonly string[] = [], options?: { cause?: unknown; field?: string }) {
    super('invalid_input', message, options);
    this.problems = problems;
    this.field = options?.field;
  }
}

/** One configuration problem: where (dotted path) and why. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** The configuration is invalid. Carries every problem found, not just the first. */
export class ConfigError extends SealwatchError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source = 'configuration') {
    super(
      'config_invalid',
      `${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** Why a Vault node could not be observed. */
export type UnreachableReason = 'timeout' | 'refused' | 'tls' | 'bad-response' | 'too-large';

/** A Vault node could not be reached or did not speak Vault's API. */
export class VaultUnreachableError extends UnavailableError {
  readonly reason: UnreachableReason;
  constructor(reason: UnreachableReason, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: `vault_${reason.replace('-', '_')}` });
    this.reason = reason;
  }
}

/**
 * Vault answered with an error status and `{"errors":[...]}`. `errors` are Vault's own texts
 * (they never contain key material: Vault does not echo submitted keys).
 */
export class VaultApiError extends SealwatchError {
  readonly status: number;
  readonly errors: readonly string[];
  constructor(status: number, errors: readonly string[], path: string) {
    super('vault_error', `Vault answered ${status} on ${path}${errors.length ? `: ${errors.join('; ')}` : ''}`);
    this.status = status;
    this.errors = errors;
  }
}

/** Why a key (custody wrapper or auto-unseal key) cannot be used. */
export type KeyUnusableReason = 'disabled' | 'pending-deletion' | 'pending-import' | 'unavailable';

/** The key exists but its state forbids use (disabled, pending deletion...). */
export class KeyUnusableError extends SealwatchError {
  readonly reason: KeyUnusableReason;
  constructor(reason: KeyUnusableReason, message: string, options?: { cause?: unknown }) {
    super(`key_${reason.replace('-', '_')}`, message, options);
    this.reason = reason;
  }
}

/** A ciphertext could not be decrypted: tampered blob, wrong key or wrong context. */
export class CiphertextInvalidError extends SealwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ciphertext_invalid', message, options);
  }
}

/** True for errors where retrying later may succeed. */
export function isRetryable(error: unknown): boolean {
  return error instanceof UnavailableError;
}

/** A message safe to show: our own errors keep theirs; anything else is summarised by class. */
export function describeError(error: unknown): string {
  if (error instanceof SealwatchError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
