import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../functions/cli/control-plane.ts';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { notificationOf } from '../../../shared/core/incidents/evaluate.ts';
import type { AlertChannel, Notification } from '../../../shared/ports/alert-channel.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';

// `serve` drains the outbox on its own timer: an entry queued between sweeps goes out without
// waiting for the next sweep (an hour away here).

let runtime: Runtime | undefined;
let plane: ControlPlane | undefined;
afterAll(async () => {
  await plane?.stop();
  await runtime?.close();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('serve drain timer', () => {
  it('delivers an entry queued between sweeps within a few drain intervals', async () => {
    const sent: Notification[] = [];
    const channel: AlertChannel = { id: 'rec', kind: 'webhook', send: async (n) => (sent.push(n), { ok: true, status: 200 }) };
    const config: SealwatchConfig = {
      state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
      sweep: { concurrency: 4, nodeTimeoutMs: 500, intervalSeconds: 3600 },
      wrappers: [],
      clusters: [{ id: 'prod', name: 'prod', nodes: [{ id: 'v0', url: `http://127.0.0.1:${await closedPort()}`, insecureHttp: true }] }],
    };
    const store = createMemoryStateStore({ clock: systemClock });
    runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, store, alertChannels: [channel] });
    let firstReport: (r: SweepReport) => void = () => {};
    const swept = new Promise<SweepReport>((resolve) => (firstReport = resolve));
    plane = await startControlPlane(runtime, {
      host: '127.0.0.1',
      port: 0,
      intervalMs: 3_600_000,
      version: 'test',
      auth: 'open-loopback-demo',
      onReport: (r) => firstReport(r),
      drainIntervalMs: 50,
    });
    await swept;

    const now = new Date().toISOString();
    const queued = notificationOf(
      'trigger',
      {
        dedupKey: 'sealwatch:prod:-:test.timer',
        cluster: 'prod',
        findingId: 'test.timer',
        severity: 'critical',
        message: 'queued between sweeps',
        evidence: {},
        openedAt: now,
      },
      now,
    );
    await runtime.alerting.outbox.enqueue(queued, ['rec']);
    const started = Date.now();
    while (!sent.some((n) => n.id === queued.id) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    expect(sent.filter((n) => n.id === queued.id)).toHaveLength(1);
    expect((await runtime.alerting.outbox.list(queued.id)).map((i) => i.data.state)).toEqual(['delivered']);
  });
});
