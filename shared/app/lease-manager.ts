import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError } from '../errors.ts';
import { conditionalWrite } from './conditional-write.ts';
import type { Clock } from '../ports/clock.ts';
import type { Lease, LeaseHolder, LeaseManager } from '../ports/lease.ts';
import type { StateStore } from '../ports/state-store.ts';

export interface LeaseManagerOptions {
  store: StateStore;
  clock: Clock;
  /**
   * A fixed holder id for every lease of this manager: acquiring a scope it already holds then
   * renews it. Default: none — every `acquire` is its own operation with a fresh id
   * (`<process prefix>-<n>`), so two operations of one process exclude each other.
   */
  owner?: string;
}

/** What a lease item holds; `expiresAt` in ms, finer than the item's TTL second. */
interface LeaseRecord {
  scope: string;
  owner: string;
  expiresAt: number;
}

const ATTEMPTS = 3;

/**
 * Leases on the state store. `cluster/<id>` lives in the cluster's partition (`CLUSTER#<id>`,
 * `LEASE`); any other scope in its own (`LEASE#<scope>`, `LEASE`).
 *
 * Acquire is a put conditioned on the item being absent or past its TTL second; when that loses,
 * the holder is read, and the lease is renewed (same owner) or taken over (its millisecond expiry
 * has passed though its TTL second has not) by a put conditioned on the version just read.
 * Release deletes only an item that still holds the record this holder last wrote (condition
 * `same-data`), with no read first. A version remembered from the acquire would not do: versions
 * restart at 1 once DynamoDB's TTL has removed an item, so another holder's fresh lease could
 * carry it. When that delete fails, the owner is read before giving up (and the item deleted by
 * the version just read): a renewal written by a call that then failed leaves our lease with a
 * later expiry than the holder knows.
 *
 * @throws ValidationError for an empty owner.
 */
export function createLeaseManager(options: LeaseManagerOptions): LeaseManager {
  const { store, clock } = options;
  if (options.owner !== undefined && (typeof options.owner !== 'string' || options.owner.length === 0)) {
    throw new ValidationError('lease owner must be a non-empty string');
  }
  const prefix = randomUUID();
  let operations = 0;
  const nextOwner = () => options.owner ?? `${prefix}-${(operations += 1)}`;

  return {
    async acquire(scope: string, ttlMs: number): Promise<{ lease: Lease } | { heldBy: LeaseHolder }> {
      const { pk, sk } = leaseKey(scope);
      if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new ValidationError(`lease ttl must be positive, got ${ttlMs} ms`);
      const owner = nextOwner();
      let holder: LeaseHolder | undefined;
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        const now = clock.now();
        const record: LeaseRecord = { scope, owner, expiresAt: now + ttlMs };
        const expiresAt = Math.ceil(record.expiresAt / 1000);
        const free = await conditionalWrite(
          store.put({
            pk,
            sk,
            data: record,
            expiresAt,
            condition: { kind: 'absent-or-expired', nowSeconds: Math.floor(now / 1000) },
          }),
        );
        if (free) return { lease: { ...record } };

        const current = await store.get<Partial<LeaseRecord>>(pk, sk);
        if (current === null) continue; // released or expired since our put: try again
        holder = {
          scope,
          owner: typeof current.data.owner === 'string' ? current.data.owner : 'unknown',
          expiresAt: typeof current.data.expiresAt === 'number' ? current.data.expiresAt : (current.expiresAt ?? 0) * 1000,
        };
        if (holder.owner !== owner && holder.expiresAt > now) return { heldBy: holder };
        const taken = await conditionalWrite(store.put({ pk, sk, data: record, expiresAt, condition: { kind: 'version', version: current.version } }));
        if (taken) return { lease: { ...record } };
      }
      // Only reached when the item changed between every read and write.
      if (holder) return { heldBy: holder };
      throw new ConflictError(`lease ${scope} kept changing hands; try again`);
    },

    async renew(lease: Lease, ttlMs: number): Promise<Lease | null> {
      const { pk, sk } = leaseKey(lease.scope);
      const current = await store.get<Partial<LeaseRecord>>(pk, sk);
      if (current === null || current.data.owner !== lease.owner) return null;
      const now = clock.now();
      const record: LeaseRecord = { scope: lease.scope, owner: lease.owner, expiresAt: now + ttlMs };
      const renewed = await conditionalWrite(
        store.put({ pk, sk, data: record, expiresAt: Math.ceil(record.expiresAt / 1000), condition: { kind: 'version', version: current.version } }),
      );
      return renewed ? { ...record } : null;
    },

    async release(lease: Lease): Promise<void> {
      const { pk, sk } = leaseKey(lease.scope);
      // One conditional delete, no read first: the item is deleted only while it still holds the
      // record this holder last wrote (owner and expiry), so a lease taken over, or written afresh
      // by another holder after this one lapsed, is left alone.
      const record: LeaseRecord = { scope: lease.scope, owner: lease.owner, expiresAt: lease.expiresAt };
      if (await conditionalWrite(store.delete(pk, sk, { kind: 'same-data', data: record }))) return;
      // The item holds something else: usually another holder's lease, but it may be ours with a
      // later expiry (a renewal that was written though its call failed, or one still in flight).
      // Then it is read, and deleted if the owner is this holder, conditioned on that version.
      const current = await store.get<Partial<LeaseRecord>>(pk, sk);
      if (current === null || current.data.owner !== lease.owner) return;
      await conditionalWrite(store.delete(pk, sk, { kind: 'version', version: current.version }));
    },
  };
}

/** The item a scope's lease lives in. */
export function leaseKey(scope: string): { pk: string; sk: string } {
  if (typeof scope !== 'string' || scope.length === 0) throw new ValidationError('lease scope must be a non-empty string');
  if (scope.startsWith('cluster/')) {
    const id = scope.slice('cluster/'.length);
    if (id.length === 0) throw new ValidationError(`lease scope "${scope}" names no cluster`);
    return { pk: `CLUSTER#${id}`, sk: 'LEASE' };
  }
  return { pk: `LEASE#${scope}`, sk: 'LEASE' };
}
