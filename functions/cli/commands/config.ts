import { defineCommandGroup } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { configCheckCommand } from './config-check.ts';

const USAGE = `usage: sealwatch config <subcommand>

subcommands:
  check    validate a configuration file and list every problem at once

Run 'sealwatch config check --help' for its options.`;

/** `sealwatch config <subcommand>`; only `check` exists today. */
export const configCommand: CliCommand = defineCommandGroup({ name: 'config', usage: USAGE, subcommands: { check: configCheckCommand } });
