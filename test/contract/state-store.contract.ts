import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../shared/errors.ts';
import type { StateItem, StateStore } from '../../shared/ports/state-store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { countingStore, type CountingStore } from '../../shared/app/counting-store.ts';

/** Builds a fresh store reading time from `clock`; called once per test. */
export type StateStoreFactory = (clock: FakeClock) => Promise<StateStore> | StateStore;

/**
 * The guarantees of the StateStore port (shared/ports/state-store.ts), run against every
 * implementation. Each test gets a new store (so write counts start at 0) and its own partition
 * keys, so stores backed by one shared table do not see each other's items.
 */
export function describeStateStoreContract(name: string, factory: StateStoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    let clock: FakeClock;
    let store: CountingStore;
    let pk: string;
    const nowSeconds = (): number => Math.floor(clock.now() / 1000);

    beforeEach(async () => {
      clock = new FakeClock();
      // Writes are counted by the decorator the sweep report uses, over each implementation.
      store = countingStore(await factory(clock));
      pk = `CLUSTER#${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('returns null for an item never written', async () => {
      expect(await store.get(pk, 'STATE')).toBeNull();
    });

    it('puts, then gets the same data with version 1, and counts the write', async () => {
      const data = { phase: 'sealed', nodes: ['a', 'b'], nested: { n: 3, ok: true, none: null } };
      const put = await store.put({ pk, sk: 'STATE', data, condition: { kind: 'any' } });
      expect(put).toEqual({ pk, sk: 'STATE', version: 1, data });
      expect(await store.get(pk, 'STATE')).toEqual({ pk, sk: 'STATE', version: 1, data });
      expect(store.writeCount()).toBe(1);
    });

    it('keeps unicode and large-but-allowed data intact', async () => {
      const data = { text: 'Zürich ✓ 日本 🔐', blob: 'x'.repeat(300 * 1024) };
      await store.put({ pk, sk: 'BIG', data, condition: { kind: 'any' } });
      expect((await store.get(pk, 'BIG'))?.data).toEqual(data);
    });

    it('does not share objects with the caller', async () => {
      const data = { list: [1, 2] };
      await store.put({ pk, sk: 'STATE', data, condition: { kind: 'any' } });
      data.list.push(3);
      const read = await store.get<{ list: number[] }>(pk, 'STATE');
      expect(read?.data.list).toEqual([1, 2]);
    });

    it('increments the version on every write and replaces the data', async () => {
      await store.put({ pk, sk: 'STATE', data: { n: 1 }, condition: { kind: 'any' } });
      const second = await store.put({ pk, sk: 'STATE', data: { n: 2 }, condition: { kind: 'any' } });
      const third = await store.put({ pk, sk: 'STATE', data: { n: 3 }, condition: { kind: 'version', version: 2 } });
      expect([second.version, third.version]).toEqual([2, 3]);
      expect(await store.get(pk, 'STATE')).toEqual({ pk, sk: 'STATE', version: 3, data: { n: 3 } });
      expect(store.writeCount()).toBe(3);
    });

    it('rejects a stale version with ConflictError and leaves the item and count alone', async () => {
      await store.put({ pk, sk: 'STATE', data: { n: 1 }, condition: { kind: 'any' } });
      await store.put({ pk, sk: 'STATE', data: { n: 2 }, condition: { kind: 'version', version: 1 } });
      await expect(store.put({ pk, sk: 'STATE', data: { n: 99 }, condition: { kind: 'version', version: 1 } })).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get(pk, 'STATE')).toMatchObject({ version: 2, data: { n: 2 } });
      expect(store.writeCount()).toBe(2);
    });

    it('rejects a version condition on a missing item', async () => {
      await expect(store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'version', version: 1 } })).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get(pk, 'STATE')).toBeNull();
    });

    it('lets exactly one of many concurrent absent-puts win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put({ pk, sk: 'ONCE', data: { i }, condition: { kind: 'absent' } })));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const winner = (won[0] as PromiseFulfilledResult<StateItem<{ i: number }>>).value;
      expect((await store.get(pk, 'ONCE'))?.data).toEqual(winner.data);
      expect(store.writeCount()).toBe(1);
    });

    it('lets exactly one of two writers with the same version win', async () => {
      await store.put({ pk, sk: 'STATE', data: { n: 0 }, condition: { kind: 'any' } });
      const results = await Promise.allSettled([1, 2].map((n) => store.put({ pk, sk: 'STATE', data: { n }, condition: { kind: 'version', version: 1 } })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.get(pk, 'STATE'))?.version).toBe(2);
    });

    it('reads many items at once, in key order, across the 100-key batch limit, with nulls for missing, expired and repeated keys', async () => {
      for (let i = 0; i < 120; i++) {
        await store.put({ pk: `CLUSTER#c${i}`, sk: 'STATE', data: { i }, condition: { kind: 'any' } });
      }
      await store.put({ pk: 'CLUSTER#gone', sk: 'STATE', data: { x: 1 }, expiresAt: nowSeconds() + 1, condition: { kind: 'any' } });
      clock.advance(2_000);
      const keys = [
        ...Array.from({ length: 120 }, (_, i) => ({ pk: `CLUSTER#c${119 - i}`, sk: 'STATE' })),
        { pk: 'CLUSTER#missing', sk: 'STATE' },
        { pk: 'CLUSTER#gone', sk: 'STATE' },
        { pk: 'CLUSTER#c7', sk: 'STATE' },
      ];
      const items = await store.getMany<{ i: number }>(keys);
      expect(items).toHaveLength(123);
      expect(items.slice(0, 120).map((it) => it?.data.i)).toEqual(Array.from({ length: 120 }, (_, i) => 119 - i));
      expect(items[120]).toBeNull();
      expect(items[121]).toBeNull();
      expect(items[122]?.data.i).toBe(7);
      expect(items[0]?.version).toBe(1);
      expect(await store.getMany([])).toEqual([]);
    });

    it('versions: each item’s current version without its data, null when missing or expired, in key order', async () => {
      for (let i = 0; i < 120; i++) await store.put({ pk: `${pk}-${i}`, sk: 'STATE', data: { i }, condition: { kind: 'any' } });
      await store.put({ pk: `${pk}-1`, sk: 'STATE', data: { i: 1, again: true }, condition: { kind: 'any' } });
      await store.putMany([{ pk: `${pk}-2`, sk: 'STATE', data: { batched: true } }]);
      await store.put({ pk: `${pk}-gone`, sk: 'STATE', data: {}, expiresAt: nowSeconds() + 1, condition: { kind: 'any' } });
      await store.put({ pk: `${pk}-later`, sk: 'STATE', data: {}, expiresAt: nowSeconds() + 3600, condition: { kind: 'any' } });
      clock.advance(2_000);
      const keys = [
        ...Array.from({ length: 120 }, (_, i) => ({ pk: `${pk}-${119 - i}`, sk: 'STATE' })),
        { pk: `${pk}-missing`, sk: 'STATE' },
        { pk: `${pk}-gone`, sk: 'STATE' },
        { pk: `${pk}-later`, sk: 'STATE' },
      ];
      const versions = await store.versions(keys);
      // The same versions a full read gives, key by key (120 keys: more than one batch).
      const items = await store.getMany(keys);
      expect(versions).toEqual(items.map((item) => item?.version ?? null));
      expect(versions[119]).toBe(1);
      expect(versions[118]).toBe(2);
      expect(versions[117]).not.toBe(1);
      expect(versions.slice(120)).toEqual([null, null, 1]);
      expect(await store.versions([])).toEqual([]);
      // A write moves the version on.
      await store.put({ pk: `${pk}-0`, sk: 'STATE', data: { i: 0, again: true }, condition: { kind: 'version', version: 1 } });
      expect(await store.versions([{ pk: `${pk}-0`, sk: 'STATE' }])).toEqual([2]);
      await expect(store.versions([{ pk: '', sk: 'STATE' }])).rejects.toBeInstanceOf(ValidationError);
    });

    describe('putMany', () => {
      it('writes many items unconditionally across the 25-item batch limit, replacing what was there, one write each', async () => {
        await store.put({ pk, sk: 'SWEPT#3', data: { n: -1 }, condition: { kind: 'any' } });
        await store.put({ pk, sk: 'SWEPT#3', data: { n: -2 }, condition: { kind: 'any' } });
        const before = store.writeCount();
        const items = Array.from({ length: 60 }, (_, n) => ({ pk, sk: `SWEPT#${n}`, data: { n, text: 'Zürich ✓' } }));
        await store.putMany(items);
        expect(store.writeCount() - before).toBe(60);
        const read = await store.getMany<{ n: number }>(items.map(({ pk: p, sk }) => ({ pk: p, sk })));
        expect(read.map((item) => item?.data.n)).toEqual(Array.from({ length: 60 }, (_, n) => n));
        expect(await store.get(pk, 'SWEPT#3')).toMatchObject({ pk, sk: 'SWEPT#3', data: { n: 3, text: 'Zürich ✓' } });
        await store.putMany([]);
        expect(store.writeCount() - before).toBe(60);
      });

      it('gives each item a fresh version: stale version holders fail, later puts count up from it', async () => {
        await store.put({ pk, sk: 'STATE', data: { n: 1 }, condition: { kind: 'any' } });
        const written = await store.putMany([
          { pk, sk: 'STATE', data: { n: 2 } },
          { pk, sk: 'OTHER', data: {} },
        ]);
        const batched = await store.get<{ n: number }>(pk, 'STATE');
        expect(batched?.data).toEqual({ n: 2 });
        // The versions written come back in item order.
        expect(written).toEqual([batched?.version, (await store.get(pk, 'OTHER'))?.version]);
        expect(batched?.version).not.toBe(1);
        expect(Number.isSafeInteger(batched?.version)).toBe(true);
        await expect(store.put({ pk, sk: 'STATE', data: { n: 99 }, condition: { kind: 'version', version: 1 } })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'absent' } })).rejects.toBeInstanceOf(ConflictError);
        const next = await store.put({ pk, sk: 'STATE', data: { n: 3 }, condition: { kind: 'version', version: batched?.version ?? 0 } });
        expect(next.version).toBe((batched?.version ?? 0) + 1);
        // A second batch write of the key, later, again leaves every earlier version stale.
        clock.advance(1);
        await store.putMany([{ pk, sk: 'STATE', data: { n: 4 } }]);
        const again = await store.get(pk, 'STATE');
        expect([1, batched?.version, next.version]).not.toContain(again?.version);
      });

      it('keeps the last data of a key given twice, writes it once, and honours expiresAt', async () => {
        await store.putMany([
          { pk, sk: 'A', data: { n: 1 } },
          { pk, sk: 'B', data: { n: 2 }, expiresAt: nowSeconds() + 1 },
          { pk, sk: 'A', data: { n: 3 } },
        ]);
        expect(store.writeCount()).toBe(2);
        expect((await store.get(pk, 'A'))?.data).toEqual({ n: 3 });
        expect(await store.get(pk, 'B')).toMatchObject({ data: { n: 2 }, expiresAt: nowSeconds() + 1 });
        clock.advance(2_000);
        expect(await store.get(pk, 'B')).toBeNull();
      });

      it('does not share objects with the caller', async () => {
        const data = { list: [1, 2] };
        await store.putMany([{ pk, sk: 'STATE', data }]);
        data.list.push(3);
        expect((await store.get<{ list: number[] }>(pk, 'STATE'))?.data.list).toEqual([1, 2]);
      });

      it('writes nothing when one item is invalid', async () => {
        const bad: { pk: string; sk: string; data: unknown; expiresAt?: number }[][] = [
          [
            { pk, sk: 'OK', data: { n: 1 } },
            { pk: '', sk: 'X', data: {} },
          ],
          [
            { pk, sk: 'OK', data: { n: 1 } },
            { pk, sk: 'X', data: {}, expiresAt: Date.now() },
          ],
          [
            { pk, sk: 'OK', data: { n: 1 } },
            { pk, sk: 'X', data: undefined },
          ],
        ];
        for (const items of bad) await expect(store.putMany(items)).rejects.toBeInstanceOf(ValidationError);
        expect(await store.get(pk, 'OK')).toBeNull();
        expect(store.writeCount()).toBe(0);
      });
    });

    describe('expiry', () => {
      it('hides an item once its expiresAt is reached, from get and query', async () => {
        const expiresAt = nowSeconds() + 60;
        const put = await store.put({ pk, sk: 'AUDIT#1', data: { a: 1 }, expiresAt, condition: { kind: 'any' } });
        expect(put.expiresAt).toBe(expiresAt);
        clock.advance(59_000);
        expect(await store.get(pk, 'AUDIT#1')).toEqual({ pk, sk: 'AUDIT#1', version: 1, data: { a: 1 }, expiresAt });
        expect((await store.query({ pk })).items).toHaveLength(1);
        clock.advance(1_000);
        expect(await store.get(pk, 'AUDIT#1')).toBeNull();
        expect((await store.query({ pk })).items).toEqual([]);
      });

      it('treats an expired item as absent for absent and absent-or-expired', async () => {
        const expiresAt = nowSeconds() + 10;
        await store.put({ pk, sk: 'A', data: { n: 1 }, expiresAt, condition: { kind: 'any' } });
        await store.put({ pk, sk: 'B', data: { n: 1 }, expiresAt, condition: { kind: 'any' } });
        await expect(store.put({ pk, sk: 'A', data: { n: 2 }, condition: { kind: 'absent' } })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.put({ pk, sk: 'B', data: { n: 2 }, condition: { kind: 'absent-or-expired', nowSeconds: expiresAt - 1 } })).rejects.toBeInstanceOf(
          ConflictError,
        );

        clock.advance(10_000);
        const a = await store.put({ pk, sk: 'A', data: { n: 2 }, condition: { kind: 'absent' } });
        const b = await store.put({ pk, sk: 'B', data: { n: 2 }, condition: { kind: 'absent-or-expired', nowSeconds: expiresAt } });
        // Versions keep counting across the replacement, so a stale holder's version cannot match.
        expect([a.version, b.version]).toEqual([2, 2]);
        expect(await store.get(pk, 'A')).toEqual({ pk, sk: 'A', version: 2, data: { n: 2 } });
      });

      it('judges absent-or-expired by the nowSeconds given, not by the store clock', async () => {
        const expiresAt = nowSeconds() + 100;
        await store.put({ pk, sk: 'LEASE', data: {}, expiresAt, condition: { kind: 'any' } });
        const put = await store.put({
          pk,
          sk: 'LEASE',
          data: { taken: true },
          condition: { kind: 'absent-or-expired', nowSeconds: expiresAt + 1 },
        });
        expect(put.version).toBe(2);
      });

      it('drops expiresAt when an item is rewritten without one', async () => {
        const expiresAt = nowSeconds() + 5;
        await store.put({ pk, sk: 'STATE', data: {}, expiresAt, condition: { kind: 'any' } });
        await store.put({ pk, sk: 'STATE', data: { kept: true }, condition: { kind: 'any' } });
        clock.advance(3_600_000);
        expect(await store.get(pk, 'STATE')).toEqual({ pk, sk: 'STATE', version: 2, data: { kept: true } });
      });
    });

    describe('delete', () => {
      it('deletes unconditionally, also when there is nothing, counting each call', async () => {
        await store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'any' } });
        await store.delete(pk, 'STATE');
        expect(await store.get(pk, 'STATE')).toBeNull();
        await store.delete(pk, 'NEVER');
        expect(store.writeCount()).toBe(3);
      });

      it('deletes with a matching version and refuses a stale one', async () => {
        await store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'any' } });
        await store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'any' } });
        await expect(store.delete(pk, 'STATE', { kind: 'version', version: 1 })).rejects.toBeInstanceOf(ConflictError);
        expect((await store.get(pk, 'STATE'))?.version).toBe(2);
        expect(store.writeCount()).toBe(2);
        await store.delete(pk, 'STATE', { kind: 'version', version: 2 });
        expect(await store.get(pk, 'STATE')).toBeNull();
        expect(store.writeCount()).toBe(3);
      });

      it('deletes and writes on the same data as written, and refuses other data, other order or no item', async () => {
        await store.put({ pk, sk: 'LEASE', data: { owner: 'a', expiresAt: 5 }, condition: { kind: 'any' } });
        await expect(store.delete(pk, 'LEASE', { kind: 'same-data', data: { owner: 'b', expiresAt: 5 } })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.delete(pk, 'LEASE', { kind: 'same-data', data: { expiresAt: 5, owner: 'a' } })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.delete(pk, 'NEVER', { kind: 'same-data', data: { owner: 'a', expiresAt: 5 } })).rejects.toBeInstanceOf(ConflictError);
        await store.put({ pk, sk: 'LEASE', data: { owner: 'a', expiresAt: 6 }, condition: { kind: 'same-data', data: { owner: 'a', expiresAt: 5 } } });
        await expect(store.delete(pk, 'LEASE', { kind: 'same-data', data: { owner: 'a', expiresAt: 5 } })).rejects.toBeInstanceOf(ConflictError);
        await store.delete(pk, 'LEASE', { kind: 'same-data', data: { owner: 'a', expiresAt: 6 } });
        expect(await store.get(pk, 'LEASE')).toBeNull();
        await expect(store.delete(pk, 'LEASE', { kind: 'same-data', data: undefined })).rejects.toBeInstanceOf(ValidationError);
      });

      it('starts again at version 1 after a delete', async () => {
        await store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'any' } });
        await store.delete(pk, 'STATE');
        expect((await store.put({ pk, sk: 'STATE', data: {}, condition: { kind: 'absent' } })).version).toBe(1);
      });
    });

    describe('query', () => {
      const seed = async (sks: string[], extra: Record<string, unknown> = {}): Promise<void> => {
        for (const sk of sks) await store.put({ pk, sk, data: { sk, ...extra }, condition: { kind: 'any' } });
      };

      it('returns the partition in sort-key order, filtered by prefix, and nothing else', async () => {
        await seed(['SHARE#2', 'STATE', 'SHARE#1', 'SHARE#10', 'AUDIT#1']);
        await store.put({ pk: `${pk}-other`, sk: 'SHARE#0', data: {}, condition: { kind: 'any' } });
        const shares = await store.query<{ sk: string }>({ pk, skPrefix: 'SHARE#' });
        expect(shares.items.map((i) => i.sk)).toEqual(['SHARE#1', 'SHARE#10', 'SHARE#2']);
        expect(shares.items.map((i) => i.data.sk)).toEqual(['SHARE#1', 'SHARE#10', 'SHARE#2']);
        expect(shares.items.every((i) => i.pk === pk && i.version === 1)).toBe(true);
        expect(shares.cursor).toBeUndefined();
        expect((await store.query({ pk })).items.map((i) => i.sk)).toEqual(['AUDIT#1', 'SHARE#1', 'SHARE#10', 'SHARE#2', 'STATE']);
        expect((await store.query({ pk: `CLUSTER#${randomUUID()}` })).items).toEqual([]);
      });

      it('orders sort keys by UTF-8 bytes', async () => {
        // U+FF5E sorts before U+1F510 in UTF-8 but after it in UTF-16 code units.
        await seed(['K#\u{1F510}', 'K#\uFF5E', 'K#a']);
        expect((await store.query({ pk, skPrefix: 'K#' })).items.map((i) => i.sk)).toEqual(['K#a', 'K#\uFF5E', 'K#\u{1F510}']);
      });

      it('pages with an opaque cursor: every item once, in order, pages within the limit', async () => {
        const sks = Array.from({ length: 7 }, (_, i) => `EVENT#${String(i).padStart(2, '0')}`);
        await seed([...sks, 'OTHER']);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.query({ pk, skPrefix: 'EVENT#', limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((i) => i.sk));
          cursor = page.cursor;
          pages += 1;
          expect(pages).toBeLessThan(10);
        } while (cursor !== undefined);
        expect(seen).toEqual(sks);
        expect(pages).toBeGreaterThanOrEqual(3);
      });

      it('skips expired items while paging', async () => {
        const soon = nowSeconds() + 30;
        for (let i = 0; i < 6; i += 1) {
          const sk = `AUDIT#${i}`;
          await store.put({ pk, sk, data: {}, ...(i % 2 ? { expiresAt: soon } : {}), condition: { kind: 'any' } });
        }
        clock.advance(30_000);
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.query({ pk, skPrefix: 'AUDIT#', limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((i) => i.sk));
          cursor = page.cursor;
        } while (cursor !== undefined);
        expect(seen).toEqual(['AUDIT#0', 'AUDIT#2', 'AUDIT#4']);
      });

      it('rejects a malformed cursor, a cursor of another partition and a bad limit', async () => {
        await seed(['A', 'B', 'C']);
        const first = await store.query({ pk, limit: 1 });
        expect(first.cursor).toBeDefined();
        await expect(store.query({ pk, cursor: 'not a cursor!' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.query({ pk: `${pk}-x`, cursor: first.cursor ?? '' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.query({ pk, limit: 0 })).rejects.toBeInstanceOf(ValidationError);
      });

      it('queryVersions: the same items as query, sort key and current version only, expired ones skipped, paged alike', async () => {
        await seed(['R#b', 'R#a', 'R#c', 'OTHER']);
        await store.put({ pk, sk: 'R#b', data: { again: true }, condition: { kind: 'version', version: 1 } });
        await store.put({ pk, sk: 'R#gone', data: {}, expiresAt: nowSeconds() + 5, condition: { kind: 'any' } });
        await store.put({ pk: `${pk}-other`, sk: 'R#a', data: {}, condition: { kind: 'any' } });
        clock.advance(5_000);
        expect(await store.queryVersions({ pk, skPrefix: 'R#' })).toEqual({
          items: [
            { sk: 'R#a', version: 1 },
            { sk: 'R#b', version: 2 },
            { sk: 'R#c', version: 1 },
          ],
        });
        expect((await store.queryVersions({ pk })).items.map((i) => i.sk)).toEqual(['OTHER', 'R#a', 'R#b', 'R#c']);
        expect(await store.queryVersions({ pk: `CLUSTER#${randomUUID()}` })).toEqual({ items: [] });
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.queryVersions({ pk, skPrefix: 'R#', limit: 2, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((i) => `${i.sk}@${i.version}`));
          cursor = page.cursor;
        } while (cursor !== undefined);
        expect(seen).toEqual(['R#a@1', 'R#b@2', 'R#c@1']);
        await expect(store.queryVersions({ pk: `${pk}-x`, cursor: (await store.query({ pk, limit: 1 })).cursor ?? '' })).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('validation', () => {
      it('rejects empty keys, oversized items and millisecond expiries without writing', async () => {
        await expect(store.put({ pk: '', sk: 'X', data: {}, condition: { kind: 'any' } })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.get(pk, '')).rejects.toBeInstanceOf(ValidationError);
        await expect(store.put({ pk, sk: 'BIG', data: { blob: 'x'.repeat(450 * 1024) }, condition: { kind: 'any' } })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.put({ pk, sk: 'TTL', data: {}, expiresAt: clock.now(), condition: { kind: 'any' } })).rejects.toBeInstanceOf(ValidationError);
        expect(await store.get(pk, 'BIG')).toBeNull();
        expect(store.writeCount()).toBe(0);
      });
    });
  });
}
