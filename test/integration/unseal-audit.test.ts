import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { AUDIT_TTL_DAYS, createAuditLog, type AuditEvent } from '../../shared/app/audit-log.ts';
import { FakeClock } from '../support/fake-clock.ts';

// The audit trail's storage contract: key layout, 400-day TTL, identifiers only.

const event = (node: string, outcome: string): AuditEvent => ({
  at: '2026-01-01T00:00:00.000Z',
  trigger: 'schedule',
  action: 'unseal',
  node,
  shareIndexes: [1, 2, 3],
  wrappers: ['aws-1'],
  outcome,
  timings: { unwrapMs: 4, submitMs: 9, totalMs: 15 },
  message: 'unsealed with shares 1, 2, 3',
});

describe('audit log', () => {
  it('stores events under CLUSTER#<id> / AUDIT#<iso>#<random> with a 400-day expiry, newest first', async () => {
    const clock = new FakeClock();
    const store = createMemoryStateStore({ clock });
    const audit = createAuditLog({ store, clock });
    const first = await audit.record('prod', event('vault-0', 'unsealed'));
    clock.advance(1_000);
    await audit.record('prod', event('vault-1', 'wrong-key'));
    await audit.record('dev', event('vault-0', 'unsealed'));

    expect(first).toMatch(/^AUDIT#2026-01-01T00:00:00\.000Z#[0-9a-f]{12}$/);
    const item = await store.get('CLUSTER#prod', first);
    expect(item?.expiresAt).toBe(Date.UTC(2026, 0, 1) / 1000 + AUDIT_TTL_DAYS * 86_400);
    expect((await audit.list('prod')).map((e) => [e.node, e.outcome])).toEqual([
      ['vault-1', 'wrong-key'],
      ['vault-0', 'unsealed'],
    ]);

    clock.advance(AUDIT_TTL_DAYS * 86_400_000);
    expect(await audit.list('prod')).toEqual([]);
  });

  it('persists only the audit fields, whatever else the caller passes', async () => {
    const clock = new FakeClock();
    const store = createMemoryStateStore({ clock });
    const audit = createAuditLog({ store, clock, random: () => 'r1' });
    const sneaky = { ...event('vault-0', 'unsealed'), key: 'should-not-be-stored' } as AuditEvent;
    const sk = await audit.record('prod', sneaky);
    expect(sk).toBe('AUDIT#2026-01-01T00:00:00.000Z#r1');
    expect(Object.keys((await store.get('CLUSTER#prod', sk))?.data ?? {}).sort()).toEqual([
      'action',
      'at',
      'message',
      'node',
      'outcome',
      'shareIndexes',
      'timings',
      'trigger',
      'wrappers',
    ]);
  });
});
