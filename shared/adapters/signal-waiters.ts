/**
 * The requests waiting on each abort signal, so that one listener per signal ends them all.
 * A sweep's nodes share deadline signals (`shared/app/shared-deadlines.ts`): a listener added and
 * removed per request cost more than this list.
 *
 * The waiters are kept in an array, each knowing its index, and removed by moving the last one into
 * the gap; not in a `Set`: a `Set` that thousands of requests enter and leave made V8's
 * young-generation collections about four times as long (20 passes of the HTTP transport alone
 * over 1,000 nodes: 390 ms in 56 scavenges against 143–166 ms in 47–50; `--trace-gc`, Node 20.20).
 */

/** Something waiting on a signal. `list` and `at` belong to this module: where it sits, if anywhere. */
export interface Waiter {
  onAbort(): void;
  /** The signal's list it is in; null when it is not waiting. */
  list: Waiter[] | null;
  /** Its index in `list`; -1 when it is not waiting. */
  at: number;
}

const waitingOn = new WeakMap<AbortSignal, Waiter[]>();

/**
 * Calls `waiter.onAbort()` once when `signal` aborts, unless {@link unwatch} comes first; at once
 * if it has aborted already. A waiter waits on one signal at a time.
 */
export function watch(signal: AbortSignal, waiter: Waiter): void {
  if (signal.aborted) {
    waiter.onAbort();
    return;
  }
  let list = waitingOn.get(signal);
  if (!list) {
    const created: Waiter[] = [];
    list = created;
    waitingOn.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        // Every waiter stops waiting before any is told: an onAbort that unwatches (its own or
        // another's) then changes nothing, and none is skipped.
        const all = created.splice(0);
        for (const each of all) {
          each.list = null;
          each.at = -1;
        }
        for (const each of all) each.onAbort();
      },
      { once: true },
    );
  }
  waiter.list = list;
  waiter.at = list.length;
  list.push(waiter);
}

/** Stops `waiter` waiting; nothing if it is not waiting (never watched, already unwatched, aborted). */
export function unwatch(waiter: Waiter): void {
  const { list } = waiter;
  if (list === null) return;
  const last = list.pop() as Waiter;
  if (last !== waiter) {
    list[waiter.at] = last;
    last.at = waiter.at;
  }
  waiter.list = null;
  waiter.at = -1;
}
