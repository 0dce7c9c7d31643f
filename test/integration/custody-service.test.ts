import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createCustodyService, type CustodyCluster, type CustodyServiceOptions, type CustodyWrappers } from '../../shared/app/custody-service.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { Secret } from '../../shared/config/secret.ts';
import type { WrapperConfig } from '../../shared/config/types.ts';
import { shareContext } from '../../shared/core/custody-types.ts';
import { deriveKeyCheck } from '../../shared/core/share-validation.ts';
import { ConflictError, KeyUnusableError, UnavailableError, ValidationError } from '../../shared/errors.ts';
import type { KeyWrapper } from '../../shared/ports/key-wrapper.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { createKeyWrappers, type KeyWrapperRegistry } from '../../shared/runtime/key-wrappers.ts';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedInitResult } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startKmsWireServer, type KmsWireKey, type KmsWireServer } from '../support/kms-wire-server.ts';
import { describeLeaks, scanForLeaks, type KnownSecret } from '../support/leak-scan.ts';

// The custody service against the real Vault HTTP client and simulator, the real KMS client and
// the KMS wire server, the local wrapper and the memory state store.

let kms: KmsWireServer;
let kmsKey: KmsWireKey;
let shamir: SimulatedCluster; // initialised 3 of 5, unsealed
let auto: SimulatedCluster; // awskms seal, recovery 2 of 3
let vault: VaultClientFactory;
const registries: KeyWrapperRegistry[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  [kms, shamir, auto] = await Promise.all([
    startKmsWireServer(),
    startSimulatedCluster({ nodes: 2, init: { shares: 5, threshold: 3 } }),
    startSimulatedCluster({ nodes: 1, sealType: 'awskms', init: { shares: 3, threshold: 2 } }),
  ]);
  kmsKey = kms.createKey();
  vault = createVaultHttpClientFactory();
});
afterAll(async () => {
  for (const r of registries) await r.close();
  await vault?.close();
  await Promise.all([kms?.close(), shamir?.close(), auto?.close()]);
});

const LOCAL_HEX = randomBytes(32).toString('hex');
const wrapperConfigs = (): WrapperConfig[] => [
  { id: 'local-a', kind: 'local', local: { key: new Secret(LOCAL_HEX) } },
  { id: 'aws', kind: 'aws-kms', awsKms: { keyId: kmsKey.arn, region: kms.region, endpoint: kms.endpoint } },
];

function registry(): KeyWrapperRegistry {
  const r = createKeyWrappers(wrapperConfigs(), { env: { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' }, kmsMaxAttempts: 1 });
  registries.push(r);
  return r;
}

function clusterOf(id: string, sim: SimulatedCluster, custody?: CustodyCluster['custody']): CustodyCluster {
  return {
    id,
    nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })),
    ...(sim.caPem ? { tls: { caPem: sim.caPem } } : {}),
    ...(custody ? { custody } : {}),
  };
}

interface Harness {
  service: ReturnType<typeof createCustodyService>;
  store: StateStore;
  clock: FakeClock;
}

function harness(clusters: CustodyCluster[], wrappers: CustodyWrappers = registry(), extra: Partial<CustodyServiceOptions> = {}): Harness {
  const clock = new FakeClock({ autoAdvance: true });
  const store = createMemoryStateStore({ clock });
  const logger = createJsonLogger({ level: 'debug', write: (l) => logLines.push(l) });
  const service = createCustodyService({
    clusters,
    wrappers,
    store,
    vault,
    clock,
    logger,
    leases: createLeaseManager({ store, clock }),
    audit: createAuditLog({ store, clock }),
    nodeTimeoutMs: 2000,
    ...extra,
  });
  return { service, store, clock };
}

/** `vault operator init -format=json` as the CLI would print it for this simulated init. */
function cliJson(init: SimulatedInitResult, threshold: number): string {
  const recovery = (init.recoveryKeys ?? []).length > 0;
  const count = recovery ? init.recoveryKeys!.length : init.keys.length;
  return JSON.stringify({
    unseal_keys_b64: init.keysBase64,
    unseal_keys_hex: init.keys,
    unseal_shares: recovery ? 1 : count,
    unseal_threshold: recovery ? 1 : threshold,
    recovery_keys_b64: init.recoveryKeysBase64 ?? [],
    recovery_keys_hex: init.recoveryKeys ?? [],
    recovery_keys_shares: recovery ? count : 0,
    recovery_keys_threshold: recovery ? threshold : 0,
    root_token: init.rootToken,
  });
}

function httpJson(init: SimulatedInitResult): string {
  return JSON.stringify({ keys: init.keys, keys_base64: init.keysBase64, root_token: init.rootToken });
}

function secretsOf(init: SimulatedInitResult): KnownSecret[] {
  const hexes = [...init.keys, ...(init.recoveryKeys ?? [])];
  return [...hexes.map((h, i) => ({ label: `share ${i + 1}`, value: Uint8Array.from(Buffer.from(h, 'hex')) })), { label: 'root token', value: init.rootToken }];
}

async function rawItems(store: StateStore, clusterId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ pk: `CLUSTER#${clusterId}`, ...(cursor ? { cursor } : {}) });
    out.push(...page.items.map((i) => JSON.stringify(i)));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

function expectNoLeaks(secrets: KnownSecret[], texts: Record<string, string | string[]>): void {
  const haystacks = Object.entries(texts).flatMap(([source, t]) => (Array.isArray(t) ? t : [t]).map((text, i) => ({ source: `${source}[${i}]`, text })));
  const leaks = scanForLeaks(secrets, haystacks);
  expect(leaks, describeLeaks(leaks)).toEqual([]);
}

const shamirInit = () => shamir.init as SimulatedInitResult;
const split = { default: 'local-a', shares: { aws: [1, 2] } };

describe('keys import', () => {
  it('stores only ciphertext, one item per share under the policy wrapper, and a key check of the real key', async () => {
    const h = harness([clusterOf('prod', shamir, split)]);
    logLines.length = 0;
    const result = await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3) });
    expect(result).toMatchObject({ kind: 'unseal', threshold: 3, thresholdSource: 'input', shares: 5, generation: 1, replaced: false, rootToken: 'ignored' });
    expect(result.consistency).toMatchObject({ subsetsChecked: 10, subsetsTotal: 10, exhaustive: true });
    expect(result.stored.map((s) => [s.index, s.wrapper])).toEqual([
      [1, 'aws'],
      [2, 'aws'],
      [3, 'local-a'],
      [4, 'local-a'],
      [5, 'local-a'],
    ]);
    expect(result.stored[0]?.keyId).toBe(kmsKey.arn);

    const repo = createCustodyRepository(h.store);
    const meta = (await repo.meta('prod'))!.data;
    const shareBytes = shamirInit().keys.map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
    expect(meta.keyCheck).toBe(await deriveKeyCheck(shareBytes.slice(2, 5)));
    expect(meta).toMatchObject({ kind: 'unseal', threshold: 3, shares: 5, shareLength: 33, generation: 1 });
    expect(await repo.token('prod', 'root')).toBeNull();

    // Each stored ciphertext opens, under its share's context, to exactly that share.
    const wrappers = registry();
    for (const item of await repo.shares('prod')) {
      const r = item.data;
      const plain = await wrappers
        .get(r.wrapper)!
        .unwrap({ wrapper: r.wrapper, keyId: r.keyId, ciphertext: r.ciphertext }, shareContext('prod', 'unseal', r.index));
      expect(Buffer.from(plain).toString('hex')).toBe(shamirInit().keys[r.index - 1]);
    }
    expectNoLeaks(secretsOf(shamirInit()), { store: await rawItems(h.store, 'prod'), result: JSON.stringify(result), log: logLines });
  });

  it('refuses to overwrite without replace (reason custody-exists, no CLI words) and leaves the state untouched', async () => {
    const h = harness([clusterOf('prod', shamir, split)]);
    await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3) });
    const before = await rawItems(h.store, 'prod');
    const error = await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('custody-exists');
    expect((error as ConflictError).code).toBe('custody_exists');
    expect((error as Error).message).toMatch(/already has custody \(generation 1/);
    expect((error as Error).message).not.toMatch(/--/);
    expect(await rawItems(h.store, 'prod')).toEqual(before);
  });

  it('--replace bumps the generation, rewrites the shares and deletes surplus ones; the root token is kept on request', async () => {
    const h = harness([clusterOf('prod', shamir, split)]);
    const repo = createCustodyRepository(h.store);
    // An earlier custody with 7 shares (indexes 6 and 7 must disappear).
    await repo.putMeta('prod', { kind: 'unseal', threshold: 4, shares: 7, shareLength: 33, keyCheck: 'x', createdAt: 't', generation: 4 }, { kind: 'absent' });
    for (const index of [1, 2, 3, 4, 5, 6, 7]) await repo.putShare('prod', { index, wrapper: 'local-a', keyId: 'k', ciphertext: 'old', wrappedAt: 't' });

    // 7 shares of threshold 4 becoming 5 of 3 is a rekey (`vault operator rekey`): another key.
    const refused = await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3), replace: true }).catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('key_changed');
    expect((refused as ConflictError).reason).toBe('shares-differ');
    expect((refused as Error).message).not.toMatch(/--/);
    expect((refused as ConflictError).hint).toBeUndefined();
    const result = await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3), replace: true, rekeyed: true, storeRootToken: true });
    expect(result).toMatchObject({ generation: 5, replaced: true, removed: [6, 7], rootToken: 'stored' });
    const stored = await repo.shares('prod');
    expect(stored.map((s) => s.data.index)).toEqual([1, 2, 3, 4, 5]);
    expect(stored.every((s) => s.data.ciphertext !== 'old')).toBe(true);
    const token = (await repo.token('prod', 'root'))!.data;
    expect(token.wrapper).toBe('local-a');
    const opened = await registry().get('local-a')!.unwrap(token, { cluster: 'prod', token: 'root', purpose: 'vault-token' });
    expect(Buffer.from(opened).toString('utf8')).toBe(shamirInit().rootToken);
    expectNoLeaks(secretsOf(shamirInit()), { store: await rawItems(h.store, 'prod'), result: JSON.stringify(result) });
  });

  it('takes the threshold from a node when the sys/init answer has none', async () => {
    const h = harness([clusterOf('prod', shamir, split)]);
    const result = await h.service.importShares({ clusterId: 'prod', input: httpJson(shamirInit()) });
    expect(result).toMatchObject({ format: 'http', threshold: 3, thresholdSource: 'node' });
  });

  it('recovery shares of an awskms cluster', async () => {
    const h = harness([clusterOf('auto', auto)], { ...registry(), ids: () => ['local-a'] });
    const init = auto.init as SimulatedInitResult;
    const result = await h.service.importShares({ clusterId: 'auto', input: cliJson(init, 2) });
    expect(result).toMatchObject({ kind: 'recovery', threshold: 2, shares: 3 });
    expect(result.nodes[0]).toMatchObject({ recoverySeal: true, t: 2, n: 3 });
  });

  it.each([
    ['a threshold the nodes do not have', (i: SimulatedInitResult) => ({ input: cliJson(i, 2) }), /t=3, the import says 2/],
    ['--threshold contradicting the input', (i: SimulatedInitResult) => ({ input: cliJson(i, 3), threshold: 4 }), /contradicts/],
    [
      'fewer shares than the nodes expect',
      (i: SimulatedInitResult) => ({ input: JSON.stringify({ keys: i.keys.slice(0, 4) }), threshold: 3 }),
      /n=5, the import has 4/,
    ],
    [
      'recovery shares for a Shamir cluster',
      (i: SimulatedInitResult) => ({ input: JSON.stringify({ recovery_keys: i.keys }), threshold: 3 }),
      /takes unseal shares, but these are recovery shares/,
    ],
    [
      'a share from another init',
      (i: SimulatedInitResult) => ({ input: JSON.stringify({ keys: [...i.keys.slice(0, 4), otherShare(i)] }), threshold: 3 }),
      /rebuild different keys/,
    ],
  ])('refuses %s, writing nothing', async (_name, build, pattern) => {
    const h = harness([clusterOf('prod', shamir, split)]);
    const error = await h.service.importShares({ clusterId: 'prod', ...build(shamirInit()) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect([(error as ValidationError).message, ...(error as ValidationError).problems].join('\n')).toMatch(pattern);
    expect(await rawItems(h.store, 'prod')).toEqual([]);
    expectNoLeaks(secretsOf(shamirInit()), { error: [(error as Error).message, ...(error as ValidationError).problems] });
  });

  it('refuses when no node answers unless forced (then the threshold must be given), in domain terms', async () => {
    const dead: CustodyCluster = { id: 'dark', nodes: [{ id: 'v0', url: 'http://127.0.0.1:9', insecureHttp: true }], custody: split };
    const h = harness([dead]);
    const refused = await h.service.importShares({ clusterId: 'dark', input: httpJson(shamirInit()), threshold: 3 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect((refused as UnavailableError).code).toBe('nodes_unreachable');
    expect((refused as Error).message).not.toMatch(/--/);
    const noThreshold = await h.service.importShares({ clusterId: 'dark', input: httpJson(shamirInit()), force: true }).catch((e: unknown) => e);
    expect(noThreshold).toBeInstanceOf(ValidationError);
    expect((noThreshold as ValidationError).field).toBe('threshold');
    expect((noThreshold as Error).message).toMatch(/threshold is unknown/);
    expect((noThreshold as Error).message).not.toMatch(/--/);
    const forced = await h.service.importShares({ clusterId: 'dark', input: httpJson(shamirInit()), threshold: 3, force: true });
    expect(forced.warnings.join()).toMatch(/without checking/);
  });

  it('nothing is written when one wrap fails', async () => {
    const key = kms.createKey();
    const wrappers = createKeyWrappers(
      [wrapperConfigs()[0]!, { id: 'aws', kind: 'aws-kms', awsKms: { keyId: key.arn, region: kms.region, endpoint: kms.endpoint } }],
      { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, kmsMaxAttempts: 1 },
    );
    registries.push(wrappers);
    kms.setKeyState(key.keyId, 'Disabled');
    const g = harness([clusterOf('prod', shamir, split)], wrappers);
    const error = await g.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyUnusableError);
    expect(await rawItems(g.store, 'prod')).toEqual([]);
  });
});

function otherShare(init: SimulatedInitResult): string {
  // Same x-coordinate as share 5, different y: a share no split of this key produced.
  const bytes = Buffer.from(init.keys[4]!, 'hex');
  bytes[0] = bytes[0]! ^ 0xff;
  return bytes.toString('hex');
}

describe('keys status and rewrap', () => {
  async function imported(wrappers: CustodyWrappers = registry()) {
    const h = harness([clusterOf('prod', shamir, split)], wrappers);
    await h.service.importShares({ clusterId: 'prod', input: cliJson(shamirInit(), 3) });
    return h;
  }

  it('all wrappers usable: threshold reachable, analysis by provider', async () => {
    const h = await imported();
    const status = await h.service.status('prod');
    expect(status).toMatchObject({ usableShares: 5, thresholdReachable: true, missing: [], rootTokenStored: false, policyDrift: [] });
    expect(status.wrappers.map((w) => [w.id, w.canUnwrap, w.shares])).toEqual([
      ['aws', true, [1, 2]],
      ['local-a', true, [3, 4, 5]],
    ]);
    expect(status.wrappers.find((w) => w.id === 'aws')?.health?.status).toBe('ok');
    // local holds 3 ≥ t: its outage leaves 2 (lost), its compromise reveals the key.
    expect(status.analysis.byProvider.find((p) => p.id.startsWith('local'))).toMatchObject({
      sharesLeftIfDown: 2,
      survivesOutage: false,
      compromiseRevealsKey: true,
    });
    expect(status.findings.map((f) => f.id).sort()).toEqual(['custody.no-outage-tolerance', 'custody.single-provider-compromise']);
  });

  it('a disabled KMS key: its wrapper is unavailable, the threshold is still reachable through the local shares', async () => {
    const key = kms.createKey();
    const wrappers = createKeyWrappers(
      [wrapperConfigs()[0]!, { id: 'aws', kind: 'aws-kms', awsKms: { keyId: key.arn, region: kms.region, endpoint: kms.endpoint } }],
      { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, kmsMaxAttempts: 1 },
    );
    registries.push(wrappers);
    const h = await imported(wrappers);
    kms.setKeyState(key.keyId, 'Disabled');
    const status = await h.service.status('prod');
    expect(status).toMatchObject({ usableShares: 3, thresholdReachable: true });
    const aws = status.wrappers.find((w) => w.id === 'aws')!;
    expect(aws.canUnwrap).toBe(false);
    expect(aws.unwrapTests[0]).toMatchObject({ ok: false, code: 'key_disabled' });
    expect(aws.health?.status).toBe('critical');
    expect(status.records.filter((r) => !r.usable).map((r) => r.index)).toEqual([1, 2]);
    expect(status.findings.find((f) => f.id === 'custody.wrapper-unavailable')).toMatchObject({
      severity: 'warning',
      evidence: { wrapper: 'aws', shares: [1, 2] },
    });
    kms.setKeyState(key.keyId, 'Enabled');
  });

  it('rewrap local → KMS and back: each share opens to the same bytes under its new wrapper; policy drift is reported', async () => {
    const h = await imported();
    const repo = createCustodyRepository(h.store);
    const there = await h.service.rewrap({ clusterId: 'prod', to: 'aws', indexes: [3, 4] });
    expect(there.ok).toBe(true);
    expect(there.results.map((r) => [r.index, r.from, r.to, r.outcome])).toEqual([
      [3, 'local-a', 'aws', 'rewrapped'],
      [4, 'local-a', 'aws', 'rewrapped'],
    ]);
    expect(there.policyOutdated).toEqual([
      { index: 3, policy: 'local-a' },
      { index: 4, policy: 'local-a' },
    ]);
    const wrappers = registry();
    for (const item of await repo.shares('prod')) {
      const r = item.data;
      expect(r.wrapper).toBe([1, 2, 3, 4].includes(r.index) ? 'aws' : 'local-a');
      const plain = await wrappers.get(r.wrapper)!.unwrap(r, shareContext('prod', 'unseal', r.index));
      expect(Buffer.from(plain).toString('hex')).toBe(shamirInit().keys[r.index - 1]);
    }
    const drift = await h.service.status('prod');
    expect(drift.policyDrift).toEqual([
      { index: 3, stored: 'aws', policy: 'local-a' },
      { index: 4, stored: 'aws', policy: 'local-a' },
    ]);
    expect(drift.thresholdReachable).toBe(true);

    const back = await h.service.rewrap({ clusterId: 'prod', to: 'local-a', indexes: [3, 4] });
    expect(back.ok).toBe(true);
    expect(back.policyOutdated).toEqual([]);
    expect((await h.service.status('prod')).policyDrift).toEqual([]);
    expectNoLeaks(secretsOf(shamirInit()), { store: await rawItems(h.store, 'prod'), results: [JSON.stringify(there), JSON.stringify(back)] });
  });

  it('rewrap to a failing target stops and leaves the share as it was', async () => {
    const key = kms.createKey();
    kms.setKeyState(key.keyId, 'Disabled');
    const wrappers = createKeyWrappers(
      [
        wrapperConfigs()[0]!,
        { id: 'aws', kind: 'aws-kms', awsKms: { keyId: kmsKey.arn, region: kms.region, endpoint: kms.endpoint } },
        { id: 'aws-off', kind: 'aws-kms', awsKms: { keyId: key.arn, region: kms.region, endpoint: kms.endpoint } },
      ],
      { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, kmsMaxAttempts: 1 },
    );
    registries.push(wrappers);
    const h = await imported(wrappers);
    // The custody's items; the attempt itself goes to the audit trail (checked below).
    const custodyItems = async () => (await rawItems(h.store, 'prod')).filter((item) => !item.includes('"sk":"AUDIT#'));
    const before = await custodyItems();
    const result = await h.service.rewrap({ clusterId: 'prod', to: 'aws-off', indexes: [3, 4] });
    expect(result.ok).toBe(false);
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'not-attempted']);
    expect(result.results[0]?.error).toMatch(/disabled/i);
    expect(await custodyItems()).toEqual(before);
    const [rewrap] = (await createAuditLog({ store: h.store, clock: new FakeClock() }).list('prod')).filter((e) => e.action === 'custody-rewrap');
    expect(rewrap).toMatchObject({ outcome: 'failed', shareIndexes: [3, 4], wrappers: ['aws-off', 'local-a'] });
    expect(rewrap?.message).toMatch(/share\(s\) rewrapped: none; share 3 failed: .*disabled/i);
  });

  it('rewrap refuses unknown shares and wrappers before changing anything', async () => {
    const h = await imported();
    await expect(h.service.rewrap({ clusterId: 'prod', to: 'aws', indexes: [9] })).rejects.toThrow(/no share 9/);
    await expect(h.service.rewrap({ clusterId: 'prod', to: 'nope' })).rejects.toThrow(/wrapper nope is not configured/);
  });
});

describe('init', () => {
  it('initialises an uninitialised Shamir cluster; shares go straight into custody and are never returned', async () => {
    const fresh = await startSimulatedCluster({ nodes: 3, init: false });
    try {
      const h = harness([clusterOf('new', fresh, split)]);
      logLines.length = 0;
      const result = await h.service.initialize({ clusterId: 'new', shares: 5, threshold: 3, storeRootToken: true });
      expect(result.outcome).toBe('custody-created');
      if (result.outcome !== 'custody-created') return;
      expect(result).toMatchObject({ node: fresh.nodes[0]!.id, kind: 'unseal', shares: 5, threshold: 3, generation: 1, rootToken: null });
      const init = fresh.init as SimulatedInitResult;
      expect(init.keys).toHaveLength(5);
      const meta = (await createCustodyRepository(h.store).meta('new'))!.data;
      expect(meta.keyCheck).toBe(await deriveKeyCheck(init.keys.slice(0, 3).map((k) => Uint8Array.from(Buffer.from(k, 'hex')))));
      expect(fresh.nodes[0]!.state()).toMatchObject({ initialized: true, sealed: true });
      expectNoLeaks(secretsOf(init), { store: await rawItems(h.store, 'new'), result: JSON.stringify(result), log: logLines });
    } finally {
      await fresh.close();
    }
  });

  it('an awskms cluster gets recovery shares; the root token is returned once when not stored', async () => {
    const fresh = await startSimulatedCluster({ nodes: 1, sealType: 'awskms', init: false });
    try {
      const h = harness([clusterOf('auto-new', fresh)], { ...registry(), ids: () => ['local-a'] });
      const result = await h.service.initialize({ clusterId: 'auto-new', shares: 3, threshold: 2 });
      expect(result).toMatchObject({ outcome: 'custody-created', kind: 'recovery', sealType: 'awskms' });
      expect(result.rootToken).toBe((fresh.init as SimulatedInitResult).rootToken);
      expect(await createCustodyRepository(h.store).token('auto-new', 'root')).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('does not call Vault when a wrapper fails its canary, or when a node is already initialised', async () => {
    const fresh = await startSimulatedCluster({ nodes: 2, init: false });
    try {
      const key = kms.createKey();
      kms.setKeyState(key.keyId, 'Disabled');
      const wrappers = createKeyWrappers(
        [wrapperConfigs()[0]!, { id: 'aws', kind: 'aws-kms', awsKms: { keyId: key.arn, region: kms.region, endpoint: kms.endpoint } }],
        { env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, kmsMaxAttempts: 1 },
      );
      registries.push(wrappers);
      const h = harness([clusterOf('new', fresh, split)], wrappers);
      await expect(h.service.initialize({ clusterId: 'new', shares: 5, threshold: 3 })).rejects.toThrow(
        /aws: .*disabled.*Vault was not initialised|Vault was not initialised.*aws/is,
      );
      expect(fresh.nodes.every((n) => !n.state().initialized)).toBe(true);
      await expect(harness([clusterOf('prod', shamir, split)]).service.initialize({ clusterId: 'prod', shares: 5, threshold: 3 })).rejects.toThrow(
        /already initialised/,
      );
      await expect(h.service.initialize({ clusterId: 'new', shares: 3, threshold: 1 })).rejects.toThrow(ValidationError);
    } finally {
      await fresh.close();
    }
  });

  it('custody failing after Vault handed the shares out returns them once instead of losing them', async () => {
    const fresh = await startSimulatedCluster({ nodes: 1, init: false });
    try {
      const real = registry();
      let wraps = 0;
      const flaky: KeyWrapper = {
        ...real.get('local-a')!,
        id: 'local-a',
        async wrap(plaintext, context, signal) {
          // The canary's wrap succeeds; every later wrap fails.
          if (++wraps > 1) throw new UnavailableError('wrapper local-a: simulated outage');
          return real.get('local-a')!.wrap(plaintext, context, signal);
        },
      };
      const wrappers: CustodyWrappers = {
        get: (id) => (id === 'local-a' ? flaky : undefined),
        ids: () => ['local-a'],
        facts: () => [{ id: 'local-a', kind: 'local', provider: 'local' }],
      };
      const h = harness([clusterOf('new', fresh)], wrappers);
      const result = await h.service.initialize({ clusterId: 'new', shares: 3, threshold: 2 });
      expect(result.outcome).toBe('custody-failed');
      if (result.outcome !== 'custody-failed') return;
      const init = fresh.init as SimulatedInitResult;
      expect(result.sharesBase64).toEqual(init.keysBase64);
      expect(result.rootToken).toBe(init.rootToken);
      expect(result.error).toMatch(/simulated outage/);
      expect(await createCustodyRepository(h.store).meta('new')).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('with PGP keys: passes them through, stores nothing, returns the encrypted shares', async () => {
    const fresh = await startSimulatedCluster({ nodes: 1, init: false });
    try {
      const sent: unknown[] = [];
      const pgpVault: VaultClientFactory = {
        client(target) {
          const real = vault.client(target);
          const init = async (request: Parameters<typeof real.init>[0]) => {
            sent.push(request);
            return { keys: ['c1'.repeat(40), 'c2'.repeat(40)], keysBase64: ['ZW5jMQ==', 'ZW5jMg=='], rootToken: 'hvs.pgp-root' };
          };
          // The real client for everything but init (the simulator does not do PGP init).
          return new Proxy(real, {
            get: (t, p) => {
              if (p === 'init') return init;
              const value: unknown = Reflect.get(t, p, t);
              return typeof value === 'function' ? value.bind(t) : value;
            },
          });
        },
        close: async () => {},
      };
      const h = harness([clusterOf('new', fresh)], registry(), { vault: pgpVault });
      const result = await h.service.initialize({ clusterId: 'new', shares: 2, threshold: 2, pgpKeys: ['a2V5MQ==', 'a2V5Mg=='] });
      expect(sent).toEqual([{ secretShares: 2, secretThreshold: 2, pgpKeys: ['a2V5MQ==', 'a2V5Mg=='] }]);
      expect(result).toMatchObject({ outcome: 'pgp-encrypted', encryptedShares: ['ZW5jMQ==', 'ZW5jMg=='], rootToken: 'hvs.pgp-root' });
      expect(await rawItems(h.store, 'new')).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
