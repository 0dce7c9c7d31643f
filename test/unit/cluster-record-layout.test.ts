import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { READ_BY_KEY_MAX } from '../../shared/app/cluster-partition.ts';
import { clusterStateKey, formerClusterStateKey, readClusterRecords, RECORDS_LAYOUT_KEY } from '../../shared/app/cluster-record-layout.ts';
import { createClusterRecords } from '../../shared/app/cluster-records.ts';
import type { ClusterRecord } from '../../shared/core/cluster-record.ts';
import { UnavailableError, ValidationError } from '../../shared/errors.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { FakeClock } from '../support/fake-clock.ts';

// Cluster records moved from `CLUSTER#<id>` / `STATE` (one partition per cluster) into one
// partition (`CLUSTERS` / `CLUSTER#<id>`), once per store; nothing may be lost on the way, and a
// long-lived process checks the kept records with one Query of their versions.

const record = (state: string, since = '2026-12-01T00:00:00.000Z'): ClusterRecord => ({ nodes: { 'vault-1': { state, since } } }) as unknown as ClusterRecord;

/** A memory store that counts what is asked of it and can fail chosen calls. */
function countedStore(clock: FakeClock) {
  const inner = createMemoryStateStore({ clock });
  const calls = { getMany: [] as { pk: string; sk: string }[][], versions: 0, queryVersions: 0, query: 0 };
  const fail = { delete: 0, getMany: 0, putRecord: 0 };
  const store: StateStore = {
    get: (pk, sk) => inner.get(pk, sk),
    getMany: async (keys) => {
      calls.getMany.push([...keys]);
      if (fail.getMany > 0) {
        fail.getMany -= 1;
        throw new UnavailableError('throttled');
      }
      return inner.getMany(keys);
    },
    versions: (keys) => ((calls.versions += 1), inner.versions(keys)),
    queryVersions: (request) => ((calls.queryVersions += 1), inner.queryVersions(request)),
    query: (request) => ((calls.query += 1), inner.query(request)),
    put: async (request) => {
      if (fail.putRecord > 0 && request.pk === clusterStateKey('x').pk && request.sk.startsWith('CLUSTER#')) {
        fail.putRecord -= 1;
        throw new UnavailableError('throttled');
      }
      return inner.put(request);
    },
    putMany: (items) => inner.putMany(items),
    delete: async (pk, sk, condition) => {
      if (fail.delete > 0) {
        fail.delete -= 1;
        throw new UnavailableError('throttled');
      }
      return inner.delete(pk, sk, condition);
    },
    close: () => inner.close(),
  };
  return { store, inner, calls, fail };
}

const seedFormer = async (store: StateStore, id: string, data: unknown) => store.put({ ...formerClusterStateKey(id), data, condition: { kind: 'any' } });

describe('cluster records: the one-time move into one partition', () => {
  it('moves every former record on the first read, deletes the former items and marks the store; the read sees the moved records', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed', '2026-11-30T10:00:00.000Z'));
    await seedFormer(inner, 'b', record('active'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b', 'c']);

    const read = await records.read(['a', 'b', 'c']);

    expect(read.map((r) => (r instanceof Error || r === null ? r : r.data))).toEqual([record('sealed', '2026-11-30T10:00:00.000Z'), record('active'), null]);
    expect(await inner.get(clusterStateKey('a').pk, clusterStateKey('a').sk)).toMatchObject({ data: record('sealed', '2026-11-30T10:00:00.000Z') });
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).toBeNull();
    expect(await inner.get(formerClusterStateKey('b').pk, formerClusterStateKey('b').sk)).toBeNull();
    expect((await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk))?.data).toEqual({ movedAt: new Date(clock.now()).toISOString() });
  });

  it('keeps a record already in the new place (a newer sweep wrote it) and still removes the former one', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    await inner.put({ ...clusterStateKey('a'), data: record('active', '2026-12-02T00:00:00.000Z'), condition: { kind: 'any' } });
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a']);

    const [read] = await records.read(['a']);

    expect(read).toMatchObject({ data: record('active', '2026-12-02T00:00:00.000Z') });
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).toBeNull();
  });

  it('a move cut short (a former item cannot be deleted) loses nothing: that cluster alone reads as failed, the next read finishes the move', async () => {
    const clock = new FakeClock();
    const { store, inner, fail } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed', '2026-11-30T10:00:00.000Z'));
    await seedFormer(inner, 'b', record('active'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b']);
    fail.delete = 1;

    // That cluster's read is the error (its sweep fails alone, no new record over it); the other's move went through.
    const first = await records.read(['a', 'b']);
    expect(first.filter((r) => r instanceof UnavailableError)).toHaveLength(1);
    expect(first.filter((r) => r !== null && !(r instanceof Error))).toHaveLength(1);
    // Written to the new place, still in the former one, and not marked as moved.
    expect(await inner.get(clusterStateKey('a').pk, clusterStateKey('a').sk)).toMatchObject({ data: record('sealed', '2026-11-30T10:00:00.000Z') });
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).not.toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();

    const [read] = await records.read(['a']);
    expect(read).toMatchObject({ data: record('sealed', '2026-11-30T10:00:00.000Z') });
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
  });

  it('a write into the new place that fails leaves the former record where it is: the next read moves it', async () => {
    const clock = new FakeClock();
    const { store, inner, fail } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed', '2026-11-30T10:00:00.000Z'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a']);
    fail.putRecord = 1;

    expect((await records.read(['a']))[0]).toBeInstanceOf(UnavailableError);
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).toMatchObject({ data: record('sealed', '2026-11-30T10:00:00.000Z') });

    expect(await records.read(['a'])).toMatchObject([{ data: record('sealed', '2026-11-30T10:00:00.000Z') }]);
  });

  it('a store that cannot answer stops the move without marking it: no record is taken for missing', async () => {
    const clock = new FakeClock();
    const { store, inner, fail } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a']);
    fail.getMany = 1;

    await expect(records.read(['a'])).rejects.toBeInstanceOf(UnavailableError);
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();
    expect(await records.read(['a'])).toMatchObject([{ data: record('sealed') }]);
  });

  it('a malformed former item is left where it is and counts as no record; the others are moved', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('active'));
    await seedFormer(inner, 'bad', record('active'));
    const realGet = inner.get.bind(inner);
    const realGetMany = inner.getMany.bind(inner);
    // As the DynamoDB store answers an item whose data is not JSON.
    const malformed = (pk: string) => pk === formerClusterStateKey('bad').pk;
    store.get = async (pk, sk) => {
      if (malformed(pk)) throw new ValidationError(`state item ${pk} ${sk} holds malformed JSON`);
      return realGet(pk, sk);
    };
    store.getMany = async (keys) => {
      if (keys.some((k) => malformed(k.pk))) throw new ValidationError('state item holds malformed JSON');
      return realGetMany(keys);
    };
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'bad']);

    const read = await records.read(['a', 'bad']);

    expect(read[0]).toMatchObject({ data: record('active') });
    expect(read[1]).toBeNull();
    expect(await realGet(formerClusterStateKey('bad').pk, formerClusterStateKey('bad').sk)).not.toBeNull();
    expect(await realGet(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
    expect(await realGet(clusterStateKey('a').pk, clusterStateKey('a').sk)).toMatchObject({ data: record('active') });
  });

  it('a store created in this layout is never searched for former records', async () => {
    const clock = new FakeClock();
    const { store, inner, calls } = countedStore(clock);
    await inner.put({ ...RECORDS_LAYOUT_KEY, data: { newStoreAt: '2026-12-01T00:00:00.000Z', moved: 0 }, condition: { kind: 'any' } });
    await seedFormer(inner, 'a', record('sealed'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a']);

    expect(await records.read(['a'])).toEqual([null]);
    expect(await readClusterRecords(store, ['a'])).toEqual([null]);
    expect(calls.getMany.flat().some((k) => k.sk === 'STATE')).toBe(false);
  });

  it('a store marked by a process with fewer clusters configured: a cluster without a record in the new place has its former one moved', async () => {
    const clock = new FakeClock();
    const { store, inner, calls } = countedStore(clock);
    await seedFormer(inner, 'a', record('active'));
    await seedFormer(inner, 'b', record('sealed', '2026-11-30T10:00:00.000Z'));
    // `sealwatch sweep --once --config subset.yaml` against the same store: moves a, marks the store.
    await createClusterRecords({ store, logger: silentLogger, clock }, ['a']).read(['a']);
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
    calls.getMany.length = 0;

    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b']);
    expect((await records.read(['a', 'b'])).map((r) => (r === null || r instanceof Error ? r : r.data))).toEqual([
      record('active'),
      record('sealed', '2026-11-30T10:00:00.000Z'),
    ]);
    expect(await inner.get(formerClusterStateKey('b').pk, formerClusterStateKey('b').sk)).toBeNull();
    // Only the cluster missing from the new place was looked for; the next read looks for nothing.
    expect(calls.getMany.filter((keys) => keys.some((k) => k.sk === 'STATE'))).toEqual([[formerClusterStateKey('b')]]);
    await records.read(['a', 'b']);
    expect(calls.getMany.filter((keys) => keys.some((k) => k.sk === 'STATE'))).toHaveLength(1);
  });
});

describe('cluster records: who moves what', () => {
  /** A logger that keeps the events it was given. */
  const recording = () => {
    const events: string[] = [];
    const logger = { ...silentLogger, warn: (event: string) => void events.push(event), child: () => logger };
    return { logger, events };
  };

  it('a sweep of a few clusters moves only theirs and does not mark the store; the sweep of all of them does', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    await seedFormer(inner, 'b', record('active'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b']);

    await records.read(['a']);
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).toBeNull();
    expect(await inner.get(formerClusterStateKey('b').pk, formerClusterStateKey('b').sk)).not.toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();

    expect((await records.read(['a', 'b'])).map((r) => (r === null || r instanceof Error ? r : r.data))).toEqual([record('sealed'), record('active')]);
    expect(await inner.get(formerClusterStateKey('b').pk, formerClusterStateKey('b').sk)).toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
  });

  it('prepare moves every configured cluster at once (the fan-out dispatcher, before queuing)', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    await seedFormer(inner, 'b', record('active'));
    await createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b']).prepare();
    expect(await inner.get(clusterStateKey('b').pk, clusterStateKey('b').sk)).toMatchObject({ data: record('active') });
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
  });

  it("prepare begins no cluster's move after its deadline (the dispatcher's time is bounded)", async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a']);

    await records.prepare({ deadline: clock.now() });
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).not.toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();

    await records.prepare({ deadline: clock.now() + 1 });
    expect(await inner.get(clusterStateKey('a').pk, clusterStateKey('a').sk)).toMatchObject({ data: record('sealed') });
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
  });

  it('a dry run moves nothing and writes nothing: it reads a record where it still is', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed', '2026-11-30T10:00:00.000Z'));
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ['a', 'b']);

    const read = await records.read(['a', 'b'], { readOnly: true });

    expect(read.map((r) => (r === null || r instanceof Error ? r : r.data))).toEqual([record('sealed', '2026-11-30T10:00:00.000Z'), null]);
    expect(await inner.get(clusterStateKey('a').pk, clusterStateKey('a').sk)).toBeNull();
    expect(await inner.get(formerClusterStateKey('a').pk, formerClusterStateKey('a').sk)).not.toBeNull();
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).toBeNull();
  });

  it('two processes moving at once: every record ends in the new place once, and neither warns of an older writer', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await seedFormer(inner, id, record(id === 'c' ? 'sealed' : 'standby'));
    const first = recording();
    const second = recording();

    const [one, two] = await Promise.all([
      createClusterRecords({ store, logger: first.logger, clock }, ids).read(ids),
      createClusterRecords({ store, logger: second.logger, clock }, ids).read(ids),
    ]);

    expect(one.map((r) => (r === null || r instanceof Error ? r : r.data))).toEqual(two.map((r) => (r === null || r instanceof Error ? r : r.data)));
    for (const id of ids) {
      expect(await inner.get(clusterStateKey(id).pk, clusterStateKey(id).sk)).toMatchObject({ version: 1, data: record(id === 'c' ? 'sealed' : 'standby') });
      expect(await inner.get(formerClusterStateKey(id).pk, formerClusterStateKey(id).sk)).toBeNull();
    }
    expect([...first.events, ...second.events]).toEqual([]);
  });

  it('a former record written again while it is moved (an older sealwatch still running) is reported; the new place keeps what was moved', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    const realDelete = store.delete;
    store.delete = async (pk, sk, condition) => {
      // The older sealwatch writes its sweep's record between the mover's read and its delete.
      if (pk === formerClusterStateKey('a').pk) await inner.put({ ...formerClusterStateKey('a'), data: record('standby'), condition: { kind: 'any' } });
      return realDelete(pk, sk, condition);
    };
    const { logger, events } = recording();

    const [read] = await createClusterRecords({ store, logger, clock }, ['a']).read(['a']);

    expect(read).toMatchObject({ data: record('sealed') });
    expect(events).toEqual(['records.layout_former_written_again']);
    expect(await inner.get(RECORDS_LAYOUT_KEY.pk, RECORDS_LAYOUT_KEY.sk)).not.toBeNull();
  });
});

describe('cluster records: reads', () => {
  it(`checks more than ${READ_BY_KEY_MAX} kept records with one Query of their versions, and reads again only the one another writer changed`, async () => {
    const clock = new FakeClock();
    const { store, inner, calls } = countedStore(clock);
    await inner.put({ ...RECORDS_LAYOUT_KEY, data: { moved: 0 }, condition: { kind: 'any' } });
    const ids = Array.from({ length: READ_BY_KEY_MAX + 4 }, (_, i) => `c${i}`);
    for (const id of ids) await inner.put({ ...clusterStateKey(id), data: record('standby'), condition: { kind: 'any' } });
    const records = createClusterRecords({ store, logger: silentLogger, clock }, ids);

    await records.read(ids);
    expect(calls.query).toBe(1);
    expect(calls.getMany.flat().length).toBe(0);

    await inner.put({ ...clusterStateKey('c7'), data: record('sealed'), condition: { kind: 'version', version: 1 } });
    const again = await records.read(ids);

    expect(calls.queryVersions).toBe(1);
    expect(calls.versions).toBe(0);
    // Only the changed record is read in full, by key.
    expect(calls.getMany).toEqual([[clusterStateKey('c7')]]);
    expect(again[7]).toMatchObject({ version: 2, data: record('sealed') });
    expect(again.filter((r) => r !== null && !(r instanceof Error) && r.version === 1)).toHaveLength(ids.length - 1);
  });

  it('readers beside the sweep see a record still in the former place, except in a store created in this layout', async () => {
    const clock = new FakeClock();
    const { inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    await inner.put({ ...clusterStateKey('b'), data: record('active'), condition: { kind: 'any' } });

    expect((await readClusterRecords(inner, ['a', 'b', 'c'])).map((r) => r?.data ?? null)).toEqual([record('sealed'), record('active'), null]);
    // Marked by a process that did not have `a` configured: still read where it is.
    await inner.put({ ...RECORDS_LAYOUT_KEY, data: { movedAt: '2026-12-01T00:00:00.000Z' }, condition: { kind: 'any' } });
    expect((await readClusterRecords(inner, ['a', 'b'])).map((r) => r?.data ?? null)).toEqual([record('sealed'), record('active')]);
    await inner.put({ ...RECORDS_LAYOUT_KEY, data: { newStoreAt: '2026-12-01T00:00:00.000Z', moved: 0 }, condition: { kind: 'any' } });
    expect((await readClusterRecords(inner, ['a', 'b'])).map((r) => r?.data ?? null)).toEqual([null, record('active')]);
  });

  it('a reader that finds every record in the new place reads nothing else (not the mark, not the former place)', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await inner.put({ ...clusterStateKey('a'), data: record('active'), condition: { kind: 'any' } });
    const gets: string[] = [];
    const watched: StateStore = {
      ...store,
      get: (pk, sk) => (gets.push(`${pk}/${sk}`), inner.get(pk, sk)),
      getMany: (keys) => (gets.push(...keys.map((k) => `${k.pk}/${k.sk}`)), inner.getMany(keys)),
    };

    expect((await readClusterRecords(watched, ['a'])).map((r) => r?.data ?? null)).toEqual([record('active')]);
    expect(gets).toEqual(['CLUSTERS/CLUSTER#a']);
  });

  it('a reader that misses a record in both places because it was moved in between reads the new place again', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    await seedFormer(inner, 'a', record('sealed'));
    const realGetMany = store.getMany;
    store.getMany = async (keys) => {
      // A sweep moves the record, and marks the store, after the reader looked at the new place and
      // before it looks at the former one.
      if (keys.some((k) => k.sk === 'STATE')) await createClusterRecords({ store: inner, logger: silentLogger, clock }, ['a']).read(['a']);
      return realGetMany(keys);
    };

    expect((await readClusterRecords(store, ['a'])).map((r) => r?.data ?? null)).toEqual([record('sealed')]);
  });

  it('a malformed item anywhere in the partition (a cluster no longer configured) does not fail a read of the others: they are read by key', async () => {
    const clock = new FakeClock();
    const { store, inner } = countedStore(clock);
    const ids = Array.from({ length: READ_BY_KEY_MAX + 1 }, (_, i) => `c${i}`);
    for (const id of ids) await inner.put({ ...clusterStateKey(id), data: record('standby'), condition: { kind: 'any' } });
    // As the DynamoDB store answers a Query page holding an item whose data is not JSON.
    store.query = async () => {
      throw new ValidationError('state item CLUSTERS CLUSTER#gone holds malformed JSON');
    };

    const read = await readClusterRecords(store, ids);

    expect(read.map((r) => r?.data ?? null)).toEqual(ids.map(() => record('standby')));
  });
});
