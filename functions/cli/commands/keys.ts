import type { CliCommand } from '../io.ts';
import { createKeysImportCommand } from './keys-import.ts';
import { createKeysRewrapCommand } from './keys-rewrap.ts';
import type { CustodyCommandDeps } from './keys-runtime.ts';
import { createKeysStatusCommand } from './keys-status.ts';

export type { CustodyCommandDeps } from './keys-runtime.ts';

const USAGE = `usage: sealwatch keys <subcommand> --cluster ID [options]

subcommands:
  import   store the shares of \`vault operator init -format=json\` (stdin) in custody
  status   what custody holds, whether it can be unwrapped now, what outage it survives
  rewrap   re-encrypt shares under another wrapper (migration or rotation)

Run 'sealwatch keys <subcommand> --help' for its options.`;

/** `sealwatch keys <import|status|rewrap>`; `deps` are for tests (see CustodyCommandDeps). */
export function createKeysCommand(deps: CustodyCommandDeps = {}): CliCommand {
  const subcommands: Record<string, CliCommand> = {
    import: createKeysImportCommand(deps),
    status: createKeysStatusCommand(deps),
    rewrap: createKeysRewrapCommand(deps),
  };
  return async (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === 'help') return (io.stdout(`${USAGE}\n`), 0);
    const command = sub === undefined ? undefined : subcommands[sub];
    if (!command) {
      io.stderr(`${sub === undefined ? '' : `sealwatch keys: unknown subcommand "${sub}"\n\n`}${USAGE}\n`);
      return 1;
    }
    return command(rest, io);
  };
}

export const keysCommand: CliCommand = createKeysCommand();
