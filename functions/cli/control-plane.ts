import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../shared/api/create-app.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import type { Runtime } from '../../shared/runtime/create-runtime.ts';

export interface ControlPlane {
  url: string;
  stop(): Promise<void>;
}

/**
 * The local control plane: the API on `host:port` and a scheduler that sweeps every
 * `intervalMs` (never overlapping: the next sweep is scheduled when one ends).
 */
export async function startControlPlane(
  runtime: Runtime,
  options: { host: string; port: number; intervalMs: number; version: string; onReport: (report: SweepReport) => void; drainIntervalMs?: number; authenticate?: boolean },
): Promise<ControlPlane> {
  // `serve` requires API keys; the simulated demo leaves them off (its default).
  const app = createApp(apiDepsFromRuntime(runtime, { version: options.version, authenticate: options.authenticate ?? false, serveMetrics: true }));
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runtime.sweep
      .run({ trigger: 'schedule' })
      .then(options.onReport, (error: unknown) => runtime.logger.error('sweep.failed', { error }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  tick();

  // Retries wait for their due time, not for the next sweep: the outbox drains on its own timer.
  let drainTimer: NodeJS.Timeout | undefined;
  let draining: Promise<void> = Promise.resolve();
  const drainTick = () => {
    draining = runtime.alerting.drain
      .run()
      .then(
        () => undefined,
        (error: unknown) => runtime.logger.error('outbox.drain_failed', { error }),
      )
      .finally(() => {
        if (!stopped) drainTimer = setTimeout(drainTick, options.drainIntervalMs ?? 5_000);
      });
  };
  drainTimer = setTimeout(drainTick, options.drainIntervalMs ?? 5_000);

  return {
    url: `http://${options.host}:${port}`,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      await running;
      await draining;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves on SIGINT or SIGTERM, so long-running commands can shut down cleanly. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const handler = (signal: string) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
