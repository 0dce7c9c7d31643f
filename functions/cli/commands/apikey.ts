import { API_SCOPES, type ApiKeyInfo, type ApiKeyService, type ApiScope } from '../../../shared/app/api-keys.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { defineCommand, UsageError } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';
import { reportError } from '../report-error.ts';

const USAGE = `usage: sealwatch apikey create --name NAME --scopes read[,operate][,admin] [--json] [--config FILE]
       sealwatch apikey revoke ID [--json] [--config FILE]
       sealwatch apikey list [--json] [--config FILE]

API keys for the operator routes of the HTTP API. Scopes: read (GET routes), operate (sweep,
recover, silences; includes read), admin (audit; includes everything). The key is printed once,
by create; sealwatch stores only its SHA-256. A running \`sealwatch serve\` accepts a new key at
once (with the embedded store this command uses the store through serve).

Exit status: 0 done, 1 usage or configuration error, 2 unknown key id.`;

/** `sealwatch apikey create|revoke|list`. */
export const apikeyCommand = defineCommand({
  usage: USAGE,
  allowPositionals: true,
  options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  async run({ values, positionals }, io) {
    const [sub, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}\n\n${USAGE}`);
    if (sub === 'create') {
      if (!values.name) throw new UsageError(`--name is required\n\n${USAGE}`);
      if (!values.scopes) throw new UsageError(`--scopes is required\n\n${USAGE}`);
      const scopes = values.scopes.split(',').map((s) => s.trim());
      const bad = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
      if (bad.length > 0) throw new UsageError(`--scopes: ${bad.join(', ')} not one of ${API_SCOPES.join(', ')}\n\n${USAGE}`);
      return withKeys(io, values, async (keys) => {
        const { key, info } = await keys.create({ name: values.name as string, scopes: scopes as ApiScope[] });
        io.stdout(values.json ? `${JSON.stringify({ ...info, key }, null, 2)}\n` : `${key}\n`);
        io.stderr(`created API key ${info.id} (${info.name}; scopes ${info.scopes.join(',')}). It is shown this once: store it now.\n`);
        return 0;
      });
    }
    if (sub === 'revoke') {
      if (!id) throw new UsageError(`apikey revoke needs the key id\n\n${USAGE}`);
      return withKeys(io, values, async (keys) => {
        const info = await keys.revoke(id);
        io.stdout(values.json ? `${JSON.stringify(info, null, 2)}\n` : `revoked ${info.id} (${info.name}) at ${info.revokedAt}\n`);
        return 0;
      });
    }
    if (sub === 'list') {
      return withKeys(io, values, async (keys) => {
        const list = await keys.list();
        io.stdout(values.json ? `${JSON.stringify(list, null, 2)}\n` : formatList(list));
        return 0;
      });
    }
    throw new UsageError(`${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`}\n\n${USAGE}`);
  },
});

async function withKeys(
  io: Parameters<CliCommand>[1],
  flags: { config?: string | undefined; json?: boolean | undefined },
  run: (keys: ApiKeyService) => Promise<number>,
): Promise<number> {
  const runtime = await loadRuntime(io, flags.config);
  if (!runtime) return 1;
  try {
    return await run(runtime.apiKeys);
  } catch (error) {
    // An unknown key id is exit 2; every other error is reported (exit 1) by defineCommand.
    if (error instanceof NotFoundError) return (reportError(io, 'apikey', error, flags.json === true), 2);
    throw error;
  } finally {
    await runtime.close();
  }
}

function formatList(keys: readonly ApiKeyInfo[]): string {
  if (keys.length === 0) return 'no API keys\n';
  return `${keys.map((k) => `${k.id}  ${k.name.padEnd(24)} ${k.scopes.join(',').padEnd(20)} created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ''}`).join('\n')}\n`;
}
