import { describe, expect, it } from 'vitest';
import { unwatch, watch, type Waiter } from '../../../shared/adapters/signal-waiters.ts';

// The list of requests waiting on each deadline signal (shared/adapters/signal-waiters.ts), checked
// against a plain model: which waiter waits on which signal.

interface TestWaiter extends Waiter {
  name: number;
  told: number;
  /** Run inside onAbort, after counting. */
  alsoDo?: () => void;
}

function waiter(name: number): TestWaiter {
  const w: TestWaiter = {
    name,
    told: 0,
    list: null,
    at: -1,
    onAbort() {
      w.told += 1;
      w.alsoDo?.();
    },
  };
  return w;
}

/** Every waiting waiter sits where it says, in the list of its signal, and nothing else is there. */
function expectConsistent(lists: Map<AbortSignal, Waiter[]>, model: Map<TestWaiter, AbortSignal>): void {
  for (const [w, signal] of model) {
    expect(w.list).toBe(lists.get(signal));
    expect(w.list?.[w.at]).toBe(w);
  }
  for (const [signal, list] of lists) {
    const expected = [...model].filter(([, s]) => s === signal).map(([w]) => w.name);
    expect(list.map((w) => (w as TestWaiter).name).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  }
}

/** A small deterministic generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('signal waiters', () => {
  it('random watch / unwatch / abort sequences agree with the model: each waiter still waiting is told once, no other', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const next = random(seed);
      const controllers = [new AbortController(), new AbortController(), new AbortController()];
      const lists = new Map<AbortSignal, Waiter[]>();
      const model = new Map<TestWaiter, AbortSignal>();
      const expectedTold = new Map<TestWaiter, number>();
      const all: TestWaiter[] = [];
      for (let step = 0; step < 300; step += 1) {
        const roll = next();
        if (roll < 0.55 || all.length === 0) {
          const live = controllers.filter((c) => !c.signal.aborted);
          if (live.length === 0) break;
          const { signal } = live[Math.floor(next() * live.length)] as AbortController;
          const w = waiter(all.length);
          all.push(w);
          expectedTold.set(w, 0);
          watch(signal, w);
          lists.set(signal, w.list as Waiter[]);
          model.set(w, signal);
        } else if (roll < 0.97) {
          // Any waiter, waiting or not: unwatching one that is not waiting changes nothing.
          const w = all[Math.floor(next() * all.length)] as TestWaiter;
          unwatch(w);
          model.delete(w);
          expect(w.list).toBeNull();
          expect(w.at).toBe(-1);
        } else {
          const controller = controllers[Math.floor(next() * controllers.length)] as AbortController;
          if (controller.signal.aborted) continue;
          for (const [w, signal] of model) {
            if (signal !== controller.signal) continue;
            expectedTold.set(w, 1);
            model.delete(w);
          }
          controller.abort();
          expect(lists.get(controller.signal) ?? []).toEqual([]);
          lists.delete(controller.signal);
        }
        expectConsistent(lists, model);
      }
      for (const controller of controllers) {
        if (controller.signal.aborted) continue;
        for (const [w, signal] of model) if (signal === controller.signal) expectedTold.set(w, 1);
        controller.abort();
      }
      for (const w of all) expect({ seed, name: w.name, told: w.told }).toEqual({ seed, name: w.name, told: expectedTold.get(w) });
    }
  });

  it('removing from the front, the middle and the end keeps the others in place, and the list empties', () => {
    const controller = new AbortController();
    const ws = [0, 1, 2, 3, 4, 5].map(waiter);
    for (const w of ws) watch(controller.signal, w);
    const list = ws[0]?.list as Waiter[];
    for (const gone of [ws[2], ws[0], ws[5], ws[3]] as TestWaiter[]) {
      unwatch(gone);
      for (const w of list) expect(list[w.at]).toBe(w);
    }
    expect(list.map((w) => (w as TestWaiter).name).sort()).toEqual([1, 4]);
    unwatch(ws[1] as TestWaiter);
    unwatch(ws[4] as TestWaiter);
    expect(list).toHaveLength(0);
    controller.abort();
    for (const w of ws) expect(w.told).toBe(0);
  });

  it('a waiter whose onAbort unwatches another does not keep that one from being told', () => {
    const controller = new AbortController();
    const [a, b, c] = [waiter(0), waiter(1), waiter(2)];
    a.alsoDo = () => {
      unwatch(b);
      unwatch(a);
    };
    for (const w of [a, b, c]) watch(controller.signal, w);
    controller.abort();
    expect([a.told, b.told, c.told]).toEqual([1, 1, 1]);
  });

  it('a signal that has aborted already tells the waiter at once and keeps nothing', () => {
    const controller = new AbortController();
    controller.abort();
    const w = waiter(0);
    watch(controller.signal, w);
    expect(w.told).toBe(1);
    expect(w.list).toBeNull();
    expect(w.at).toBe(-1);
    unwatch(w);
    expect(w.told).toBe(1);
  });

  it('a waiter moved on to a second signal waits on that one only', () => {
    const first = new AbortController();
    const second = new AbortController();
    const w = waiter(0);
    watch(first.signal, w);
    unwatch(w);
    watch(second.signal, w);
    first.abort();
    expect(w.told).toBe(0);
    second.abort();
    expect(w.told).toBe(1);
  });
});
