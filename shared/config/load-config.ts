import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { parseConfig, type ConfigFormat, type ParseConfigOptions } from './parse-config.ts';
import type { SealwatchConfig } from './types.ts';

export interface LoadConfigOptions {
  /** Path of the config file; relative paths resolve against the process working directory. */
  path: string;
  env: Record<string, string | undefined>;
  /** Reads `${ssm:}` / `${secretsmanager:}` secrets at first use; see `ParseConfigOptions`. */
  remoteSecrets?: ParseConfigOptions['remoteSecrets'];
  clock?: ParseConfigOptions['clock'];
  secretTtlMs?: number;
}

/**
 * Reads and validates a config file. `.json` is parsed as JSON; anything else as YAML (a JSON
 * superset, so unknown extensions still accept JSON). References and relative paths resolve
 * against the file's directory.
 *
 * @throws ConfigError with every problem, or a single problem when the file cannot be read.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<SealwatchConfig> {
  const path = resolve(options.path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: describeReadFailure(path, error) }], path);
  }
  const { remoteSecrets, clock, secretTtlMs } = options;
  return parseConfig(text, {
    format: formatFor(path),
    baseDir: dirname(path),
    env: options.env,
    source: path,
    ...(remoteSecrets === undefined ? {} : { remoteSecrets }),
    ...(clock === undefined ? {} : { clock }),
    ...(secretTtlMs === undefined ? {} : { secretTtlMs }),
  });
}

/** Which config file to use: the command-line flag, else `SEALWATCH_CONFIG`, else `./sealwatch.yaml`. */
export function resolveConfigPath(argvPath: string | undefined, env: Record<string, string | undefined>, cwd: string): string {
  const chosen = nonEmpty(argvPath) ?? nonEmpty(env['SEALWATCH_CONFIG']) ?? 'sealwatch.yaml';
  return resolve(cwd, chosen);
}

export function formatFor(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function describeReadFailure(path: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return `config file ${path} does not exist`;
  if (code === 'EISDIR') return `config path ${path} is a directory, not a file`;
  if (code === 'EACCES') return `config file ${path} is not readable (permission denied)`;
  return `cannot read config file ${path}`;
}
