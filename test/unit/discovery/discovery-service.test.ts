import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { slicesToNodes, type EndpointSlice } from '../../../shared/adapters/kubernetes-endpoint-slices.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createDiscoveryService } from '../../../shared/app/discovery/discovery-service.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';
import { serverNameFor } from '../../../shared/core/server-name.ts';
import { DiscoveryError, type DiscoveredNode, type NodeDiscovery } from '../../../shared/ports/node-discovery.ts';
import { clusterStateKey } from '../../../shared/app/cluster-record-layout.ts';

const recorded = JSON.parse(readFileSync(new URL('../../fixtures/kubernetes/endpointslice-list.json', import.meta.url), 'utf8')) as { items: EndpointSlice[] };

/** A source whose answer the test sets (a NodeDiscovery implementation, injected). */
function source(): NodeDiscovery & { answer: DiscoveredNode[] | Error } {
  const s = {
    source: 'kubernetes',
    answer: [] as DiscoveredNode[] | Error,
    async discover() {
      if (s.answer instanceof Error) throw s.answer;
      return s.answer;
    },
  };
  return s;
}
const node = (id: string, ip: string, extra: Partial<DiscoveredNode> = {}): DiscoveredNode => ({ id, url: `https://${ip}:8200`, details: {}, ...extra });

function setup(goneAfterSweeps = 2) {
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async () => undefined };
  const store = createMemoryStateStore({ clock });
  const src = source();
  const service = createDiscoveryService({
    discoveries: new Map([['prod', { source: src, goneAfterSweeps, timeoutMs: 1000 }]]),
    store,
    clock,
    logger: silentLogger,
  });
  const cluster: SweepCluster = { id: 'prod', name: 'prod', nodes: [{ id: 'static-0', url: 'https://10.9.9.9:8200' }] };
  const sweep = async () => {
    const r = await service.resolveClusters([cluster], AbortSignal.timeout(1000));
    return {
      nodes: r.clusters[0]?.nodes.map((n) => `${n.id}=${n.url}`) ?? [],
      findings: (r.findings.get('prod') ?? []).map((f) => `${f.id}${f.node ? `@${f.node}` : ''}:${f.severity}`),
    };
  };
  return { store, src, service, sweep, advance: (ms: number) => (now += ms) };
}

describe('the recorded EndpointSliceList', () => {
  it('maps to pods at their IPs on the port named https (not https-internal)', () => {
    expect(slicesToNodes(recorded.items, { scheme: 'https', insecureHttp: false }).map((n) => [n.id, n.url, n.details['zone']])).toEqual([
      ['vault-0', 'https://10.42.1.5:8200', 'eu-west-1a'],
      ['vault-1', 'https://10.42.2.7:8200', 'eu-west-1b'],
    ]);
  });
});

describe('discovery service', () => {
  it('static nodes come first and keep their id; terminating pods are reported, not swept', async () => {
    const t = setup();
    t.src.answer = [node('static-0', '10.0.0.1'), node('vault-0', '10.0.0.2'), node('vault-1', '10.0.0.3', { terminating: true })];
    expect(await t.sweep()).toEqual({
      nodes: ['static-0=https://10.9.9.9:8200', 'vault-0=https://10.0.0.2:8200'],
      findings: ['discovery.node-terminating@vault-1:info'],
    });
  });

  it('at most 99 discovered nodes, with a finding when the source lists more', async () => {
    const t = setup();
    t.src.answer = Array.from({ length: 100 }, (_, i) => node(`v-${i}`, `10.0.1.${i}`));
    const r = await t.sweep();
    expect(r.nodes).toHaveLength(1 + 99);
    expect(r.findings).toEqual(['discovery.too-many-nodes:warning']);
  });

  it('a failure uses the last known list with its age; node.gone comes once, a warning when the node was active', async () => {
    const t = setup(2);
    t.src.answer = [node('vault-0', '10.0.0.2'), node('vault-1', '10.0.0.3')];
    await t.sweep();
    t.advance(90_000);
    t.src.answer = new DiscoveryError('forbidden', '403 Forbidden: no', 'list endpointslices (apiGroups: discovery.k8s.io) in namespace vault');
    const failed = await t.sweep();
    expect(failed.nodes).toEqual(['static-0=https://10.9.9.9:8200', 'vault-0=https://10.0.0.2:8200', 'vault-1=https://10.0.0.3:8200']);
    expect(failed.findings).toEqual(['discovery.failed:warning']);
    const [finding] = (await t.service.resolveClusters([{ id: 'prod', name: 'prod', nodes: [] }], AbortSignal.timeout(1000))).findings.get('prod') ?? [];
    expect(finding?.evidence).toMatchObject({ failure: 'forbidden', lastKnownAgeMs: 90_000, lastKnownNodes: ['vault-0', 'vault-1'] });
    expect(finding?.message).toContain('grant: list endpointslices');

    await t.store.put({ ...clusterStateKey('prod'), data: { nodes: { 'vault-1': { state: 'active' } } }, condition: { kind: 'any' } });
    t.src.answer = [];
    expect(await t.sweep()).toEqual({ nodes: ['static-0=https://10.9.9.9:8200'], findings: [] });
    expect((await t.sweep()).findings).toEqual(['node.gone@vault-0:info', 'node.gone@vault-1:warning']);
    expect((await t.sweep()).findings).toEqual([]);
  });

  it('resolveCluster (CLI) reads without counting vanished nodes', async () => {
    const t = setup(1);
    t.src.answer = [node('vault-0', '10.0.0.2')];
    await t.sweep();
    t.src.answer = [];
    await t.service.resolveCluster({ id: 'prod', name: 'prod', nodes: [] }, AbortSignal.timeout(1000));
    expect((await t.sweep()).findings).toEqual(['node.gone@vault-0:info']);
  });
});

describe('tls.serverName templates', () => {
  it('replace {node} by the node id; an unknown node keeps the template, which no certificate names', () => {
    expect(serverNameFor('{node}.vault-internal', 'vault-1')).toBe('vault-1.vault-internal');
    expect(serverNameFor('vault.example.com', 'vault-1')).toBe('vault.example.com');
    expect(serverNameFor('{node}.vault-internal', undefined)).toBe('{node}.vault-internal');
  });
});
