import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../shared/app/map-limit.ts';

describe('mapLimit', () => {
  it('keeps input order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await mapLimit([30, 10, 20, 5, 15, 25], 2, async (ms, i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight -= 1;
      return i * 10;
    });
    expect(result).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });

  it('handles an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it('rethrows the first failure after in-flight calls settle', async () => {
    const settled: number[] = [];
    await expect(
      mapLimit([1, 2, 3], 3, async (n) => {
        await new Promise((r) => setTimeout(r, n * 5));
        settled.push(n);
        if (n === 1) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(settled.sort()).toEqual([1, 2, 3]);
  });
});
