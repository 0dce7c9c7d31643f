import { createAwsSecretResolverFromEnv } from '../../shared/adapters/aws-secret-references.ts';
import { createJsonLogger, type LogLevel } from '../../shared/adapters/json-logger.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { loadConfig, resolveConfigPath } from '../../shared/config/load-config.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';
import type { CliIo } from './io.ts';

/**
 * Loads the configuration and builds the runtime. With the embedded store the runtime joins a
 * running `sealwatch serve` (or opens the store alone); `hostStore` makes this process the host.
 *
 * @throws ConfigError listing every configuration problem; the store's errors (locked, damaged,
 *   unreachable) as UnavailableError with a hint. Commands report them in one place (reportError).
 *   The `null` of the type is for injected loaders in tests.
 */
export async function loadRuntime(io: CliIo, configFlag: string | undefined, options: { hostStore?: boolean | 'if-first' } = {}): Promise<Runtime | null> {
  const path = resolveConfigPath(configFlag, io.env, io.cwd);
  const config = await loadConfig({ path, env: io.env, remoteSecrets: createAwsSecretResolverFromEnv(io.env), clock: systemClock });
  // Logs go to stderr so stdout stays the command's output (JSON reports).
  const logger = createJsonLogger({ level: logLevel(io.env.SEALWATCH_LOG_LEVEL), write: (line) => io.stderr(`${line}\n`) });
  return await createRuntime({ config, clock: systemClock, logger, env: io.env, hostEmbeddedStore: options.hostStore ?? false });
}

export function logLevel(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' || value === 'silent' ? value : 'warn';
}

/** Says a cluster id is not configured, listing the ones that are (reported with exit status 1). */
export function unknownCluster(_io: CliIo, _command: string, id: string, known: readonly string[]): never {
  throw new NotFoundError(`no cluster "${id}" is configured (known: ${known.join(', ')})`);
}
