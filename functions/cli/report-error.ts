import { ConfigError, SealwatchError, ValidationError } from '../../shared/errors.ts';
import { cliHint } from './error-hints.ts';
import type { CliIo } from './io.ts';

/** Thrown for bad command lines; the dispatcher prints the message and the command's usage. */
export class UsageError extends Error {}

/** What `--json` prints on stderr when a command fails: one line, this shape. */
export interface JsonError {
  error: {
    command: string;
    /** `usage`, `internal`, or a sealwatch error code (`config_invalid`, `store_locked`, `not_found`…). */
    code: string;
    message: string;
    hint?: string;
    problems?: string[];
  };
}

/**
 * Prints a command's failure the one way every command does, and returns exit status 1:
 * `sealwatch <command>: <message> — <hint>` (listed problems indented below), or with `json` one
 * JSON line ({@link JsonError}). Errors that are not sealwatch's own are bugs: they are named by
 * class and message only (a stack trace only with SEALWATCH_DEBUG=1).
 */
export function reportError(io: CliIo, command: string, error: unknown, json: boolean): number {
  const described = describe(error, command);
  if (json) {
    io.stderr(`${JSON.stringify({ error: { command, ...described } } satisfies JsonError)}\n`);
  } else if (error instanceof UsageError) {
    // The message carries the usage text: it is the help the reader needs.
    io.stderr(`${error.message.startsWith('sealwatch ') ? '' : `sealwatch ${command}: `}${error.message}\n`);
  } else {
    const problems = described.problems?.map((p) => `  - ${p}\n`).join('') ?? '';
    io.stderr(`sealwatch ${command}: ${described.message}${described.hint ? ` — ${described.hint}` : ''}\n${problems}`);
  }
  if (!(error instanceof SealwatchError) && !(error instanceof UsageError) && io.env.SEALWATCH_DEBUG === '1' && error instanceof Error) {
    io.stderr(`${error.stack ?? ''}\n`);
  }
  return 1;
}

const STORE_HINT =
  'the state store did not answer: with state.dynamodb check its region, endpoint and AWS credentials; with the embedded store, whether the sealwatch serve hosting it is still running';

function describe(error: unknown, command: string): JsonError['error'] extends infer E ? Omit<E, 'command'> : never {
  if (error instanceof UsageError) {
    // JSON readers get the first line; the usage text is for people.
    const first = error.message.split('\n')[0] ?? '';
    return { code: 'usage', message: first.replace(/^sealwatch [a-z -]+: /, ''), hint: `run \`sealwatch ${command} --help\`` };
  }
  if (error instanceof ConfigError) {
    const [head] = error.message.split('\n');
    return {
      code: error.code,
      message: (head ?? '').replace(/:$/, ''),
      problems: error.problems.map((p) => `${p.path || '(root)'}: ${p.message}`),
      hint: 'fix the file (`sealwatch config check FILE` lists every problem)',
    };
  }
  if (error instanceof SealwatchError) {
    const problems = error instanceof ValidationError && error.problems.length > 0 ? { problems: [...error.problems] } : {};
    const hint = error.hint ?? cliHint(error) ?? (error.code === 'unavailable' && error.message.startsWith('DynamoDB ') ? STORE_HINT : undefined);
    return { code: error.code, message: error.message, ...(hint === undefined ? {} : { hint }), ...problems };
  }
  const what = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);
  return { code: 'internal', message: `internal error (${what})`, hint: 'this is a bug in sealwatch; SEALWATCH_DEBUG=1 prints the stack trace for a report' };
}
