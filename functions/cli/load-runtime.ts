import { createAwsSecretResolverFromEnv } from '../../shared/adapters/aws-secret-references.ts';
import { createJsonLogger, type LogLevel } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { loadConfig, resolveConfigPath } from '../../shared/config/load-config.ts';
import { ConfigError } from '../../shared/errors.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import type { CliIo } from './io.ts';

/** Loads the configuration and builds the runtime; config problems are printed, all at once. */
export async function loadRuntime(io: CliIo, configFlag: string | undefined): Promise<Runtime | null> {
  const path = resolveConfigPath(configFlag, io.env, io.cwd);
  try {
    const config = await loadConfig({ path, env: io.env, remoteSecrets: createAwsSecretResolverFromEnv(io.env), clock: systemClock });
    // Logs go to stderr so stdout stays the command's output (JSON reports).
    const logger = createJsonLogger({ level: logLevel(io.env.SEALWATCH_LOG_LEVEL), write: (line) => io.stderr(`${line}\n`) });
    return await createRuntime({ config, clock: systemClock, logger });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return null;
    }
    throw error;
  }
}

export function logLevel(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' || value === 'silent' ? value : 'warn';
}

/** Says a cluster id is not configured, listing the ones that are; returns exit status 1. */
export function unknownCluster(io: CliIo, command: string, id: string, known: readonly string[]): number {
  io.stderr(`sealwatch ${command}: no cluster "${id}" is configured (known: ${known.join(', ')})\n`);
  return 1;
}
