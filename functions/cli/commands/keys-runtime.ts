import { createCustodyService, type CustodyService } from '../../../shared/app/custody-service.ts';
import type { Runtime } from '../../../shared/runtime/create-runtime.ts';
import { createKeyWrappers, type KeyWrapperRegistryOptions } from '../../../shared/runtime/key-wrappers.ts';
import { UsageError } from '../args.ts';
import type { CliIo } from '../io.ts';
import { loadRuntime } from '../load-runtime.ts';

/** What custody commands can be given instead of the defaults (tests inject; production uses none). */
export interface CustodyCommandDeps {
  /** Builds the runtime; default: from the file named by --config / $SEALWATCH_CONFIG. */
  loadRuntime?: (io: CliIo, configFlag: string | undefined) => Promise<Runtime | null>;
  /** Key wrapper options beyond the environment (an Azure credential, fewer retries). */
  wrapperOptions?: Omit<KeyWrapperRegistryOptions, 'env'>;
}

/**
 * Loads the runtime, builds the custody service over it and runs `fn`. Wrappers are built from
 * the config with the command's own environment (`io.env`), so AWS credentials given to the
 * CLI are the ones used. Returns 1 when the config cannot be loaded.
 */
export async function withCustody(
  io: CliIo,
  deps: CustodyCommandDeps,
  configFlag: string | undefined,
  fn: (service: CustodyService, runtime: Runtime) => Promise<number>,
): Promise<number> {
  const runtime = await (deps.loadRuntime ?? loadRuntime)(io, configFlag);
  if (!runtime) return 1;
  let wrappers: ReturnType<typeof createKeyWrappers> | undefined;
  try {
    wrappers = createKeyWrappers(runtime.config.wrappers, { env: io.env, ...deps.wrapperOptions });
    const service = createCustodyService({
      clusters: await withDiscoveredNodes(runtime),
      wrappers,
      store: runtime.store,
      vault: runtime.vault,
      clock: runtime.clock,
      leases: runtime.leases,
      audit: runtime.audit,
      logger: runtime.logger,
      nodeTimeoutMs: runtime.config.sweep.nodeTimeoutMs,
    });
    return await fn(service, runtime);
  } finally {
    await wrappers?.close();
    await runtime.close();
  }
}

/** `--shares 1,2,5` → [1, 2, 5]. */
export function parseIndexList(text: string | undefined, name: string): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p) => p.trim());
  const indexes = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || indexes.some((i) => i < 1 || i > 255)) {
    throw new UsageError(`--${name} must be a comma-separated list of share indexes from 1 to 255, got "${text}"`);
  }
  if (new Set(indexes).size !== indexes.length) throw new UsageError(`--${name} lists a share twice: "${text}"`);
  return indexes;
}

/** A fixed-width table; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** The configured clusters, each with its discovered nodes added (init, import cross-check, status). */
async function withDiscoveredNodes(runtime: Runtime): Promise<Runtime['config']['clusters']> {
  return Promise.all(
    runtime.config.clusters.map(async (cluster) => {
      if (!runtime.discovery.has(cluster.id)) return cluster;
      const resolved = await runtime.resolveCluster(cluster.id);
      return { ...cluster, nodes: (resolved?.nodes ?? []).map((n) => ({ id: n.id, url: n.url, insecureHttp: n.insecureHttp ?? false })) };
    }),
  );
}
