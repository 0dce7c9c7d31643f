import type { CliCommand } from '../io.ts';
import { configCheckCommand } from './config-check.ts';

/** `sealwatch config <subcommand>`; only `check` exists today. */
export const configCommand: CliCommand = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === 'check') return configCheckCommand(rest, io);
  const usage = 'usage: sealwatch config check [FILE] [--json]\n';
  if (sub === '--help' || sub === '-h') return (io.stdout(usage), 0);
  io.stderr(usage);
  return 1;
};
