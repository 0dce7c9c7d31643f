import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { heartbeatItems, readHeartbeats, writeHeartbeats, type SweepHeartbeat } from '../../../shared/app/sweep-heartbeat.ts';
import { zeroByState } from '../../../shared/app/sweep-report.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import { FakeClock } from '../../support/fake-clock.ts';

const summary = { nodes: 3 } as SweepHeartbeat['summary'];
const heartbeat = (at: string, findings: Finding[] = []): SweepHeartbeat => ({ at, trigger: 'schedule', summary, findings });
const finding = (cluster: string, size: number): Finding => ({ id: 'node.sealed', severity: 'critical', cluster, message: 'x'.repeat(size), evidence: {} });
const NOW_S = Date.UTC(2026, 11, 7) / 1000;

describe('sweep heartbeats', () => {
  it('puts a whole sweep of quiet clusters in one item, and splits large ones below DynamoDB’s 400 KB item limit', () => {
    const quiet = Array.from({ length: 1000 }, (_, i) => ({ clusterId: `c${i}`, heartbeat: heartbeat('2026-12-07T10:00:00.000Z') }));
    expect(heartbeatItems('sweep', quiet, NOW_S)).toHaveLength(1);

    const noisy = Array.from({ length: 100 }, (_, i) => ({ clusterId: `c${i}`, heartbeat: heartbeat('2026-12-07T10:00:00.000Z', [finding(`c${i}`, 10_000)]) }));
    const items = heartbeatItems('sweep', noisy, NOW_S);
    expect(items.length).toBeGreaterThan(2);
    for (const item of items) expect(Buffer.byteLength(JSON.stringify(item.data))).toBeLessThan(400_000);
    // Every cluster exactly once, in keys `sweep#0`, `sweep#1`..., each expiring a week on.
    expect(items.flatMap((i) => Object.keys(i.data.clusters)).sort()).toEqual(noisy.map((n) => n.clusterId).sort());
    expect(items.map((i) => i.sk)).toEqual(items.map((_, n) => `sweep#${n}`));
    expect(new Set(items.map((i) => i.expiresAt))).toEqual(new Set([NOW_S + 7 * 24 * 3600]));
  });

  it('reads back, per cluster, the newest heartbeat of any sweep; null for a cluster never swept', async () => {
    const clock = new FakeClock({ start: NOW_S * 1000 });
    const store = createMemoryStateStore({ clock });
    const all = (at: string) => ['a', 'b', 'c'].map((clusterId) => ({ clusterId, heartbeat: heartbeat(at) }));
    await writeHeartbeats(store, 'sweep', all('2026-12-07T10:00:00.000Z'), NOW_S);
    // A targeted sweep of b, later than the scheduled one.
    await writeHeartbeats(store, 'sweep/b', [{ clusterId: 'b', heartbeat: heartbeat('2026-12-07T10:00:30.000Z', [finding('b', 5)]) }], NOW_S);
    let read = await readHeartbeats(store, ['a', 'b', 'z']);
    expect(read.map((h) => h?.at ?? null)).toEqual(['2026-12-07T10:00:00.000Z', '2026-12-07T10:00:30.000Z', null]);
    expect(read[1]?.findings.map((f) => f.cluster)).toEqual(['b']);

    // The next scheduled sweep is newer than the targeted one: it wins for b too.
    await writeHeartbeats(store, 'sweep', all('2026-12-07T10:01:00.000Z'), NOW_S);
    read = await readHeartbeats(store, ['a', 'b', 'c']);
    expect(read.map((h) => h?.at)).toEqual(['2026-12-07T10:01:00.000Z', '2026-12-07T10:01:00.000Z', '2026-12-07T10:01:00.000Z']);
    expect(read[1]?.findings).toEqual([]);
  });

  it('stores a summary without its zero counts and reads it back with every state counted', async () => {
    const clock = new FakeClock({ start: NOW_S * 1000 });
    const store = createMemoryStateStore({ clock });
    const full = { ...zeroByState(), active: 1, standby: 2 };
    const counted = { nodes: 3, byState: full, activeCount: 1, sealedCount: 0, unreachableCount: 0, clusterIds: [], versions: ['1.19.5'], activeNodes: ['v1'] };
    const beat: SweepHeartbeat = { at: '2026-12-07T10:00:00.000Z', trigger: 'schedule', summary: counted as SweepHeartbeat['summary'], findings: [] };

    const [item] = heartbeatItems('sweep', [{ clusterId: 'a', heartbeat: beat }], NOW_S);
    expect(item?.data.clusters['a']?.summary.byState).toEqual({ active: 1, standby: 2 });
    await writeHeartbeats(store, 'sweep', [{ clusterId: 'a', heartbeat: beat }], NOW_S);
    expect((await readHeartbeats(store, ['a']))[0]?.summary).toEqual(counted);
    // An item written with every count (an earlier sealwatch) reads the same.
    await store.put({
      pk: 'SWEPT',
      sk: 'sweep#0',
      data: { at: beat.at, trigger: 'schedule', clusters: { a: { summary: counted, findings: [] } } },
      condition: { kind: 'any' },
    });
    expect((await readHeartbeats(store, ['a']))[0]?.summary).toEqual(counted);
  });
});
