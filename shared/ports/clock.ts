/** Time, injected so the core and tests never read the wall clock themselves. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` (tests may advance instantly). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
