/**
 * Results kept for `ttlMs` by key, with concurrent loads of one key shared: many clusters
 * using one wrapper cost one provider call per period. Failed loads are not kept.
 */
export interface TtlCache<T> {
  get(key: string, load: () => Promise<T>): Promise<T>;
}

export function createTtlCache<T>(options: { ttlMs: number; now: () => number }): TtlCache<T> {
  if (!(options.ttlMs >= 0)) throw new RangeError('ttlMs must be >= 0');
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key, load) {
      const now = options.now();
      const entry = entries.get(key);
      if (entry && now - entry.at < options.ttlMs) return entry.value;
      const value = load();
      entries.set(key, { at: now, value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
  };
}
