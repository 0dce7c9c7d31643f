import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SealwatchError, ValidationError } from '../../shared/errors.ts';
import type { CliCommand, CliIo } from './io.ts';

/** Thrown for bad command lines; the dispatcher prints the message and the command's usage. */
export class UsageError extends Error {}

/** Strict `parseArgs` whose errors become UsageErrors with the command's usage text. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export function parseIntOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };
type Parsed<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & HelpOption; strict: true; allowPositionals: true }>
>;

/**
 * A command with the parts every command shares: strict option parsing, `--help`/`-h` printing
 * the usage (exit 0), usage errors printed with the usage (exit 1) and, when `name` is given,
 * sealwatch's own errors printed as `sealwatch <name>: message` with any listed problems
 * (exit 1). `run` gets the parsed values and positionals.
 */
export function defineCommand<const O extends OptionsConfig>(spec: {
  /** e.g. `keys import`; enables the error reporting above. */
  name?: string;
  usage: string;
  options: O;
  allowPositionals?: boolean;
  run: (args: Parsed<O>, io: CliIo) => Promise<number>;
}): CliCommand {
  return async (argv, io) => {
    try {
      const parsed = parseCommandArgs(argv, { ...spec.options, help: { type: 'boolean', short: 'h' } }, spec.usage, spec.allowPositionals ?? false);
      if ((parsed.values as { help?: boolean }).help) {
        io.stdout(`${spec.usage}\n`);
        return 0;
      }
      return await spec.run(parsed as unknown as Parsed<O>, io);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`${error.message}\n`);
        return 1;
      }
      if (spec.name !== undefined && error instanceof SealwatchError) {
        const problems = error instanceof ValidationError ? error.problems.map((p) => `  - ${p}\n`).join('') : '';
        io.stderr(`sealwatch ${spec.name}: ${error.message}\n${problems}`);
        return 1;
      }
      throw error;
    }
  };
}

/** The value of a required option, or a usage error naming it. */
export function requireOption<T>(value: T | undefined, flag: string, usage: string): T {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required\n\n${usage}`);
  return value;
}
