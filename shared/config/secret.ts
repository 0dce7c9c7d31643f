import { AccessDeniedError, ConfigError, NotFoundError, SealwatchError, UnavailableError } from '../errors.ts';
import { describeReference, type RemoteSecretReference, type RemoteSecretResolver } from './references.ts';

export type { RemoteSecretReference, RemoteSecretResolver };

const REDACTED = '[secret]';

/** Remote values are re-read after this long, so a rotated secret is picked up without a restart. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export interface LazySecretOptions {
  reference: RemoteSecretReference;
  /** Undefined when no resolver was configured: `value()` then fails with a ConfigError. */
  resolve: RemoteSecretResolver | undefined;
  /** Milliseconds since the epoch (a Clock's `now`). */
  now: () => number;
  ttlMs?: number;
  /** Checks a resolved value; returns a problem that never quotes the value, or undefined. */
  check?: (value: string) => string | undefined;
}

interface Lazy {
  options: LazySecretOptions;
  label: string;
  cached?: { value: string; until: number };
  inFlight?: Promise<string>;
}

/**
 * A secret from the configuration (a local key, a client secret, a token, a webhook URL).
 *
 * Eager secrets (`${env:}`, `${file:}`) hold their value from load time; lazy ones (`${ssm:}`,
 * `${secretsmanager:}`) fetch it at first use and keep it for a TTL. Values live in private
 * fields, so `JSON.stringify`, `util.inspect`, template literals and test-runner diffs all print
 * `[secret]`. Only `reveal()` and `value()` hand the value out, which keeps every use greppable.
 */
export class Secret {
  #value: string | undefined;
  #lazy: Lazy | undefined;

  constructor(value: string) {
    this.#value = value;
  }

  /** A secret resolved on first `value()`; the reference (a name, never a value) is kept for messages. */
  static lazy(options: LazySecretOptions): Secret {
    const secret = new Secret('');
    secret.#value = undefined;
    secret.#lazy = { options, label: describeReference(options.reference) };
    return secret;
  }

  /** True for `${ssm:}` / `${secretsmanager:}` secrets, which only `value()` can read. */
  get isLazy(): boolean {
    return this.#lazy !== undefined;
  }

  /** The remote reference of a lazy secret (safe to show), undefined for an eager one. */
  get reference(): RemoteSecretReference | undefined {
    return this.#lazy?.options.reference;
  }

  /**
   * The value of an eager secret. Call at the point of use only; never log or persist it.
   * @throws SealwatchError (`secret_lazy`) for a lazy secret: use `await value()` there.
   */
  reveal(): string {
    if (this.#lazy !== undefined) throw lazyReveal(this.#lazy.label);
    return this.#value ?? '';
  }

  /**
   * The value, for both kinds. A lazy secret resolves once per TTL; concurrent callers share one
   * fetch; failures are not cached.
   * @throws NotFoundError, AccessDeniedError or UnavailableError naming the reference; ConfigError
   *   when no resolver is configured or the value fails its check.
   */
  value(): Promise<string> {
    if (this.#lazy === undefined) return Promise.resolve(this.#value ?? '');
    return resolveLazy(this.#lazy);
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}

function lazyReveal(label: string): SealwatchError {
  return new SealwatchError('secret_lazy', `secret ${label} is resolved at run time: read it with await secret.value(), not reveal()`);
}

function resolveLazy(lazy: Lazy): Promise<string> {
  const { options, label } = lazy;
  const cached = lazy.cached;
  if (cached !== undefined && options.now() < cached.until) return Promise.resolve(cached.value);
  if (lazy.inFlight !== undefined) return lazy.inFlight;
  const resolve = options.resolve;
  if (resolve === undefined) {
    return Promise.reject(new ConfigError([{ path: '', message: `secret ${label} cannot be resolved: no SSM / Secrets Manager resolver is configured` }]));
  }
  const fetching = (async () => {
    let value: string;
    try {
      value = await resolve(options.reference);
    } catch (error) {
      throw translate(error, label);
    }
    const problem = value === '' ? 'is empty' : options.check?.(value);
    if (problem !== undefined) throw new ConfigError([{ path: '', message: `secret ${label} ${problem}` }]);
    lazy.cached = { value, until: options.now() + (options.ttlMs ?? DEFAULT_SECRET_TTL_MS) };
    return value;
  })();
  lazy.inFlight = fetching;
  // Cleared on either outcome, so a failure is retried by the next caller rather than cached.
  const clear = () => {
    if (lazy.inFlight === fetching) delete lazy.inFlight;
  };
  fetching.then(clear, clear);
  return fetching;
}

/** Our errors pass through when they already name the reference; anything else is summarised. */
function translate(error: unknown, label: string): SealwatchError {
  const known = error instanceof NotFoundError || error instanceof AccessDeniedError || error instanceof UnavailableError || error instanceof ConfigError;
  if (known && error.message.includes(label)) return error;
  if (error instanceof NotFoundError) return new NotFoundError(`secret ${label} does not exist`, { cause: error });
  if (error instanceof AccessDeniedError) return new AccessDeniedError(`secret ${label}: access denied`, { cause: error });
  if (error instanceof ConfigError) return error;
  // No cause for foreign errors: their messages are not ours to vouch for.
  return new UnavailableError(`secret ${label} could not be read`, error instanceof UnavailableError ? { cause: error } : {});
}
