/** What a CLI command may touch, injected so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whole standard input as text (shares arrive this way, never as arguments). */
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A command: arguments after its name, returns the process exit code. */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;
