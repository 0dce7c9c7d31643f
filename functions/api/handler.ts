import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/api/create-app.ts';
import { apiDepsFromRuntime } from '../../shared/runtime/api-deps.ts';
import { lambdaRuntime } from '../../shared/runtime/lambda-runtime.ts';
import { VERSION } from '../../shared/version.ts';

const runtime = lambdaRuntime({
  configPath: process.env.SEALWATCH_CONFIG ?? 'sealwatch.yaml',
  logLevel: process.env.SEALWATCH_LOG_LEVEL,
  processEnv: process.env,
});

let lambda: ReturnType<typeof handle> | undefined;

/** The HTTP API (API Gateway HTTP API, payload v2) over the same hono app as `sealwatch serve`. */
export async function handler(event: Parameters<ReturnType<typeof handle>>[0], context: Parameters<ReturnType<typeof handle>>[1]) {
  if (!lambda) {
    // No /metrics on Lambda: counters there live and die with one instance.
    lambda = handle(createApp(apiDepsFromRuntime(await runtime(), { version: VERSION, authenticate: true, serveMetrics: false })));
  }
  return lambda(event, context);
}
