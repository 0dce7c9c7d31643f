import { describe, expect, it } from 'vitest';
import type { Finding, Severity } from '../../../../shared/core/finding.ts';
import { dedupKeyOf } from '../../../../shared/core/incidents/dedup-key.ts';
import { evaluateIncidents } from '../../../../shared/core/incidents/evaluate.ts';
import type { IncidentPolicy, IncidentsState, Silence } from '../../../../shared/core/incidents/types.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const MIN = 60_000;
const policy: IncidentPolicy = { openAfter: { critical: 1, warning: 2 }, resolveAfter: 2, remindEveryMs: 60 * MIN, silences: [] };

const sealed = (severity: Severity = 'critical', node = 'vault-1'): Finding => ({
  id: 'node.sealed',
  severity,
  cluster: 'prod',
  node,
  message: `${node} is sealed`,
  evidence: { httpStatus: 503 },
});

/** Runs a sequence of sweeps (one minute apart); each step lists the findings present. */
function run(steps: (Finding[] | { findings: Finding[]; at?: number; silences?: Silence[] })[], p: IncidentPolicy = policy) {
  let state: IncidentsState = {};
  const kinds: string[][] = [];
  const writes: boolean[] = [];
  steps.forEach((step, i) => {
    const s = Array.isArray(step) ? { findings: step } : step;
    const result = evaluateIncidents(
      state,
      { clusters: ['prod'], findings: s.findings, events: [] },
      { ...p, silences: s.silences ?? p.silences },
      s.at ?? T0 + i * MIN,
    );
    state = result.nextState;
    kinds.push(result.notifications.map((n) => n.kind));
    writes.push(result.changed.includes('prod'));
  });
  return { state, kinds, writes };
}

describe('evaluateIncidents', () => {
  it.each([
    { name: 'critical opens on first sight', steps: [[sealed()]], expected: [['trigger']] },
    { name: 'warning waits for two sweeps', steps: [[sealed('warning')], [sealed('warning')]], expected: [[], ['trigger']] },
    { name: 'warning seen once then gone never opens', steps: [[sealed('warning')], [], [sealed('warning')], []], expected: [[], [], [], []] },
    {
      name: 'flapping every sweep is one incident, one page',
      steps: [[sealed()], [], [sealed()], [], [sealed()], [], [sealed()]],
      expected: [['trigger'], [], [], [], [], [], []],
    },
    { name: 'resolves after two healthy sweeps', steps: [[sealed()], [], []], expected: [['trigger'], [], ['resolve']] },
    { name: 'a new incident after resolution pages again', steps: [[sealed()], [], [], [sealed()]], expected: [['trigger'], [], ['resolve'], ['trigger']] },
    {
      name: 'severity change updates the open incident',
      steps: [[sealed('warning')], [sealed('warning')], [sealed('critical')]],
      expected: [[], ['trigger'], ['update']],
    },
    { name: 'info findings never open incidents', steps: [[sealed('info')], [sealed('info')]], expected: [[], []] },
  ])('$name', ({ steps, expected }) => {
    expect(run(steps).kinds).toEqual(expected);
  });

  it('uses the configured thresholds', () => {
    const strict = { ...policy, openAfter: { critical: 3, warning: 2 }, resolveAfter: 3 };
    expect(run([[sealed()], [sealed()], [sealed()], [], [], []], strict).kinds).toEqual([[], [], ['trigger'], [], [], ['resolve']]);
  });

  it('reminds open critical incidents every remindEvery, not warnings', () => {
    const at = (m: number) => T0 + m * MIN;
    const critical = run([
      { findings: [sealed()], at: at(0) },
      { findings: [sealed()], at: at(59) },
      { findings: [sealed()], at: at(60) },
      { findings: [sealed()], at: at(100) },
      { findings: [sealed()], at: at(120) },
    ]);
    expect(critical.kinds).toEqual([['trigger'], [], ['reminder'], [], ['reminder']]);
    const warning = run([0, 1, 70, 200].map((m) => ({ findings: [sealed('warning')], at: at(m) })));
    expect(warning.kinds).toEqual([[], ['trigger'], [], []]);
  });

  it('sends no reminders for an acknowledged incident, but still its update and resolve; the acknowledgement survives sweeps', () => {
    const at = (m: number) => T0 + m * MIN;
    const opened = evaluateIncidents({}, { clusters: ['prod'], findings: [sealed()], events: [] }, policy, at(0)).nextState;
    const key = 'sealwatch:prod:vault-1:node.sealed';
    const entry = opened.prod?.entries[key];
    if (!entry) throw new Error('no incident');
    let state: IncidentsState = { prod: { entries: { [key]: { ...entry, acknowledged: { at: new Date(at(1)).toISOString(), by: 'bob' } } } } };
    const kinds: string[][] = [];
    for (const [m, findings] of [
      [60, [sealed()]],
      [130, [sealed()]],
      [131, [sealed('warning')]],
      [132, []],
      [133, []],
    ] as const) {
      const result = evaluateIncidents(state, { clusters: ['prod'], findings: [...findings], events: [] }, policy, at(m));
      state = result.nextState;
      kinds.push(result.notifications.map((n) => n.kind));
      if (m === 130) expect(state.prod?.entries[key]?.acknowledged?.by).toBe('bob');
    }
    expect(kinds).toEqual([[], [], ['update'], [], ['resolve']]);
  });

  it('writes only while something changes (pending counts, opening, resolving)', () => {
    const { writes } = run([[sealed('warning')], [sealed('warning')], [sealed('warning')], [sealed('warning')], [], []]);
    expect(writes).toEqual([true, true, false, false, true, true]);
    expect(run([[], []]).writes).toEqual([false, false]);
  });

  it('keys conditions by cluster, node and finding id', () => {
    const { state, kinds } = run([[sealed('critical', 'vault-1'), sealed('critical', 'vault-2'), { ...sealed(), node: 'vault-1' }]]);
    expect(kinds).toEqual([['trigger', 'trigger']]);
    expect(Object.keys(state.prod?.entries ?? {}).sort()).toEqual([dedupKeyOf('prod', 'vault-1', 'node.sealed'), dedupKeyOf('prod', 'vault-2', 'node.sealed')]);
    expect(dedupKeyOf('prod', undefined, 'raft.quorum')).toBe('sealwatch:prod:-:raft.quorum');
  });

  it('notifications carry the dedup key, severity and a stable id per kind and instant', () => {
    const result = evaluateIncidents({}, { clusters: ['prod'], findings: [sealed()], events: [] }, policy, T0);
    const [n] = result.notifications;
    expect(n?.dedupKey).toBe('sealwatch:prod:vault-1:node.sealed');
    expect(n?.severity).toBe('critical');
    expect(n?.title).toContain('prod/vault-1');
    expect(n?.id).toBe(evaluateIncidents({}, { clusters: ['prod'], findings: [sealed()], events: [] }, policy, T0).notifications[0]?.id);
  });

  it('leaves clusters that were not observed alone', () => {
    const first = evaluateIncidents({}, { clusters: ['prod'], findings: [sealed()], events: [] }, policy, T0);
    const second = evaluateIncidents(first.nextState, { clusters: ['dev'], findings: [], events: [] }, policy, T0 + MIN);
    const third = evaluateIncidents(second.nextState, { clusters: ['dev'], findings: [], events: [] }, policy, T0 + 2 * MIN);
    expect(third.nextState.prod?.entries[dedupKeyOf('prod', 'vault-1', 'node.sealed')]?.status).toBe('open');
    expect([...second.notifications, ...third.notifications]).toEqual([]);
  });

  it('turns events into info notifications without an incident', () => {
    const event: Finding = { id: 'node.unsealed', severity: 'info', cluster: 'prod', node: 'vault-1', message: 'unsealed by sealwatch', evidence: {} };
    const result = evaluateIncidents({}, { clusters: ['prod'], findings: [], events: [event] }, policy, T0);
    expect(result.notifications.map((n) => [n.kind, n.severity])).toEqual([['info', 'info']]);
    expect(result.changed).toEqual([]);
  });

  describe('silences', () => {
    const silence = (over: Partial<Silence> = {}): Silence => ({
      id: 'sil-1',
      cluster: 'prod',
      createdBy: 'alice',
      comment: 'maintenance',
      createdAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 30 * MIN).toISOString(),
      ...over,
    });

    it.each([
      { name: 'cluster-wide', s: silence(), muted: true },
      { name: 'matching node', s: silence({ node: 'vault-1' }), muted: true },
      { name: 'other node', s: silence({ node: 'vault-2' }), muted: false },
      { name: 'matching finding', s: silence({ finding: 'node.sealed' }), muted: true },
      { name: 'other finding', s: silence({ finding: 'raft.quorum' }), muted: false },
      { name: 'other cluster', s: silence({ cluster: 'dev' }), muted: false },
      { name: 'expired', s: silence({ expiresAt: new Date(T0 - 1).toISOString() }), muted: false },
    ])('$name silence → muted: $muted', ({ s, muted }) => {
      expect(run([{ findings: [sealed()], silences: [s] }]).kinds).toEqual([muted ? [] : ['trigger']]);
    });

    it('pages once the silence ends if the incident is still open, and resolves quietly if it never paged', () => {
      const s = [silence()];
      const still = run([
        { findings: [sealed()], at: T0, silences: s },
        { findings: [sealed()], at: T0 + 10 * MIN, silences: s },
        { findings: [sealed()], at: T0 + 31 * MIN, silences: s },
        { findings: [], at: T0 + 32 * MIN, silences: s },
        { findings: [], at: T0 + 33 * MIN, silences: s },
      ]);
      expect(still.kinds).toEqual([[], [], ['trigger'], [], ['resolve']]);
      const quiet = run([
        { findings: [sealed()], at: T0, silences: s },
        { findings: [], at: T0 + MIN, silences: s },
        { findings: [], at: T0 + 2 * MIN, silences: s },
      ]);
      expect(quiet.kinds).toEqual([[], [], []]);
      expect(quiet.state.prod?.entries).toEqual({});
    });

    it('mutes reminders but not the resolve of an incident that paged', () => {
      const s = [silence({ createdAt: new Date(T0 + MIN).toISOString(), expiresAt: new Date(T0 + 300 * MIN).toISOString() })];
      const { kinds } = run([
        { findings: [sealed()], at: T0 },
        { findings: [sealed()], at: T0 + 61 * MIN, silences: s },
        { findings: [], at: T0 + 62 * MIN, silences: s },
        { findings: [], at: T0 + 63 * MIN, silences: s },
      ]);
      expect(kinds).toEqual([['trigger'], [], [], ['resolve']]);
    });

    it('without a condition seen now, silences change nothing (the incident service skips reading them then)', () => {
      const everything = silence({ expiresAt: new Date(T0 + 600 * MIN).toISOString() });
      // Open, pending and resolving incidents, and a one-off event, with only info findings seen.
      const opened = run([[sealed(), sealed('warning', 'vault-2')], [sealed(), sealed('warning', 'vault-2')], [sealed('warning', 'vault-3')]]).state;
      const observations = { clusters: ['prod'], findings: [sealed('info', 'vault-4')], events: [{ ...sealed('info'), id: 'node.unsealed' }] };
      for (const at of [T0 + 3 * MIN, T0 + 200 * MIN]) {
        const without = evaluateIncidents(opened, observations, policy, at);
        const withSilence = evaluateIncidents(opened, observations, { ...policy, silences: [everything] }, at);
        expect(withSilence).toEqual(without);
        expect(without.changed).toEqual(['prod']);
        expect(without.notifications.map((n) => n.kind)).toEqual(['resolve', 'resolve', 'info']);
      }
    });
  });
});
