import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import type { ClusterReport, SweepReport } from '../../../shared/app/sweep-types.ts';
import { Secret } from '../../../shared/config/secret.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { putCustody } from '../../support/custody-fixture.ts';
import { startKubernetesApiFake, type FakePod, type KubernetesApiFake } from '../../support/kubernetes-api-fake.ts';
import { podAddress, type PodAddress } from '../../support/pod-address.ts';

export const API_TOKEN = 'sealwatch-sa-token';

/**
 * A Helm-style Vault StatefulSet: simulated nodes (pods) behind a Kubernetes API fake whose
 * EndpointSlices list them, and a sealwatch runtime (embedded store) that finds them only through
 * discovery. A pod may be given another address (`moveTo`), as a restart gives it a new pod IP.
 */
export interface StatefulSet {
  sim: SimulatedCluster;
  api: KubernetesApiFake;
  runtime: Runtime;
  /** Current address of each pod, by pod name. */
  addresses: Map<string, string>;
  /** Publishes the current pods (all but `hidden`) as endpoints. */
  publish(): void;
  hidden: Set<string>;
  moveTo(pod: string, host: string): Promise<PodAddress>;
  sweep(): Promise<ClusterReport>;
  close(): Promise<void>;
}

export async function startStatefulSet(options: { goneAfterSweeps?: number; autoJoin?: boolean } = {}): Promise<StatefulSet> {
  const sim = await startSimulatedCluster({ nodes: 3 });
  const api = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [API_TOKEN] });
  const addresses = new Map(sim.nodes.map((n) => [n.id, n.url]));
  const forwarders: PodAddress[] = [];
  const hidden = new Set<string>();
  const publish = () =>
    api.setPods(
      sim.nodes
        .filter((n) => !hidden.has(n.id))
        .map((n, i): FakePod => {
          const url = new URL(addresses.get(n.id) ?? n.url);
          // Simulated pods share 127.0.0.1 and differ by port, and a slice's ports apply to all of
          // its endpoints: one slice per pod, as a service with a named targetPort can have.
          return { name: n.id, address: url.hostname, port: Number(url.port), nodeName: `k3s-${n.id.slice(-1)}`, zone: 'zone-a', slice: i };
        }),
    );
  publish();

  const key = randomBytes(32);
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'local-1', kind: 'local', local: { key: new Secret(key.toString('hex')) } }],
    clusters: [
      {
        id: 'prod',
        name: 'prod',
        nodes: [],
        // Pods are reached by IP; their certificate names the pod (the simulator puts node ids in SANs).
        tls: { caPem: sim.caPem ?? '', serverName: '{node}' },
        discovery: {
          kind: 'kubernetes',
          kubernetes: {
            namespace: 'vault',
            service: 'vault-internal',
            scheme: 'https',
            insecureHttp: false,
            api: { kind: 'token', server: api.url, token: new Secret(API_TOKEN) },
          },
          goneAfterSweeps: options.goneAfterSweeps ?? 2,
          timeoutMs: 2_000,
        },
        ...(options.autoJoin ? { raft: { autoJoin: true } } : {}),
      },
    ],
  };
  const runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, inMemoryState: true, alertChannels: [] });
  const wrapper = createLocalKeyWrapper({ id: 'local-1', key });
  await putCustody({ store: runtime.store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: wrapper });

  return {
    sim,
    api,
    runtime,
    addresses,
    hidden,
    publish,
    async moveTo(pod, host) {
      const node = sim.nodes.find((n) => n.id === pod);
      if (!node) throw new Error(`no pod ${pod}`);
      const forwarder = await podAddress(node.url, host);
      forwarders.push(forwarder);
      addresses.set(pod, forwarder.url);
      return forwarder;
    },
    async sweep() {
      const report: SweepReport = await runtime.sweep.run({ trigger: 'test' });
      const cluster = report.clusters.find((c) => c.id === 'prod');
      if (!cluster) throw new Error(`no prod cluster in the report (${report.skipped?.reason ?? 'not skipped'})`);
      return cluster;
    },
    async close() {
      await runtime.close();
      await Promise.all(forwarders.map((f) => f.close()));
      await api.close();
      await sim.close();
    },
  };
}

export const ids = (report: ClusterReport, filter: RegExp = /./) =>
  (report.findings ?? [])
    .filter((f) => filter.test(f.id))
    .map((f) => `${f.id}${f.node ? `@${f.node}` : ''}:${f.severity}`)
    .sort();
