import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createJsonLogger, type LogLevel } from '../../shared/adapters/json-logger.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import { lambdaRuntime, lambdaWorkQueue } from '../../shared/runtime/lambda-runtime.ts';
import { wireRecoveryJobs } from '../../shared/runtime/recovery-wiring.ts';
import { VERSION } from '../../shared/version.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});
// Recoveries past the request budget go to the worker function through the stack's queue.
const queue = lambdaWorkQueue(process.env);

type LambdaHandler = ReturnType<typeof handle>;
// The runtime's logger does not exist when the runtime cannot start.
const startupLogger = createJsonLogger({
  level: (process.env.SEALWATCH_LOG_LEVEL as LogLevel | undefined) ?? 'info',
  write: (line) => process.stdout.write(`${line}\n`),
});
let lambda: LambdaHandler | undefined;

// Liveness answers from memory, before (and without) loading the config: a bad config or an
// unreachable store is a readiness problem (`/readyz`), not a reason to think the function dead.
const probes = handle(
  new Hono()
    .get('/healthz', (c) => c.json({ ok: true, version: VERSION }))
    .get('/readyz', (c) =>
      c.json({ ok: false, version: VERSION, checks: { config: 'invalid or unreadable; see the function log', stateStore: 'not checked' } }, 503),
    ),
);

/** The HTTP API (API Gateway HTTP API, payload v2) over the same hono app as `sealwatch serve`. */
export async function handler(event: Parameters<LambdaHandler>[0], context: Parameters<LambdaHandler>[1]) {
  if (routeOf(event) === 'GET /healthz') return probes(event, context);
  if (!lambda) {
    let rt;
    try {
      rt = await runtime();
    } catch (error) {
      // Every other route fails the invocation (Lambda logs the error); readiness answers 503.
      if (routeOf(event) === 'GET /readyz') {
        startupLogger.error('api.not_ready', { error });
        return probes(event, context);
      }
      throw error;
    }
    const { jobs } = wireRecoveryJobs({ recovery: rt.recovery, store: rt.store, clock: rt.clock, logger: rt.logger, queue });
    // No /metrics on Lambda: counters there live and die with one instance.
    lambda = handle(createApp(apiDepsFromRuntime(rt, { version: VERSION, auth: { mode: 'api-keys' }, serveMetrics: false, jobs })));
  }
  return lambda(event, context);
}

/** `METHOD /path` of an API Gateway event (HTTP API payload v2, or v1). */
function routeOf(event: unknown): string {
  const e = event as { rawPath?: string; path?: string; httpMethod?: string; requestContext?: { http?: { method?: string } } };
  return `${e.requestContext?.http?.method ?? e.httpMethod ?? ''} ${e.rawPath ?? e.path ?? ''}`;
}
