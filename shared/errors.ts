/**
 * The one error hierarchy of sealwatch. Adapters translate SDK and transport errors into these
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

/** The thing asked for does not exist (distinct from "could not be reached"). */
export class NotFoundError extends SealwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
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

/** The caller is not allowed to do this (IAM, RBAC, Vault policy). Retrying will not help. */
export class AccessDeniedError extends SealwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('access_denied', message, options);
  }
}

/** A conditional write lost (optimistic version mismatch, item exists, lease held). */
export class ConflictError extends SealwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** Input from a user or caller is malformed. Nothing was changed. */
export class ValidationError extends SealwatchError {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = [], options?: { cause?: unknown }) {
    super('invalid_input', message, options);
    this.problems = problems;
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

/** Shares were combined and Vault rejected the result: wrong key material. Never retry. */
export class WrongKeyError extends SealwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('wrong_key', message, options);
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
