import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import { observeNode } from '../../../shared/app/observe-node.ts';
import { classifyNode } from '../../../shared/core/classify-node.ts';
import type { NodeView } from '../../../shared/core/node-state.ts';
import { describeError } from '../../../shared/errors.ts';
import type { VaultTarget } from '../../../shared/ports/vault-client.ts';
import type { CliCommand } from '../io.ts';
import { defineCommand, UsageError } from '../args.ts';

const USAGE = `usage: sealwatch probe [URL...] [--ca FILE] [--insecure-http] [--timeout MS] [--json]

Looks at each Vault/OpenBao node once (sys/health and sys/seal-status, in parallel) and prints
its state. Without a URL it probes $VAULT_ADDR, as the vault CLI does.

Exit status (as \`vault status\`): 0 every node answered and is unsealed, 2 a node is sealed,
uninitialized or unreachable, 1 on a usage error.

  --ca FILE         PEM bundle the nodes' certificates must chain to (default: $VAULT_CACERT,
                    then the system CAs)
  --insecure-http   allow plain http:// URLs (dev only)
  --timeout MS      deadline per node, default 5000
  --json            print a JSON array, one object per URL in argument order`;

const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_TIMEOUT_MS = 600_000;

/** One probed node: the `probe --json` contract. */
export type ProbeResult = { url: string } & NodeView;

interface ProbeArgs {
  urls: string[];
  caFile?: string;
  /** The CA file came from VAULT_CACERT (named so in errors). */
  caFromEnv: boolean;
  insecureHttp: boolean;
  timeoutMs: number;
  json: boolean;
}

const OPTIONS = {
  ca: { type: 'string' },
  'insecure-http': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** `sealwatch probe`: classify nodes without any configuration or state. */
export const probeCommand: CliCommand = defineCommand({
  usage: USAGE,
  options: OPTIONS,
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const args = probeArgs(values, positionals, io.env);
    let caPem: string | undefined;
    if (args.caFile !== undefined) {
      try {
        caPem = await readCa(resolve(io.cwd, args.caFile));
      } catch (error) {
        const from = args.caFromEnv ? `VAULT_CACERT=${args.caFile}` : `--ca ${args.caFile}`;
        throw new UsageError(`cannot use ${from}: ${describeError(error)}`);
      }
    }
    const results = await probeAll(args, caPem);
    io.stdout(args.json ? `${JSON.stringify(results, null, 2)}\n` : formatTable(results));
    return results.some((r) => NEEDS_ATTENTION.has(r.state) || r.sealed === true) ? 2 : 0;
  },
});

/** States that make probe (like `vault status` for a sealed node) exit 2. */
const NEEDS_ATTENTION = new Set(['sealed', 'uninitialized', 'unreachable']);

/** @throws UsageError (carrying the usage text) for URLs and values probe cannot use. */
function probeArgs(
  values: { ca?: string | undefined; 'insecure-http': boolean; timeout?: string | undefined; json: boolean },
  given: string[],
  env: Record<string, string | undefined>,
): ProbeArgs {
  const usageError = (message: string) => new UsageError(`${message}\n\n${USAGE}`);
  // The vault CLI's own variables, so `sealwatch probe` works where `vault status` does.
  const vaultAddr = env.VAULT_ADDR?.trim();
  const positionals = given.length > 0 ? given : vaultAddr ? [vaultAddr] : [];
  if (positionals.length === 0) throw usageError('at least one node URL is required (or set VAULT_ADDR)');

  const insecureHttp = values['insecure-http'];
  for (const url of positionals) {
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw usageError(`not a URL: ${url}`);
    }
    if (parsedUrl.protocol === 'http:' && !insecureHttp) {
      throw usageError(`${url} is plain http://; pass --insecure-http to allow it (dev only)`);
    }
    if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
      throw usageError(`${url} must be an https:// URL`);
    }
    if (parsedUrl.username || parsedUrl.password || parsedUrl.search || parsedUrl.hash) {
      throw usageError(`${parsedUrl.origin}: a node URL carries no credentials, query or fragment`);
    }
  }

  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw usageError(`--timeout must be a whole number of milliseconds in 1..${MAX_TIMEOUT_MS}`);
    }
  }
  const caFile = values.ca ?? (env.VAULT_CACERT?.trim() || undefined);
  return {
    urls: positionals,
    ...(caFile !== undefined && { caFile }),
    caFromEnv: values.ca === undefined && caFile !== undefined,
    insecureHttp,
    timeoutMs,
    json: values.json,
  };
}

async function readCa(path: string): Promise<string> {
  const pem = await readFile(path, 'utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error('the file holds no PEM certificate');
  }
  return pem;
}

async function probeAll(args: ProbeArgs, caPem: string | undefined): Promise<ProbeResult[]> {
  const factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-probe' });
  try {
    return await Promise.all(
      args.urls.map(async (url): Promise<ProbeResult> => {
        const target: VaultTarget = {
          url,
          ...(caPem !== undefined && { caPem }),
          ...(args.insecureHttp && { insecureHttp: true }),
        };
        const observation = await observeNode(factory.client(target), {
          timeoutMs: args.timeoutMs,
          now: () => Date.now(),
        });
        return toResult(url, classifyNode(observation));
      }),
    );
  } finally {
    await factory.close();
  }
}

/** Fixed key order: the JSON output is a contract, not whatever order the view was built in. */
export function toResult(url: string, v: NodeView): ProbeResult {
  return {
    url,
    state: v.state,
    initialized: v.initialized,
    sealed: v.sealed,
    sealType: v.sealType,
    recoverySeal: v.recoverySeal,
    threshold: v.threshold,
    shares: v.shares,
    progress: v.progress,
    version: v.version,
    clusterId: v.clusterId,
    clusterName: v.clusterName,
    storageType: v.storageType,
    httpStatus: v.httpStatus,
    error: v.error && { reason: v.error.reason, message: v.error.message },
  };
}

const COLUMNS: { title: string; cell: (r: ProbeResult) => string }[] = [
  { title: 'URL', cell: (r) => r.url },
  { title: 'STATE', cell: (r) => r.state },
  {
    title: 'SEAL',
    cell: (r) => (r.sealType === null ? '-' : r.sealType + (r.recoverySeal ? ' (recovery)' : '')),
  },
  {
    title: 'T/N',
    cell: (r) => (r.threshold === null || r.shares === null ? '-' : `${r.threshold}/${r.shares}`),
  },
  { title: 'PROGRESS', cell: (r) => (r.progress === null ? '-' : String(r.progress)) },
  { title: 'VERSION', cell: (r) => r.version ?? '-' },
  { title: 'STORAGE', cell: (r) => r.storageType ?? '-' },
  { title: 'CLUSTER', cell: (r) => r.clusterName ?? r.clusterId ?? '-' },
  { title: 'HTTP', cell: (r) => (r.httpStatus === null ? '-' : String(r.httpStatus)) },
  { title: 'ERROR', cell: (r) => (r.error ? `${r.error.reason}: ${r.error.message}` : '') },
];

function formatTable(results: ProbeResult[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...results.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
