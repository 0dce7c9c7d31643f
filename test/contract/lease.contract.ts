import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseManager } from '../../shared/ports/lease.ts';
import { FakeClock } from '../support/fake-clock.ts';

/** Builds managers that share one backing store and `clock`; `close` releases the store. */
export interface LeaseSetup {
  /** A manager, as one process would create it; every call is another process over the same store. */
  manager(): LeaseManager;
  close(): Promise<void>;
}

export type LeaseSetupFactory = (clock: FakeClock) => Promise<LeaseSetup> | LeaseSetup;

/**
 * The guarantees of the Lease port (shared/ports/lease.ts), run against every store the lease
 * manager runs on: at most one holder per scope, takeover after expiry, renew and release that
 * never disturb a newer holder, and one lease per operation even inside one process.
 */
export function describeLeaseContract(name: string, factory: LeaseSetupFactory): void {
  describe(`Lease contract: ${name}`, () => {
    let clock: FakeClock;
    let setup: LeaseSetup;
    let scope: string;

    beforeEach(async () => {
      // Off a second boundary, so stores that keep whole-second TTLs are exercised at the edge.
      clock = new FakeClock({ start: Date.UTC(2026, 0, 1) + 250 });
      setup = await factory(clock);
      scope = `cluster/contract-${randomUUID()}`;
    });
    afterEach(async () => {
      await setup.close();
    });

    it('gives a free scope to the first caller, with the expiry it asked for', async () => {
      const result = await setup.manager().acquire(scope, 30_000);
      if (!('lease' in result)) throw new Error(`expected the lease, got ${JSON.stringify(result)}`);
      expect(result.lease).toEqual({ scope, owner: result.lease.owner, expiresAt: clock.now() + 30_000 });
      expect(result.lease.owner).not.toBe('');
    });

    it('lets exactly one of many racing processes win; the others are told who holds it', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => setup.manager().acquire(scope, 30_000)));
      const winners = results.flatMap((r) => ('lease' in r ? [r.lease] : []));
      const held = results.flatMap((r) => ('heldBy' in r ? [r.heldBy] : []));
      expect(winners).toHaveLength(1);
      expect(held).toHaveLength(7);
      for (const h of held) expect(h).toEqual({ scope, owner: winners[0]?.owner, expiresAt: winners[0]?.expiresAt });
    });

    it('treats two operations of one process as two holders', async () => {
      const manager = setup.manager();
      const [first, second] = await Promise.all([manager.acquire(scope, 30_000), manager.acquire(scope, 30_000)]);
      expect(['lease' in first, 'lease' in second].sort()).toEqual([false, true]);
    });

    it('keeps other scopes independent', async () => {
      const manager = setup.manager();
      expect('lease' in (await manager.acquire(scope, 30_000))).toBe(true);
      expect('lease' in (await manager.acquire(`${scope}-other`, 30_000))).toBe(true);
    });

    it('lets anyone take an expired lease over, and the old holder can neither renew nor release it', async () => {
      const first = await setup.manager().acquire(scope, 2_000);
      if (!('lease' in first)) throw new Error('first acquire must win');
      clock.advance(2_001);
      const second = await setup.manager().acquire(scope, 30_000);
      if (!('lease' in second)) throw new Error(`takeover after expiry must win, got ${JSON.stringify(second)}`);
      expect(second.lease.owner).not.toBe(first.lease.owner);

      expect(await setup.manager().renew(first.lease, 30_000)).toBeNull();
      await setup.manager().release(first.lease);
      const third = await setup.manager().acquire(scope, 30_000);
      expect(third).toEqual({ heldBy: { scope, owner: second.lease.owner, expiresAt: second.lease.expiresAt } });
    });

    it('does not hand out a lease that has not expired yet', async () => {
      const first = await setup.manager().acquire(scope, 2_000);
      if (!('lease' in first)) throw new Error('first acquire must win');
      clock.advance(1_999);
      expect('heldBy' in (await setup.manager().acquire(scope, 30_000))).toBe(true);
    });

    it('renews a lease still held, pushing the expiry out so others stay excluded', async () => {
      const manager = setup.manager();
      const first = await manager.acquire(scope, 2_000);
      if (!('lease' in first)) throw new Error('first acquire must win');
      clock.advance(1_500);
      const renewed = await manager.renew(first.lease, 2_000);
      expect(renewed).toEqual({ scope, owner: first.lease.owner, expiresAt: clock.now() + 2_000 });
      clock.advance(1_500); // past the first expiry, inside the renewed one
      expect('heldBy' in (await setup.manager().acquire(scope, 30_000))).toBe(true);
    });

    it('frees the scope on release', async () => {
      const first = await setup.manager().acquire(scope, 30_000);
      if (!('lease' in first)) throw new Error('first acquire must win');
      await setup.manager().release(first.lease);
      expect('lease' in (await setup.manager().acquire(scope, 30_000))).toBe(true);
    });
  });
}
