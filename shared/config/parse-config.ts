import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { buildConfig } from './build-config.ts';
import { checkRelations } from './cross-checks.ts';
import { issuesToProblems, orderProblems } from './problems.ts';
import { readTextFile, type ReferenceContext, type RemoteSecretResolver } from './references.ts';
import { createConfigSchema } from './schema.ts';
import type { SealwatchConfig } from './types.ts';

export type ConfigFormat = 'yaml' | 'json';

export interface ParseConfigOptions {
  format: ConfigFormat;
  /** Directory relative paths in the config are resolved against (the config file's). */
  baseDir: string;
  env: Record<string, string | undefined>;
  /** Reads a file by absolute path; undefined when unreadable. Defaults to the real disk. */
  readFile?: (absolutePath: string) => string | undefined;
  /** Names the source in the ConfigError message (e.g. the file path). */
  source?: string;
  /**
   * Reads `${ssm:}` / `${secretsmanager:}` secrets at first use (see `createAwsSecretResolver`).
   * Without it such secrets still load, but reading one fails with a ConfigError.
   */
  remoteSecrets?: RemoteSecretResolver;
  /** Time for the remote-secret cache; defaults to the system clock. */
  clock?: { now(): number };
  /** How long a remote secret value is reused before it is read again (default 5 minutes). */
  secretTtlMs?: number;
}

/**
 * Parses, validates and resolves a configuration text in one synchronous pass.
 *
 * @throws ConfigError listing every problem found: syntax errors (with line and column), schema
 *   problems, unresolvable references and cross-field rule violations, each with its path.
 */
export function parseConfig(text: string, options: ParseConfigOptions): SealwatchConfig {
  const source = options.source ?? 'configuration';
  const parsed = parseText(text, options.format);
  if (!parsed.ok) throw new ConfigError(parsed.problems, source);

  const clock = options.clock;
  const context: ReferenceContext = {
    env: options.env,
    baseDir: options.baseDir,
    readFile: options.readFile ?? readTextFile,
    ...(options.remoteSecrets === undefined ? {} : { remoteSecrets: options.remoteSecrets }),
    ...(clock === undefined ? {} : { now: () => clock.now() }),
    ...(options.secretTtlMs === undefined ? {} : { secretTtlMs: options.secretTtlMs }),
  };
  if (parsed.value === null || parsed.value === undefined) {
    throw new ConfigError([{ path: '', message: 'the configuration is empty' }], source);
  }
  const schema = createConfigSchema(context);
  const result = schema.safeParse(parsed.value);
  const problems = orderProblems(
    [...(result.success ? [] : issuesToProblems(result.error.issues, parsed.value, schema)), ...checkRelations(parsed.value, context)],
    parsed.value,
  );
  if (!result.success || problems.length > 0) throw new ConfigError(problems, source);
  return buildConfig(result.data, context);
}

type TextResult = { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] };

/**
 * YAML or JSON to plain data. Syntax messages carry line and column but never quote the text
 * around the error, which may hold a secret written inline by mistake.
 */
export function parseText(text: string, format: ConfigFormat): TextResult {
  return format === 'json' ? parseJson(text) : parseYaml(text);
}

function parseYaml(text: string): TextResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `YAML syntax error at line ${line}, column ${col}: ${firstLine(error.message)}` };
      }),
    };
  }
  return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
}

function parseJson(text: string): TextResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    if (position === null) {
      const what = /unexpected end/i.test(message) ? 'unexpected end of input' : 'unexpected token';
      return { ok: false, problems: [{ path: '', message: `JSON syntax error: ${what}` }] };
    }
    const offset = Number(position[1]);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const col = (before[before.length - 1]?.length ?? 0) + 1;
    // V8's text before "in JSON" names the expectation, e.g. "Expected ',' or '}' after property value".
    const reason = message.split(' in JSON')[0] ?? 'invalid JSON';
    return { ok: false, problems: [{ path: '', message: `JSON syntax error at line ${line}, column ${col}: ${reason}` }] };
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}
