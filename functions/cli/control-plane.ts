import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../../shared/api/create-app.ts';
import { UnavailableError } from '../../shared/errors.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import type { SweepReport } from '../../shared/app/sweep-types.ts';
import type { Runtime } from '../../shared/runtime/create-runtime.ts';

export interface ControlPlane {
  url: string;
  stop(): Promise<void>;
}

/** Limits of the HTTP server against slow or greedy clients (Node's defaults are looser). */
export interface HttpServerLimits {
  /** Time for a client to send the request headers (slowloris). Default 10 s. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included. Default the API's `limits.timeoutMs` + 5 s. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are closed at once. Default 256. */
  maxConnections: number;
  /** How often Node checks the two timeouts above. Default 1 s (Node's is 30 s). */
  checkIntervalMs: number;
}

export function defaultHttpLimits(apiTimeoutMs: number | undefined): HttpServerLimits {
  return {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: (apiTimeoutMs ?? 25_000) + 5_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 256,
    checkIntervalMs: 1_000,
  };
}

/**
 * The local control plane: the API on `host:port` and a scheduler that sweeps every
 * `intervalMs` (never overlapping: the next sweep is scheduled when one ends).
 *
 * @throws UnavailableError `port_in_use` (or `listen_failed`) with a hint naming --port/--host
 *   when the address cannot be listened on.
 */
export async function startControlPlane(
  runtime: Runtime,
  options: {
    host: string;
    port: number;
    intervalMs: number;
    version: string;
    onReport: (report: SweepReport) => void;
    drainIntervalMs?: number;
    /** Required: `api-keys` (serve) or `open-loopback-demo` (the demo; refused unless `host` is loopback). */
    auth: 'api-keys' | 'open-loopback-demo';
    http?: Partial<HttpServerLimits>;
  },
): Promise<ControlPlane> {
  // The bind goes with the mode: createApp refuses an open API that would listen beyond loopback.
  const auth = options.auth === 'api-keys' ? { mode: 'api-keys' as const } : { mode: 'open-loopback-demo' as const, bind: options.host };
  const app = createApp(apiDepsFromRuntime(runtime, { version: options.version, auth, serveMetrics: true }));
  const limits = { ...defaultHttpLimits(runtime.config.api?.limits.timeoutMs), ...options.http };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: options.host,
        port: options.port,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: limits.checkIntervalMs,
        },
      },
      () => resolve(s),
    );
    (s as Server).maxConnections = limits.maxConnections;
    s.once('error', (error) => reject(listenError(error, options.host, options.port)));
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

/** A listen failure as one line a person can act on. */
function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new UnavailableError(`port ${port} on ${host} is already in use (another program, or another sealwatch serve)`, {
      cause: error,
      code: 'port_in_use',
      hint: `pick another port with --port P (--port 0 picks a free one)`,
    });
  }
  if (code === 'EACCES') {
    return new UnavailableError(`not allowed to listen on port ${port} on ${host}`, {
      cause: error,
      code: 'listen_failed',
      hint: 'ports below 1024 need privileges: use --port 8080 or above',
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new UnavailableError(`cannot listen on ${host}: no such address on this machine`, {
      cause: error,
      code: 'listen_failed',
      hint: 'use --host 127.0.0.1 (or an address this machine has)',
    });
  }
  return new UnavailableError(`cannot listen on ${host}:${port} (${code ?? 'unknown error'})`, { cause: error, code: 'listen_failed' });
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
