import { afterEach, describe, expect, it } from 'vitest';
import { keySubmissions } from '../../support/custody-fixture.ts';
import { ids, startStatefulSet, type StatefulSet } from './statefulset-harness.ts';

let set: StatefulSet | undefined;
afterEach(async () => {
  await set?.close();
  set = undefined;
});

describe('a Vault StatefulSet found through the Kubernetes API (embedded store)', () => {
  it('vault-1 restarts with a new IP and comes back sealed: one sweep finds and unseals it; the old address is never used again', async () => {
    set = await startStatefulSet();
    const oldAddress = await set.moveTo('vault-1', '127.0.0.1');
    set.publish();
    const first = await set.sweep();
    expect(first.nodes.map((n) => [n.id, n.state]).sort()).toEqual([
      ['vault-0', 'active'],
      ['vault-1', 'standby'],
      ['vault-2', 'standby'],
    ]);
    expect(first.nodes.find((n) => n.id === 'vault-1')?.url).toBe(oldAddress.url);
    expect(oldAddress.connections()).toBeGreaterThan(0);

    // The pod restarts: Vault comes back sealed, and the pod has a new IP.
    await set.sim.restart('vault-1');
    const vault1 = set.sim.nodes.find((n) => n.id === 'vault-1');
    expect(vault1?.state()).toMatchObject({ sealed: true });
    const newAddress = await set.moveTo('vault-1', '127.0.0.2');
    set.publish();
    const usedBefore = oldAddress.connections();
    vault1?.clearRequestLog();

    const report = await set.sweep();
    const node = report.nodes.find((n) => n.id === 'vault-1');
    expect(node?.url).toBe(newAddress.url);
    expect(node?.unsealedBy).toBe('sealwatch');
    expect(vault1?.state()).toMatchObject({ sealed: false });
    expect(keySubmissions(vault1 as never)).toHaveLength(3);
    expect(newAddress.connections()).toBeGreaterThan(0);
    await set.sweep();
    expect(oldAddress.connections()).toBe(usedBefore);
  });

  it('scales 3 → 5 (new pods joined and unsealed with raft.autoJoin), then 5 → 3 (node.gone after N sweeps, once, no errors)', async () => {
    set = await startStatefulSet({ autoJoin: true, goneAfterSweeps: 2 });
    expect((await set.sweep()).nodes).toHaveLength(3);
    const added = [await set.sim.addNode(), await set.sim.addNode()];
    set.publish();
    const grown = await set.sweep();
    expect(ids(grown, /raft\./)).toEqual(added.map((n) => `raft.node-joined@${n.id}:info`).sort());
    for (const node of added) expect(node.state()).toMatchObject({ initialized: true, sealed: false });
    const settled = await set.sweep();
    expect(settled.nodes.map((n) => n.state).sort()).toEqual(['active', 'standby', 'standby', 'standby', 'standby']);
    expect(ids(settled)).toEqual([]);

    // Scale down: the two pods go away (and their endpoints with them).
    for (const node of added) {
      await set.sim.kill(node.id);
      set.hidden.add(node.id);
    }
    set.publish();
    const after1 = await set.sweep();
    expect(after1.nodes.map((n) => n.id).sort()).toEqual(['vault-0', 'vault-1', 'vault-2']);
    expect(ids(after1)).toEqual([]);
    const after2 = await set.sweep();
    expect(ids(after2)).toEqual(added.map((n) => `node.gone@${n.id}:info`).sort());
    const after3 = await set.sweep();
    expect(ids(after3)).toEqual([]);
    expect(after3.nodes.every((n) => n.error === null)).toBe(true);
  });

  it('API server down, then 403: the last known nodes are still swept with discovery.failed; recovers when the API returns', async () => {
    set = await startStatefulSet();
    await set.sweep();
    await set.sim.restart('vault-2');

    await set.api.stop();
    const down = await set.sweep();
    expect(ids(down)).toEqual(['discovery.failed:warning']);
    expect(down.findings?.[0]?.evidence).toMatchObject({ failure: 'unreachable', lastKnownNodes: ['vault-0', 'vault-1', 'vault-2'] });
    expect(down.nodes.find((n) => n.id === 'vault-2')?.unsealedBy).toBe('sealwatch');

    await set.api.start();
    set.api.failWith(403);
    const forbidden = await set.sweep();
    expect(ids(forbidden)).toEqual(['discovery.failed:warning']);
    expect(forbidden.findings?.[0]?.evidence).toMatchObject({
      failure: 'forbidden',
      permission: 'list endpointslices (apiGroups: discovery.k8s.io) in namespace vault',
    });
    expect(forbidden.findings?.[0]?.message).toContain('grant: list endpointslices');
    expect(forbidden.nodes).toHaveLength(3);

    set.api.failWith(null);
    const back = await set.sweep();
    expect(ids(back)).toEqual([]);
    expect(back.nodes.map((n) => n.state).sort()).toEqual(['active', 'standby', 'standby']);
  });
});
