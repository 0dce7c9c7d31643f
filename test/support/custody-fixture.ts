import { randomBytes } from 'node:crypto';
import { createJsonLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createAuditLog, type AuditLog } from '../../shared/app/audit-log.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import { createUnsealService, type UnsealService, type UnsealServiceOptions } from '../../shared/app/unseal-service.ts';
import { shareContext, type CustodyKind, type CustodyMeta, type ShareRecord } from '../../shared/core/custody-types.ts';
import { deriveKeyCheck } from '../../shared/core/share-validation.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { KeyWrapper } from '../../shared/ports/key-wrapper.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';

/**
 * Puts shares into custody the way the import does (one wrapped record per share under its
 * wrapper, with the share context, plus the meta record), without going through the import
 * command. For tests only: it takes shares as Vault hands them out (hex or base64 strings).
 */
export interface CustodyFixtureOptions {
  store: StateStore;
  clusterId: string;
  kind?: CustodyKind;
  /** Shares in init output order (index = position + 1), hex or standard base64. */
  shares: readonly string[];
  threshold: number;
  /** The wrapper of each 1-based share index, or one wrapper for all. */
  wrapperFor: KeyWrapper | ((index: number) => KeyWrapper);
  generation?: number;
  /** Default: derived from the first `threshold` shares, as the import would. */
  keyCheck?: string;
  now?: Date;
}

/** Decodes a share written as hex (64 or 66 digits) or base64. */
export function decodeShare(text: string): Buffer {
  return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

export async function putCustody(options: CustodyFixtureOptions): Promise<{ meta: CustodyMeta; records: ShareRecord[] }> {
  const kind = options.kind ?? 'unseal';
  const repo = createCustodyRepository(options.store);
  const at = (options.now ?? new Date()).toISOString();
  const plain = options.shares.map(decodeShare);
  try {
    const keyCheck = options.keyCheck ?? (await deriveKeyCheck(plain.slice(0, options.threshold)));
    const records: ShareRecord[] = [];
    for (const [i, bytes] of plain.entries()) {
      const index = i + 1;
      const wrapper = typeof options.wrapperFor === 'function' ? options.wrapperFor(index) : options.wrapperFor;
      const wrapped = await wrapper.wrap(bytes, shareContext(options.clusterId, kind, index));
      const record: ShareRecord = { index, wrapper: wrapper.id, keyId: wrapped.keyId, ciphertext: wrapped.ciphertext, wrappedAt: at };
      await repo.putShare(options.clusterId, record);
      records.push(record);
    }
    const meta: CustodyMeta = {
      kind,
      threshold: options.threshold,
      shares: plain.length,
      shareLength: plain[0]?.length ?? 33,
      keyCheck,
      createdAt: at,
      generation: options.generation ?? 1,
    };
    await repo.putMeta(options.clusterId, meta, { kind: 'any' });
    return { meta, records };
  } finally {
    for (const bytes of plain) bytes.fill(0);
  }
}

/** A local AES-256-GCM wrapper with a fresh random key. */
export function randomLocalWrapper(id = 'test-local'): KeyWrapper {
  const key = randomBytes(32);
  try {
    return createLocalKeyWrapper({ id, key });
  } finally {
    key.fill(0);
  }
}

/** The cluster as the sweep and the unseal service see it, from a simulated cluster. */
export function sweepClusterOf(sim: { nodes: readonly { id: string; url: string }[]; caPem: string | null }, id = 'c1'): SweepCluster {
  return {
    id,
    name: id,
    nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, ...(n.url.startsWith('http:') ? { insecureHttp: true } : {}) })),
    ...(sim.caPem ? { tls: { caPem: sim.caPem } } : {}),
  };
}

/** Log lines as JSON text, for assertions and leak scans. */
export function arrayLogger(lines: string[] = []): { logger: Logger; lines: string[] } {
  return { logger: createJsonLogger({ level: 'debug', write: (line) => lines.push(line) }), lines };
}

export interface UnsealHarness {
  store: StateStore;
  vault: VaultClientFactory;
  service: UnsealService;
  audit: AuditLog;
  logs: string[];
  /** Another invocation: own lease owner and service, same store. */
  another(overrides?: Partial<UnsealServiceOptions>): UnsealService;
  close(): Promise<void>;
}

/** An unseal service over a memory store (or `store`), the real Vault HTTP client and `wrappers`. */
export function unsealHarness(options: {
  wrappers: readonly KeyWrapper[];
  store?: StateStore;
  clock?: Clock;
  service?: Partial<UnsealServiceOptions>;
  /** Where log lines go (default: a fresh array, `logs`). */
  logs?: string[];
}): UnsealHarness {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryStateStore({ clock });
  const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
  const { logger, lines } = arrayLogger(options.logs);
  const audit = createAuditLog({ store, clock });
  const build = (overrides: Partial<UnsealServiceOptions> = {}) =>
    createUnsealService({
      store,
      leases: createLeaseManager({ store, clock }),
      vault,
      wrappers: options.wrappers,
      clock,
      logger,
      audit,
      retryBaseMs: 20,
      ...options.service,
      ...overrides,
    });
  return {
    store,
    vault,
    service: build(),
    audit,
    logs: lines,
    another: build,
    async close() {
      await vault.close();
      if (!options.store) await store.close();
    },
  };
}

/** `sys/unseal` requests a node received that carried a key (not resets). */
export function keySubmissions(node: { requestLog: readonly { path: string; body: string }[] }): string[] {
  return node.requestLog.filter((e) => e.path === '/v1/sys/unseal' && /"key"\s*:/i.test(e.body)).map((e) => e.body);
}
