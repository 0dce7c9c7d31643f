import type { Clock } from '../../shared/ports/clock.ts';

export interface FakeClockOptions {
  /** Initial epoch ms (default 2026-01-01T00:00:00Z). */
  start?: number;
  /**
   * When true, `sleep(ms)` advances the clock by `ms` itself and resolves at once, so code
   * that backs off or polls runs without a test driving time. Default false.
   */
  autoAdvance?: boolean;
}

interface Sleeper {
  until: number;
  resolve: () => void;
}

/**
 * A Clock that only moves when told to. By default `sleep(ms)` stays pending until `advance`
 * or `set` moves time to (or past) its deadline; sleepers are woken in deadline order. With
 * `autoAdvance`, sleeping moves time forward instead. An aborted sleep rejects with
 * `signal.reason`, like systemClock.
 */
export class FakeClock implements Clock {
  #now: number;
  readonly #autoAdvance: boolean;
  #sleepers: Sleeper[] = [];

  constructor(options: FakeClockOptions = {}) {
    this.#now = options.start ?? Date.UTC(2026, 0, 1);
    this.#autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (≥ 0) and wakes every sleeper now due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance needs ms >= 0, got ${ms}`);
    this.set(this.#now + ms);
  }

  /** Jumps to `ms` (may go backwards, to simulate skew) and wakes every sleeper now due. */
  set(ms: number): void {
    this.#now = ms;
    const due = this.#sleepers.filter((s) => s.until <= ms).sort((a, b) => a.until - b.until);
    this.#sleepers = this.#sleepers.filter((s) => s.until > ms);
    for (const sleeper of due) sleeper.resolve();
  }

  /** Number of sleeps still waiting for time to move. */
  pendingSleeps(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#autoAdvance) {
      this.advance(Math.max(0, ms));
      return Promise.resolve();
    }
    const until = this.#now + Math.max(0, ms);
    if (until <= this.#now) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        until,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
