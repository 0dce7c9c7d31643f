import { describe, expect, it } from 'vitest';
import { runServeWatchScenario } from '../../support/serve-watch-scenario.ts';

// Timing is the benchmark's job (npm run bench:discovery, target 2 s); this checks the behaviour
// across processes: serve watches, the restarted pod is unsealed at its new IP without the
// scheduled sweep (interval 1 h), and its old address is left alone afterwards.
describe('sealwatch serve watching EndpointSlices (separate processes, embedded store)', () => {
  it('unseals a pod restarted with a new IP from the endpoint change alone', async () => {
    const { runs, watchers } = await runServeWatchScenario({ runs: 2, deadlineMs: 10_000 });
    expect(runs).toHaveLength(2);
    expect(new Set(runs.map((r) => r.newAddress)).size).toBe(2);
    expect(runs.map((r) => r.oldAddressContacts)).toEqual([0, 0]);
    expect(watchers).toBe(1);
  }, 60_000);
});
