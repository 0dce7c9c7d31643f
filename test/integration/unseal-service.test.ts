import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { KeyWrapper } from '../../shared/ports/key-wrapper.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';
import { countingStore } from '../../shared/app/counting-store.ts';

// The unseal service against the Vault simulator (TLS pinned to its CA), a memory store and a
// local wrapper: the happy path, what it refuses, foreign attempts, transient failures, dry runs.

const wrapper = randomLocalWrapper('local-a');
let sim: SimulatedCluster;
let auto: SimulatedCluster;
let h: UnsealHarness;
const cluster = () => sweepClusterOf(sim, 'c1');

beforeAll(async () => {
  [sim, auto] = await Promise.all([
    startSimulatedCluster({ nodes: 3, unsealed: false }),
    startSimulatedCluster({ nodes: 1, sealType: 'awskms', profile: 'vault-1.16' }),
  ]);
  h = unsealHarness({ wrappers: [wrapper], service: { attempts: 2, staleAttemptMs: 0 } });
  await putCustody({ store: h.store, clusterId: 'c1', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([sim?.close(), auto?.close()]);
});

function node(i: number) {
  const n = sim.nodes[i];
  if (!n) throw new Error(`no node ${i}`);
  n.clearRequestLog();
  return n;
}

describe('unseal service', () => {
  it('unseals a sealed node with t shares sent one by one, audits it, and then has nothing to do', async () => {
    const n = node(0);
    const result = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
    expect(result.outcome).toBe('unsealed');
    expect(n.state().sealed).toBe(false);
    expect(keySubmissions(n)).toHaveLength(3);
    expect(result.shareIndexes).toEqual([1, 2, 3]);
    expect(result.wrappers).toEqual(['local-a']);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.submitMs);
    expect(result.viewAfter?.sealed).toBe(false);
    expect(result.findings).toEqual([]);
    const events = await h.audit.list('c1');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'unseal', node: n.id, outcome: 'unsealed', trigger: 'test', shareIndexes: [1, 2, 3], wrappers: ['local-a'] });

    const again = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
    expect(again.outcome).toBe('not-sealed');
    expect(keySubmissions(n)).toHaveLength(3);
    expect(await h.audit.list('c1')).toHaveLength(1);
  });

  it('unseals every sealed node of a cluster under one lease and reports success', async () => {
    for (const n of sim.nodes) n.seal();
    const result = await h.service.unsealCluster({ cluster: cluster(), trigger: 'test' });
    expect(result.nodes.map((n) => n.outcome)).toEqual(['unsealed', 'unsealed', 'unsealed']);
    expect(result.ok).toBe(true);
    expect(sim.nodes.every((n) => !n.state().sealed)).toBe(true);
  });

  it('refuses an https node of a cluster without a pinned CA, without contacting it', async () => {
    const n = node(1);
    n.seal();
    const { tls: _tls, ...unpinned } = cluster();
    const result = await h.service.unsealNode({ cluster: unpinned, nodeId: n.id, trigger: 'test' });
    expect(result.outcome).toBe('refused');
    expect(result.findings.map((f) => f.id)).toEqual(['unseal.tls-unpinned']);
    expect(n.requestLog).toEqual([]);
    expect(n.state().sealed).toBe(true);
  });

  it('sends nothing to a node whose seal status does not fit the custody, naming the field', async () => {
    const n = node(1);
    await putCustody({ store: h.store, clusterId: 'c-t4', shares: sim.init?.keys ?? [], threshold: 4, wrapperFor: wrapper });
    const result = await h.service.unsealNode({ cluster: { ...cluster(), id: 'c-t4' }, nodeId: n.id, trigger: 'test' });
    expect(result.outcome).toBe('custody-mismatch');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ id: 'unseal.custody-mismatch', severity: 'critical', evidence: { fields: ['t'] } });
    expect(result.findings[0]?.message).toContain('t: custody needs 4, node reports 3');
    expect(keySubmissions(n)).toEqual([]);
    expect((await h.audit.list('c-t4')).map((e) => e.outcome)).toEqual(['custody-mismatch']);
  });

  it('leaves a foreign attempt that may be moving alone, and resets it once it has not moved', async () => {
    const n = node(1);
    const client = h.vault.client({ url: n.url, caPem: sim.caPem ?? '' });
    const foreign = await client.unseal({ key: sim.init?.keys[4] ?? '' });
    expect(foreign.progress).toBe(1);

    const first = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
    expect(first.outcome).toBe('contended');
    expect(n.state()).toMatchObject({ sealed: true, progress: 1 });
    expect(keySubmissions(n)).toHaveLength(1);

    const second = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
    expect(second.outcome).toBe('unsealed');
    expect(n.requestLog.some((e) => e.path === '/v1/sys/unseal' && /"reset"\s*:\s*true/.test(e.body))).toBe(true);
    expect(keySubmissions(n)).toHaveLength(4);
  });

  it('retries a failing node, then gives up with a finding', async () => {
    const n = node(2);
    n.seal();
    n.setFaults({ status5xx: 503 });
    try {
      const result = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
      expect(result.outcome).toBe('transient');
      expect(result.findings.map((f) => f.id)).toEqual(['unseal.transient-failure']);
      expect(n.requestLog.filter((e) => e.path === '/v1/sys/seal-status')).toHaveLength(2);
    } finally {
      n.setFaults({});
    }
    const later = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
    expect(later.outcome).toBe('unsealed');
  });

  it('dry run: names nodes, shares and wrappers without unwrapping, sending or writing anything', async () => {
    let unwraps = 0;
    const counting: KeyWrapper = { ...wrapper, id: wrapper.id, kind: wrapper.kind, unwrap: (...args) => ((unwraps += 1), wrapper.unwrap(...args)) };
    const store = countingStore(h.store);
    const dry = unsealHarness({ wrappers: [counting], store });
    try {
      const n = node(2);
      n.seal();
      node(0);
      const writes = store.writeCount();
      const result = await dry.service.unsealCluster({ cluster: cluster(), trigger: 'test', dryRun: true });
      expect(result.dryRun).toBe(true);
      expect(result.nodes.map((r) => r.outcome)).toEqual(['not-sealed', 'not-sealed', 'would-unseal']);
      expect(result.nodes[2]).toMatchObject({ shareIndexes: [1, 2, 3], wrappers: ['local-a'] });
      expect(unwraps).toBe(0);
      expect(keySubmissions(n)).toEqual([]);
      expect(store.writeCount()).toBe(writes);
      expect(n.state().sealed).toBe(true);
    } finally {
      await dry.close();
    }
  });

  it('skips when another invocation holds the cluster lease', async () => {
    const n = node(2);
    const other = createLeaseManager({ store: h.store, clock: systemClock, owner: 'webhook-7' });
    const held = await other.acquire('cluster/c1', 60_000);
    if (!('lease' in held)) throw new Error('lease not acquired');
    try {
      const result = await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' });
      expect(result.outcome).toBe('lease-held');
      expect(result.message).toContain('webhook-7');
      expect(n.requestLog).toEqual([]);
    } finally {
      await other.release(held.lease);
    }
    expect((await h.service.unsealNode({ cluster: cluster(), nodeId: n.id, trigger: 'test' })).outcome).toBe('unsealed');
  });

  it('says when a cluster has no custody', async () => {
    const result = await h.service.unsealNode({ cluster: { ...cluster(), id: 'nothing-here' }, nodeId: sim.nodes[0]?.id ?? '', trigger: 'test' });
    expect(result.outcome).toBe('no-custody');
  });

  it('unseals an auto-unseal node sealed through sys/seal with recovery shares', async () => {
    const n = auto.nodes[0];
    if (!n) throw new Error('no node');
    await putCustody({ store: h.store, clusterId: 'auto', kind: 'recovery', shares: auto.init?.recoveryKeys ?? [], threshold: 3, wrapperFor: wrapper });
    n.seal();
    n.clearRequestLog();
    const result = await h.service.unsealNode({ cluster: sweepClusterOf(auto, 'auto'), nodeId: n.id, trigger: 'test' });
    expect(result.outcome).toBe('unsealed');
    expect(keySubmissions(n)).toHaveLength(3);
    expect(n.state().sealed).toBe(false);
  });
});
