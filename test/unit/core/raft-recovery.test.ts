import { describe, expect, it } from 'vitest';
import { planJoins, planRemoval, trackDeadPeers, type RaftRecord } from '../../../shared/core/raft-recovery.ts';
import { cluster } from './findings/raft-fixtures.ts';

const MIN = 60_000;
const now = Date.UTC(2026, 0, 1);

describe('trackDeadPeers', () => {
  it('keeps the first sighting and drops peers that came back', () => {
    const first = trackDeadPeers(null, cluster(['a', 'b', 'c'], ['c']).autopilot, now);
    expect(first).toEqual({ record: { peers: { c: { deadSince: now } } }, changed: true });
    const again = trackDeadPeers(first.record, cluster(['a', 'b', 'c'], ['c']).autopilot, now + 10 * MIN);
    expect(again).toEqual({ record: first.record, changed: false });
    expect(trackDeadPeers(first.record, cluster(['a', 'b', 'c']).autopilot, now + 20 * MIN)).toEqual({ record: { peers: {} }, changed: true });
  });

  it('writes nothing for a healthy cluster seen for the first time', () => {
    expect(trackDeadPeers(null, cluster(['a', 'b', 'c']).autopilot, now).changed).toBe(false);
  });
});

describe('planJoins', () => {
  it.each([
    [
      [
        ['a', 'active'],
        ['b', 'standby'],
        ['c', 'uninitialized'],
      ],
      'a',
      ['c'],
    ],
    [
      [
        ['a', 'active'],
        ['b', 'sealed'],
        ['c', 'standby'],
      ],
      'a',
      [],
    ],
    [
      [
        ['a', 'sealed'],
        ['b', 'uninitialized'],
      ],
      null,
      [],
    ],
    [
      [
        ['a', 'active'],
        ['b', 'active'],
        ['c', 'uninitialized'],
      ],
      null,
      [],
    ],
  ] as const)('%j', (nodes, leader, join) => {
    expect(planJoins(nodes.map(([nodeId, state]) => ({ nodeId, state })))).toEqual({ leader, join });
  });
});

describe('planRemoval', () => {
  const dead = (ids: string[], since: number): RaftRecord => ({ peers: Object.fromEntries(ids.map((id) => [id, { deadSince: since }])) });
  const decide = (ids: string[], deadIds: string[], deadFor: number, options: { minQuorum?: number; reachable?: string[]; record?: RaftRecord } = {}) =>
    planRemoval({
      ...cluster(ids, deadIds),
      record: options.record ?? dead(deadIds, now - deadFor),
      now,
      afterMs: 30 * MIN,
      minQuorum: options.minQuorum ?? 3,
      reachableConfigured: new Set(options.reachable ?? []),
    });

  it('removes one peer dead longer than `after`', () => {
    expect(decide(['a', 'b', 'c', 'd', 'e'], ['e'], 31 * MIN)).toMatchObject({ remove: 'e', votersAfter: 4, floor: 3 });
  });

  it('removes only the longest-dead one of several', () => {
    const record: RaftRecord = { peers: { d: { deadSince: now - 40 * MIN }, e: { deadSince: now - 50 * MIN } } };
    expect(decide(['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['d', 'e'], 0, { record })).toMatchObject({ remove: 'e' });
  });

  it.each([
    ['not dead long enough', ['a', 'b', 'c', 'd', 'e'], ['e'], 29 * MIN, {}, /long enough/],
    ['quorum lost (3 of 5 dead)', ['a', 'b', 'c', 'd', 'e'], ['c', 'd', 'e'], 60 * MIN, {}, /quorum at stake/],
    ['3 voters, one dead: a bare quorum', ['a', 'b', 'c'], ['c'], 60 * MIN, { minQuorum: 2 }, /quorum at stake/],
    ['below min quorum', ['a', 'b', 'c', 'd', 'e', 'f'], ['f'], 60 * MIN, { minQuorum: 6 }, /below 6/],
    ['below a larger min quorum', ['a', 'b', 'c', 'd', 'e'], ['e'], 60 * MIN, { minQuorum: 5 }, /below 5/],
    ['dead to autopilot but a reachable configured node', ['a', 'b', 'c', 'd', 'e'], ['e'], 60 * MIN, { reachable: ['e'] }, /long enough/],
  ])('holds back: %s', (_name, ids, deadIds, deadFor, options, reason) => {
    const decision = decide(ids, deadIds, deadFor, options);
    expect(decision.remove).toBeNull();
    expect('reason' in decision ? decision.reason : '').toMatch(reason);
  });

  it('holds back with two of five dead: three alive is a bare quorum, none to spare', () => {
    expect(decide(['a', 'b', 'c', 'd', 'e'], ['d', 'e'], 60 * MIN)).toMatchObject({ remove: null, reason: expect.stringMatching(/quorum at stake/) });
  });

  it('removes from seven voters with two dead (5 alive, quorum 4)', () => {
    expect(decide(['a', 'b', 'c', 'd', 'e', 'f', 'g'], ['f', 'g'], 60 * MIN)).toMatchObject({ remove: 'f', votersAfter: 6, floor: 4 });
  });
});
