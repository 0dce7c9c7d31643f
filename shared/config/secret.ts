const REDACTED = '[secret]';

/**
 * A resolved secret from the configuration (a local key, a client secret, a token).
 *
 * The value lives in a private field, so `JSON.stringify`, `util.inspect`, template literals and
 * test-runner diffs all print `[secret]`. Only `reveal()` hands the value out, which makes every
 * use of a secret greppable.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Call at the point of use only; never log or persist the result. */
  reveal(): string {
    return this.#value;
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
