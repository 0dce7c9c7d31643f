import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/api/create-app.ts';
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
    const { clusters, store, logger } = await runtime();
    lambda = handle(createApp({ clusters, store, logger, version: VERSION }));
  }
  return lambda(event, context);
}
