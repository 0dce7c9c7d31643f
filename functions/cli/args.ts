import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SealwatchError } from '../../shared/errors.ts';
import type { CliCommand, CliIo } from './io.ts';
import { reportError, UsageError } from './report-error.ts';

export { UsageError } from './report-error.ts';

/** Strict `parseArgs` whose errors become UsageErrors with the command's usage text. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string, allowPositionals = false) {
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
type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O & HelpOption; strict: true; allowPositionals: true }>>;

/**
 * A command with the parts every command shares: strict option parsing, `--help`/`-h` printing
 * the usage (exit 0), usage errors printed with the usage (exit 1) and sealwatch's own errors
 * printed as one line `sealwatch <name>: message — hint` with any listed problems (exit 1), as
 * one JSON line when `--json` was given (see reportError). Other errors (bugs) propagate to the
 * dispatcher. `run` gets the parsed values and positionals.
 */
export function defineCommand<const O extends OptionsConfig>(spec: {
  /** e.g. `keys import` (default: the first word after `usage: sealwatch`). */
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
      if (!(error instanceof UsageError) && !(error instanceof SealwatchError)) throw error;
      return reportError(io, spec.name ?? commandNameOf(spec.usage), error, argv.includes('--json'));
    }
  };
}

/** The value of a required option, or a usage error naming it. */
export function requireOption<T>(value: T | undefined, flag: string, usage: string): T {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required\n\n${usage}`);
  return value;
}

/** `usage: sealwatch serve [--config FILE]` → `serve`. */
export function commandNameOf(usage: string): string {
  return /^usage: sealwatch ([a-z][a-z-]*)/.exec(usage)?.[1] ?? 'sealwatch';
}

/**
 * A command made of subcommands (`keys import|status|rewrap`, `config check`): `--help`, `-h`
 * or `help` print the usage (exit 0); a missing or unknown subcommand prints it on stderr
 * (exit 1); anything else runs the subcommand, itself a {@link defineCommand}, with the rest.
 */
export function defineCommandGroup(spec: { name: string; usage: string; subcommands: Record<string, CliCommand> }): CliCommand {
  return async (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(`${spec.usage}\n`);
      return 0;
    }
    const command = sub === undefined ? undefined : spec.subcommands[sub];
    if (!command) {
      io.stderr(`${sub === undefined ? '' : `sealwatch ${spec.name}: unknown subcommand "${sub}"\n\n`}${spec.usage}\n`);
      return 1;
    }
    return command(rest, io);
  };
}
