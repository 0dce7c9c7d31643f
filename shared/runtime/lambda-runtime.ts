import { createAwsSecretResolverFromEnv } from '../adapters/aws-secret-references.ts';
import { createJsonLogger, type LogLevel } from '../adapters/json-logger.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { loadConfig } from '../config/load-config.ts';
import { createRuntime, type Runtime } from './create-runtime.ts';

/**
 * The runtime of a Lambda container, built on the first invocation and reused by later ones
 * (connections, clients and the parsed config survive between invocations).
 */
export function lambdaRuntime(env: { configPath: string; logLevel?: string | undefined; processEnv: Record<string, string | undefined> }): () => Promise<Runtime> {
  let runtime: Promise<Runtime> | undefined;
  return () => {
    runtime ??= (async () => {
      const config = await loadConfig({
        path: env.configPath,
        env: env.processEnv,
        remoteSecrets: createAwsSecretResolverFromEnv(env.processEnv),
        clock: systemClock,
      });
      const logger = createJsonLogger({ level: (env.logLevel as LogLevel | undefined) ?? 'info', write: (line) => process.stdout.write(`${line}\n`) });
      return createRuntime({ config, clock: systemClock, logger });
    })().catch((error: unknown) => {
      // A failed start is not cached: the next invocation tries again (config fixed, store back).
      runtime = undefined;
      throw error;
    });
    return runtime;
  };
}
