import { setMaxListeners } from 'node:events';

/**
 * Deadlines shared by calls that start close together. A sweep of a thousand nodes gave every
 * node its own AbortController and timer, and creating those cost about a tenth of the time the
 * two HTTP calls took. Here the calls that start within one `stepMs` window share a signal, which
 * aborts `timeoutMs` after the window closes: every call gets at least its full timeout, and at
 * most `stepMs` more.
 */
export interface SharedDeadlines {
  /** A signal that aborts no sooner than `timeoutMs` from now, and no later than `timeoutMs + stepMs`. */
  signal(): AbortSignal;
  /** Clears the pending timers (a Lambda handler must not return with timers left behind). */
  close(): void;
}

/** Windows of 50 ms: small beside a per-node timeout of seconds, wide beside one call's start. */
const DEFAULT_STEP_MS = 50;

export function createSharedDeadlines(options: { timeoutMs: number; stepMs?: number }): SharedDeadlines {
  const step = options.stepMs ?? DEFAULT_STEP_MS;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let current: { signal: AbortSignal; openUntil: number } | undefined;
  return {
    signal() {
      // Real time, like the timers themselves (the injected clock may be a test's frozen one).
      const at = performance.now();
      if (current === undefined || at >= current.openUntil) {
        const controller = new AbortController();
        // Callers may add a listener per call in flight on this signal (the Vault transport adds
        // one per signal, other clients one per call), up to the sweep's concurrency: not a leak,
        // so Node's warning past 10 listeners is turned off for it.
        setMaxListeners(0, controller.signal);
        const timer = setTimeout(() => {
          timers.delete(timer);
          controller.abort(new DOMException('deadline', 'TimeoutError'));
        }, step + options.timeoutMs);
        timers.add(timer);
        current = { signal: controller.signal, openUntil: at + step };
      }
      return current.signal;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      current = undefined;
    },
  };
}
