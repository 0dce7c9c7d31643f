import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbStateStore, ensureStateTable } from '../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../shared/adapters/embedded-dynamo.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createLeaseManager, leaseKey } from '../../shared/app/lease-manager.ts';
import { UnavailableError, ValidationError } from '../../shared/errors.ts';
import type { Lease, LeaseHolder, LeaseManager } from '../../shared/ports/lease.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { countingStore, type CountingStore } from '../../shared/app/counting-store.ts';

const TABLE = 'sealwatch-leases';
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ inMemory: true });
  const setup = dynamoClient();
  await ensureStateTable(setup, TABLE);
  setup.destroy();
});
afterAll(async () => {
  await dynamo?.close();
});

function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

const stores: Array<[string, (clock: FakeClock) => CountingStore]> = [
  ['memory', (clock) => countingStore(createMemoryStateStore({ clock }))],
  ['dynalite', (clock) => countingStore(createDynamoDbStateStore({ client: dynamoClient(), table: TABLE, clock }))],
];

let scopeCounter = 0;

describe.each(stores)('lease manager on the %s store', (_name, makeStore) => {
  let clock: FakeClock;
  let store: CountingStore;
  let scope: string;
  const manager = (owner?: string): LeaseManager => createLeaseManager({ store, clock, ...(owner === undefined ? {} : { owner }) });

  beforeEach(() => {
    // Off a second boundary, so millisecond and second expiry differ.
    clock = new FakeClock({ start: Date.UTC(2026, 0, 1) + 250 });
    store = makeStore(clock);
    scope = `cluster/lease-test-${++scopeCounter}-${Date.now()}`;
  });
  afterEach(async () => {
    await store.close();
  });

  it('lets exactly one of many racing managers win; the others learn who holds it', async () => {
    const managers = Array.from({ length: 10 }, (_, i) => manager(`owner-${i}`));
    const results = await Promise.all(managers.map((m) => m.acquire(scope, 30_000)));
    const leases = results.flatMap((r) => ('lease' in r ? [r.lease] : []));
    const held = results.flatMap((r) => ('heldBy' in r ? [r.heldBy] : []));
    expect(leases).toHaveLength(1);
    expect(held).toHaveLength(9);
    const winner = leases[0] as Lease;
    expect(winner).toEqual({ scope, owner: winner.owner, expiresAt: clock.now() + 30_000 });
    for (const h of held) expect(h).toEqual({ scope, owner: winner.owner, expiresAt: winner.expiresAt });
  });

  it('stores cluster leases in the cluster partition with a TTL in whole seconds', async () => {
    const result = await manager('me').acquire(scope, 1_000);
    expect('lease' in result).toBe(true);
    const { pk, sk } = leaseKey(scope);
    expect(pk).toBe(`CLUSTER#${scope.slice('cluster/'.length)}`);
    const item = await store.get(pk, sk);
    // now + 1.25 s rounds up to the next second.
    expect(item?.expiresAt).toBe(Math.floor(clock.now() / 1000) + 2);
    expect(item?.data).toEqual({ scope, owner: 'me', expiresAt: clock.now() + 1_000 });
    expect(leaseKey('sweep')).toEqual({ pk: 'LEASE#sweep', sk: 'LEASE' });
  });

  it('refuses a held lease until it lapses, to the millisecond, then lets another take over', async () => {
    const a = manager('a');
    const b = manager('b');
    const first = await a.acquire(scope, 10_000);
    expect('lease' in first).toBe(true);
    clock.advance(9_999);
    expect(await b.acquire(scope, 10_000)).toEqual({
      heldBy: { scope, owner: 'a', expiresAt: clock.now() + 1 } satisfies LeaseHolder,
    });
    clock.advance(1);
    const taken = await b.acquire(scope, 10_000);
    expect(taken).toEqual({ lease: { scope, owner: 'b', expiresAt: clock.now() + 10_000 } });
    expect(await a.acquire(scope, 10_000)).toMatchObject({ heldBy: { owner: 'b' } });
  });

  it('takes over a lease whose TTL second has passed (the put path, no read needed)', async () => {
    await manager('a').acquire(scope, 500);
    clock.advance(60_000);
    const writesBefore = store.writeCount();
    expect(await manager('b').acquire(scope, 500)).toMatchObject({ lease: { owner: 'b' } });
    expect(store.writeCount() - writesBefore).toBe(1);
  });

  it('a release after losing the lease does not disturb the new holder', async () => {
    const a = manager('a');
    const b = manager('b');
    const first = await a.acquire(scope, 5_000);
    if (!('lease' in first)) throw new Error('a should have won');
    clock.advance(5_000);
    const second = await b.acquire(scope, 5_000);
    expect(second).toMatchObject({ lease: { owner: 'b' } });
    await a.release(first.lease);
    expect(await manager('c').acquire(scope, 5_000)).toMatchObject({ heldBy: { owner: 'b' } });
  });

  it('a stale release is harmless even when the new holder has the old version', async () => {
    // b's lease is a fresh item (version 1 again) after a's was removed, as DynamoDB TTL does.
    const a = manager('a');
    const first = await a.acquire(scope, 5_000);
    if (!('lease' in first)) throw new Error('a should have won');
    const { pk, sk } = leaseKey(scope);
    await store.delete(pk, sk);
    const b = await manager('b').acquire(scope, 5_000);
    expect(b).toMatchObject({ lease: { owner: 'b' } });
    expect((await store.get(pk, sk))?.version).toBe(1);
    await a.release(first.lease);
    expect((await store.get(pk, sk))?.data).toMatchObject({ owner: 'b' });
  });

  it('release is one conditional delete, with no read of the item first', async () => {
    const first = await manager('a').acquire(scope, 60_000);
    if (!('lease' in first)) throw new Error('a should have won');
    const calls: string[] = [];
    const watched = new Proxy(store, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? (...args: unknown[]) => (calls.push(String(prop)), value.apply(target, args)) : value;
      },
    });
    await createLeaseManager({ store: watched, clock, owner: 'a' }).release(first.lease);
    expect(calls).toEqual(['delete']);
    expect(await store.get(leaseKey(scope).pk, 'LEASE')).toBeNull();
  });

  it('gives back its own lease after a renewal that was written but whose call failed', async () => {
    const first = await manager('a').acquire(scope, 10_000);
    if (!('lease' in first)) throw new Error('a should have won');
    // The renewal's write lands, then its answer is lost: the holder keeps the older record.
    let failAfterPut = true;
    const flaky = new Proxy(store, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop);
        if (prop !== 'put' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          const written = await value.apply(target, args);
          if (failAfterPut) {
            failAfterPut = false;
            throw new UnavailableError('the answer was lost after the write');
          }
          return written;
        };
      },
    });
    const a = createLeaseManager({ store: flaky, clock, owner: 'a' });
    clock.advance(1_000);
    await expect(a.renew(first.lease, 10_000)).rejects.toBeInstanceOf(UnavailableError);
    expect((await store.get<Lease>(leaseKey(scope).pk, 'LEASE'))?.data.expiresAt).toBe(clock.now() + 10_000);

    await a.release(first.lease);

    expect(await store.get(leaseKey(scope).pk, 'LEASE')).toBeNull();
    expect(await manager('b').acquire(scope, 10_000)).toMatchObject({ lease: { owner: 'b' } });
  });

  it('release frees the lease for the next holder at once', async () => {
    const a = manager('a');
    const first = await a.acquire(scope, 60_000);
    if (!('lease' in first)) throw new Error('a should have won');
    await a.release(first.lease);
    expect(await store.get(leaseKey(scope).pk, 'LEASE')).toBeNull();
    expect(await manager('b').acquire(scope, 60_000)).toMatchObject({ lease: { owner: 'b' } });
    await a.release(first.lease);
    expect(await manager('c').acquire(scope, 60_000)).toMatchObject({ heldBy: { owner: 'b' } });
  });

  it('renews: the same owner re-acquires and extends, others still see it held', async () => {
    const a = manager('a');
    await a.acquire(scope, 10_000);
    clock.advance(8_000);
    const renewed = await a.acquire(scope, 10_000);
    expect(renewed).toEqual({ lease: { scope, owner: 'a', expiresAt: clock.now() + 10_000 } });
    clock.advance(8_000); // past the first expiry, within the renewed one
    expect(await manager('b').acquire(scope, 10_000)).toMatchObject({ heldBy: { owner: 'a' } });
  });

  it('makes every acquire its own operation by default: two operations of one process exclude each other', async () => {
    const m = manager();
    const first = await m.acquire(scope, 10_000);
    const second = await m.acquire(scope, 10_000);
    if (!('lease' in first) || !('heldBy' in second)) throw new Error('first should win, second be refused');
    expect(first.lease.owner).toMatch(/^[0-9a-f-]{36}-1$/);
    expect(second.heldBy.owner).toBe(first.lease.owner);
    await m.release(first.lease);
    const third = await m.acquire(scope, 10_000);
    expect(third).toMatchObject({ lease: { owner: expect.stringMatching(/-3$/) } });
  });

  it('renew extends a lease still held and reports a lease lost to another operation', async () => {
    const m = manager();
    const got = await m.acquire(scope, 1_000);
    if (!('lease' in got)) throw new Error('should win');
    clock.advance(800);
    const renewed = await m.renew(got.lease, 1_000);
    expect(renewed).toEqual({ scope, owner: got.lease.owner, expiresAt: clock.now() + 1_000 });
    clock.advance(1_200); // lapsed: anyone may take it over
    const taker = await manager().acquire(scope, 5_000);
    expect(taker).toMatchObject({ lease: {} });
    expect(await m.renew(got.lease, 1_000)).toBeNull();
  });

  it('rejects empty scopes, cluster scopes without an id and non-positive ttls', async () => {
    const m = manager('a');
    await expect(m.acquire('', 1_000)).rejects.toBeInstanceOf(ValidationError);
    await expect(m.acquire('cluster/', 1_000)).rejects.toBeInstanceOf(ValidationError);
    await expect(m.acquire(scope, 0)).rejects.toBeInstanceOf(ValidationError);
    expect(store.writeCount()).toBe(0);
  });
});
