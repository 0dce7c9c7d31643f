import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createCustodyService, type CustodyCluster, type CustodyWrappers } from '../../shared/app/custody-service.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import type { CustodyWriteAction } from '../../shared/core/plan-custody-write.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedInitResult } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';

// Custody writes as plans: the dry run (`plan…`) and the real run come from one planner, and the
// executor applies exactly the planned actions, in order, under the cluster lease. Real local key
// wrappers, the memory state store, the real lease manager, the Vault simulator over HTTPS.

let sim: SimulatedCluster; // initialised 3 of 5
let vault: VaultClientFactory;
beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 2, init: { shares: 5, threshold: 3 } });
  vault = createVaultHttpClientFactory();
});
afterAll(async () => {
  await vault?.close();
  await sim?.close();
});

const wrapperList = [createLocalKeyWrapper({ id: 'local-a', key: randomBytes(32) }), createLocalKeyWrapper({ id: 'local-b', key: randomBytes(32) })];
const wrappers: CustodyWrappers = {
  get: (id) => wrapperList.find((w) => w.id === id),
  ids: () => wrapperList.map((w) => w.id),
  facts: () => wrapperList.map((w) => ({ id: w.id, kind: 'local', provider: 'local' })),
};
const policy = { default: 'local-a', shares: { 'local-b': [2, 4] } };

function clusterOf(id: string, s: SimulatedCluster): CustodyCluster {
  return { id, nodes: s.nodes.map((n) => ({ id: n.id, url: n.url })), ...(s.caPem ? { tls: { caPem: s.caPem } } : {}), custody: policy };
}

function harness(clusters: CustodyCluster[], store: StateStore = createMemoryStateStore({ clock: new FakeClock({ autoAdvance: true }) })) {
  const clock = new FakeClock({ autoAdvance: true });
  const service = createCustodyService({
    clusters,
    wrappers,
    store,
    vault,
    clock,
    logger: silentLogger,
    leases: createLeaseManager({ store, clock }),
    audit: createAuditLog({ store, clock }),
    nodeTimeoutMs: 2000,
  });
  return { service, store, clock, repo: createCustodyRepository(store) };
}

async function rawItems(store: StateStore, clusterId: string): Promise<string[]> {
  const page = await store.query({ pk: `CLUSTER#${clusterId}` });
  return page.items.map((i) => JSON.stringify(i));
}

const initOf = () => sim.init as SimulatedInitResult;
const input = () => JSON.stringify({ keys: initOf().keys, keys_base64: initOf().keysBase64, root_token: initOf().rootToken });
const kinds = (actions: readonly CustodyWriteAction[]) => actions.map((a) => a.kind);

describe('keys import: the dry run is the plan the import executes', () => {
  it('a first custody: shares, token, metadata last; the dry run writes nothing', async () => {
    const h = harness([clusterOf('prod', sim)]);
    const request = { clusterId: 'prod', input: input(), storeRootToken: true };
    const dry = await h.service.planImport(request);
    expect(await rawItems(h.store, 'prod')).toEqual([]);
    expect(dry).toMatchObject({ dryRun: true, generation: 1, replaces: null, rootToken: 'stored' });
    expect(kinds(dry.actions)).toEqual(['write-share', 'write-share', 'write-share', 'write-share', 'write-share', 'write-token', 'write-meta']);
    expect(dry.actions.flatMap((a) => (a.kind === 'write-share' ? [`${a.index}:${a.wrapper}`] : []))).toEqual([
      '1:local-a',
      '2:local-b',
      '3:local-a',
      '4:local-b',
      '5:local-a',
    ]);

    const real = await h.service.importShares(request);
    expect(real.actions).toEqual(dry.actions);
    expect((await h.repo.shares('prod')).map((s) => `${s.data.index}:${s.data.wrapper}`)).toEqual([
      '1:local-a',
      '2:local-b',
      '3:local-a',
      '4:local-b',
      '5:local-a',
    ]);
    expect((await h.repo.meta('prod'))?.data.generation).toBe(1);
    // The printable plan holds no secret: no share in any form, no token, no ciphertext.
    const printed = JSON.stringify(dry);
    for (const secret of [...initOf().keys, ...initOf().keysBase64, initOf().rootToken]) expect(printed).not.toContain(secret);
    for (const s of await h.repo.shares('prod')) expect(printed).not.toContain(s.data.ciphertext);
    // The executor audits the write in the cluster's trail: identifiers and counts, no value.
    const trail = await createAuditLog({ store: h.store, clock: h.clock }).list('prod');
    expect(trail.map((e) => [e.action, e.outcome, e.node, e.shareIndexes, e.wrappers])).toEqual([
      ['custody-write', 'written', '-', [1, 2, 3, 4, 5], ['local-a', 'local-b']],
    ]);
    expect(trail[0]?.message).toBe('custody generation 1: 5 share(s) written, root token kept, metadata written');
    const audited = JSON.stringify(trail);
    for (const secret of [...initOf().keys, ...initOf().keysBase64, initOf().rootToken]) expect(audited).not.toContain(secret);
  });

  it('a replace over custody Vault rejected: surplus shares deleted, metadata, then the old blocks lifted', async () => {
    const h = harness([clusterOf('prod', sim)]);
    await h.repo.putMeta(
      'prod',
      { kind: 'unseal', threshold: 4, shares: 7, shareLength: 33, keyCheck: 'old', createdAt: 't', generation: 4 },
      { kind: 'absent' },
    );
    for (const index of [1, 2, 3, 4, 5, 6, 7]) await h.repo.putShare('prod', { index, wrapper: 'local-a', keyId: 'k', ciphertext: 'old', wrappedAt: 't' });
    await h.repo.putBlock('prod', { generation: 4, at: 't', nodeId: 'v0', nodes: ['v0', 'v1'], reason: 'wrong-key', vaultError: 'x' });
    for (const nodeId of ['v1', 'v0']) {
      await h.repo.putGuard('prod', {
        generation: 4,
        nodeId,
        rejections: 1,
        blocked: true,
        reason: 'wrong-key',
        status: 400,
        vaultError: 'x',
        shareIndexes: [1, 2, 3, 4],
        wrappers: ['local-a'],
        firstAt: 't',
        lastAt: 't',
      });
    }
    const request = { clusterId: 'prod', input: input(), replace: true };
    const dry = await h.service.planImport(request);
    expect(dry).toMatchObject({ generation: 5, replaces: 4 });
    expect(dry.actions.slice(5).map((a) => [a.kind, 'index' in a ? a.index : 'node' in a ? a.node : 'generation' in a ? a.generation : a.name])).toEqual([
      ['delete-share', 6],
      ['delete-share', 7],
      ['write-meta', 5],
      ['clear-block', 4],
      ['delete-guard', 'v0'],
      ['delete-guard', 'v1'],
    ]);
    expect(dry.warnings.join('\n')).toMatch(/which Vault rejected \(blocked for generation 4\): replaced/);

    const real = await h.service.importShares(request);
    expect(real.actions).toEqual(dry.actions);
    expect(real).toMatchObject({ generation: 5, replaced: true, removed: [6, 7] });
    expect(real.warnings).toEqual(dry.warnings);
    expect((await h.repo.shares('prod')).map((s) => s.data.index)).toEqual([1, 2, 3, 4, 5]);
    expect(await h.repo.block('prod')).toBeNull();
    expect(await h.repo.guards('prod')).toEqual([]);
  });

  it('refuses in the dry run exactly where the import refuses, in domain terms', async () => {
    const h = harness([clusterOf('prod', sim)]);
    await h.service.importShares({ clusterId: 'prod', input: input() });
    const before = await rawItems(h.store, 'prod');
    const dry = await h.service.planImport({ clusterId: 'prod', input: input() }).catch((e: unknown) => e);
    const real = await h.service.importShares({ clusterId: 'prod', input: input() }).catch((e: unknown) => e);
    for (const error of [dry, real]) {
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('custody-exists');
    }
    expect((dry as Error).message).toBe((real as Error).message);
    expect(await rawItems(h.store, 'prod')).toEqual(before);
  });
});

/** A memory store that fails or interferes at one chosen put (a real store, the fault injected). */
function storeWith(onPut: (sk: string) => Promise<void>): StateStore {
  const inner = createMemoryStateStore({ clock: new FakeClock({ autoAdvance: true }) });
  const put: StateStore['put'] = async (request) => {
    await onPut(request.sk);
    return inner.put(request);
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'put') return put;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the custody executor', () => {
  it('writes the metadata last: a write that stops before it leaves no readable custody, and a plain rerun completes it', async () => {
    let failMeta = true;
    const store = storeWith(async (sk) => {
      if (sk === 'CUSTODY' && failMeta) throw new Error('store went away');
    });
    const h = harness([clusterOf('prod', sim)], store);
    const error = await h.service.importShares({ clusterId: 'prod', input: input() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('custody-partial');
    expect(await h.repo.meta('prod')).toBeNull();
    expect((await h.repo.shares('prod')).map((s) => s.data.index)).toEqual([1, 2, 3, 4, 5]);

    failMeta = false;
    const rerun = await h.service.importShares({ clusterId: 'prod', input: input() });
    expect(rerun).toMatchObject({ generation: 1, replaced: false });
  });

  it('checks the lease before every write: once another operation took it, nothing more is written', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let thief: ReturnType<typeof createLeaseManager> | undefined;
    const store = storeWith(async (sk) => {
      // While the second share is written, the lease lapses (its item is gone) and another
      // operation takes it.
      if (sk === 'SHARE#002' && thief) {
        await store.delete('CLUSTER#prod', 'LEASE');
        await thief.acquire('cluster/prod', 60_000);
      }
    });
    thief = createLeaseManager({ store, clock });
    const h = harness([clusterOf('prod', sim)], store);
    const error = await h.service.importShares({ clusterId: 'prod', input: input() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('custody-partial');
    expect((error as Error).message).toMatch(/stopped after 2 writes: .*lease cluster\/prod was lost/);
    expect((await h.repo.shares('prod')).map((s) => s.data.index)).toEqual([1, 2]);
    expect(await h.repo.meta('prod')).toBeNull();
    // The trail says it stopped half-way, and how far it got.
    const [event] = await createAuditLog({ store, clock }).list('prod');
    expect(event).toMatchObject({ action: 'custody-write', outcome: 'partial' });
    expect(event?.message).toMatch(/^custody generation 1: 2 share\(s\) written before it stopped: .*lease cluster\/prod was lost/);
  });
});

describe('keys rewrap: the dry run is the plan the rewrap executes', () => {
  it('same shares, same order; the dry run unwraps and writes nothing', async () => {
    const h = harness([clusterOf('prod', sim)]);
    await h.service.importShares({ clusterId: 'prod', input: input() });
    const before = await rawItems(h.store, 'prod');
    const dry = await h.service.planRewrap({ clusterId: 'prod', to: 'local-b', indexes: [5, 1, 2] });
    expect(await rawItems(h.store, 'prod')).toEqual(before);
    expect(dry.actions.map((a) => [a.index, a.from, a.to])).toEqual([
      [1, 'local-a', 'local-b'],
      [2, 'local-b', 'local-b'],
      [5, 'local-a', 'local-b'],
    ]);
    expect(dry.actions[1]?.reason).toMatch(/rotation/);
    const real = await h.service.rewrap({ clusterId: 'prod', to: 'local-b', indexes: [5, 1, 2] });
    expect(real.ok).toBe(true);
    expect(real.results.map((r) => [r.index, r.from, r.fromKeyId, r.to, r.outcome])).toEqual(
      dry.actions.map((a) => [a.index, a.from, a.fromKeyId, a.to, 'rewrapped']),
    );
    expect((await h.repo.shares('prod')).map((s) => s.data.wrapper)).toEqual(['local-b', 'local-b', 'local-a', 'local-b', 'local-b']);
  });
});

describe('init: the dry run is the plan the init executes', () => {
  it('checks everything a real init checks, calls no sys/init, and plans the writes the init then applies', async () => {
    const fresh = await startSimulatedCluster({ nodes: 2, init: false });
    try {
      const h = harness([clusterOf('new', fresh)]);
      const request = { clusterId: 'new', shares: 5, threshold: 3, storeRootToken: true };
      const dry = await h.service.planInit(request);
      const initCalls = () => fresh.nodes.flatMap((n) => n.requestLog).filter((r) => r.path === '/v1/sys/init' && r.method !== 'GET');
      expect(initCalls()).toEqual([]);
      expect(fresh.nodes.every((n) => !n.state().initialized)).toBe(true);
      expect(await rawItems(h.store, 'new')).toEqual([]);
      expect(dry).toMatchObject({ dryRun: true, node: fresh.nodes[0]!.id, kind: 'unseal', generation: 1, replaces: null, rootToken: 'stored' });

      const real = await h.service.initialize(request);
      expect(real.outcome).toBe('custody-created');
      if (real.outcome !== 'custody-created') return;
      expect(real.actions).toEqual(dry.actions);
      expect(initCalls()).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});
