import { defineCommandGroup } from '../args.ts';
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
  return defineCommandGroup({ name: 'keys', usage: USAGE, subcommands });
}

export const keysCommand: CliCommand = createKeysCommand();
