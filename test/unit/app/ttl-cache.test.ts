import { describe, expect, it } from 'vitest';
import { createTtlCache } from '../../../shared/app/inspectors/ttl-cache.ts';

describe('createTtlCache', () => {
  it('shares concurrent loads, keeps results for the ttl, reloads after it, and forgets failures', async () => {
    let now = 0;
    let loads = 0;
    const cache = createTtlCache<number>({ ttlMs: 1000, now: () => now });
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('b', load)).toBe(2);
    now = 1000;
    expect(await cache.get('a', load)).toBe(3);
    await expect(cache.get('c', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('c', load)).toBe(4);
  });
});
