import { describe, expect, it } from 'vitest';
import { relativeTime } from '../../../shared/api/dashboard/relative-time.ts';
import { freshnessOf } from '../../../shared/core/staleness.ts';

const NOW = Date.parse('2026-12-07T09:00:00.000Z');
const MIN = 60_000;

describe('freshnessOf', () => {
  it.each([
    { name: 'never swept', last: null, expected: { lastSweepAt: null, ageSeconds: null, stale: true } },
    { name: 'just swept', last: NOW - 5_000, expected: { lastSweepAt: '2026-12-07T08:59:55.000Z', ageSeconds: 5, stale: false } },
    { name: 'one late sweep is not stale', last: NOW - 2 * MIN, expected: { ageSeconds: 120, stale: false } },
    { name: 'past 2 × the interval is stale', last: NOW - 2 * MIN - 1, expected: { ageSeconds: 120, stale: true } },
    { name: 'a clock ahead of ours counts as fresh, never negative', last: NOW + 3_000, expected: { ageSeconds: 0, stale: false } },
  ])('$name', ({ last, expected }) => {
    expect(freshnessOf(last, NOW, MIN)).toMatchObject(expected);
  });
});

describe('relativeTime', () => {
  it.each([
    [NOW - 4_000, '4 s ago'],
    [NOW - 59_000, '59 s ago'],
    [NOW - 2 * MIN - 10_000, '2 min ago'],
    [NOW - 3 * 3_600_000, '3 h ago'],
    [NOW - 2 * 86_400_000, '2 d ago'],
    [NOW + 90_000, 'in 1 min'],
  ])('%s → %s', (at, text) => {
    expect(relativeTime(new Date(at).toISOString(), NOW)).toBe(text);
  });

  it('leaves an unparsable time as it is', () => {
    expect(relativeTime('not a time', NOW)).toBe('not a time');
  });
});
