import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSharedDeadlines } from '../../../shared/app/shared-deadlines.ts';

describe('shared deadlines', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('gives calls that start within one window the same signal, and a later call a new one', () => {
    const deadlines = createSharedDeadlines({ timeoutMs: 1000, stepMs: 50 });
    const first = deadlines.signal();
    vi.advanceTimersByTime(49);
    expect(deadlines.signal()).toBe(first);
    vi.advanceTimersByTime(1);
    const second = deadlines.signal();
    expect(second).not.toBe(first);
    deadlines.close();
  });

  it('aborts with a TimeoutError no sooner than the timeout after the last call of the window, and no later than timeout + step after the first', () => {
    const deadlines = createSharedDeadlines({ timeoutMs: 1000, stepMs: 50 });
    const signal = deadlines.signal();
    vi.advanceTimersByTime(49);
    expect(deadlines.signal()).toBe(signal); // the latest start in this window: t = 49
    vi.advanceTimersByTime(1000); // t = 1049: 1000 ms after the latest start
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1); // t = 1050 = timeout + step after the first start
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('leaves no timer behind once closed, and the signals it gave stay unaborted', () => {
    const deadlines = createSharedDeadlines({ timeoutMs: 1000 });
    const signal = deadlines.signal();
    vi.advanceTimersByTime(60);
    deadlines.signal();
    expect(vi.getTimerCount()).toBe(2);
    deadlines.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(signal.aborted).toBe(false);
  });

  it('does not warn about many listeners on one signal (one per call in flight)', async () => {
    const warn = vi.fn();
    process.on('warning', warn);
    const deadlines = createSharedDeadlines({ timeoutMs: 1000 });
    const signal = deadlines.signal();
    for (let i = 0; i < 64; i += 1) signal.addEventListener('abort', () => undefined);
    deadlines.close();
    // Node emits the warning on a later tick.
    await new Promise<void>((resolve) => setImmediate(resolve));
    process.off('warning', warn);
    expect(warn).not.toHaveBeenCalled();
  });
});
