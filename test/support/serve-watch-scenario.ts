import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { putCustody } from './custody-fixture.ts';
import { startKubernetesApiFake, type KubernetesApiFake } from './kubernetes-api-fake.ts';
import { podAddress, type PodAddress } from './pod-address.ts';

const BIN = fileURLToPath(new URL('../../functions/cli/bin.js', import.meta.url));
const TOKEN = 'serve-watch-sa-token';

export interface RestartRun {
  /** Pod restart (endpoints changed) → Vault answering unsealed, measured here. */
  unsealedMs: number;
  newAddress: string;
  /**
   * Connections to the pod's previous address from the moment it was unsealed at the new one
   * until 1.5 s later (the watch's follow-up sweeps run in that window).
   */
  oldAddressContacts: number;
}

/**
 * `sealwatch serve` as its own process (embedded store on disk, config file) watching the
 * EndpointSlices of a simulated StatefulSet served by the Kubernetes API fake in this process.
 * Each run restarts `vault-1` (it comes back sealed) at a new pod IP and times how long until
 * it answers unsealed. The sweep interval is an hour: only the watch can unseal it in time.
 */
export async function runServeWatchScenario(options: { runs: number; deadlineMs: number }): Promise<{ runs: RestartRun[]; watchers: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealwatch-serve-watch-'));
  let sim: SimulatedCluster | undefined;
  let api: KubernetesApiFake | undefined;
  let child: ChildProcess | undefined;
  const forwarders: PodAddress[] = [];
  try {
    sim = await startSimulatedCluster({ nodes: 3 });
    api = await startKubernetesApiFake({ namespace: 'vault', service: 'vault-internal', tokens: [TOKEN] });
    const addresses = new Map(sim.nodes.map((n) => [n.id, n.url]));
    // vault-1 starts behind its own address too, so contacts to each old address can be counted.
    const first = await podAddress(sim.nodes[1]?.url ?? '', '127.0.0.1');
    forwarders.push(first);
    addresses.set('vault-1', first.url);
    const publish = () =>
      api?.setPods(
        (sim?.nodes ?? []).map((n, i) => {
          const url = new URL(addresses.get(n.id) ?? n.url);
          return { name: n.id, address: url.hostname, port: Number(url.port), slice: i };
        }),
      );
    publish();

    const key = createLocalKeyWrapper({ id: 'local-1', key: Buffer.alloc(32, 7) });
    writeFileSync(join(dir, 'wrapper.key'), Buffer.alloc(32, 7).toString('hex'));
    writeFileSync(join(dir, 'sa-token'), TOKEN);
    writeFileSync(join(dir, 'ca.pem'), sim.caPem ?? '');
    writeFileSync(
      join(dir, 'sealwatch.yaml'),
      [
        'state: { embedded: { path: ./state } }',
        'sweep: { intervalSeconds: 3600, nodeTimeoutMs: 2000 }',
        'wrappers: [{ id: local-1, local: { keyFile: ./wrapper.key } }]',
        'clusters:',
        '  - id: prod',
        '    tls: { caFile: ./ca.pem, serverName: "{node}" }',
        '    discovery:',
        '      kubernetes:',
        '        namespace: vault',
        '        service: vault-internal',
        `        server: ${api.url}`,
        '        token: ${file:./sa-token}',
      ].join('\n'),
    );
    const store = await createEmbeddedStateStore({ path: join(dir, 'state'), clock: systemClock });
    await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: key });
    await store.close();

    child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'sealwatch.yaml'), '--port', '0'], {
      env: { ...process.env, SEALWATCH_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(
      () => api?.watchers() === 1,
      20_000,
      () => `serve never watched the EndpointSlices: ${stderr}`,
    );

    const runs: RestartRun[] = [];
    for (let i = 0; i < options.runs; i += 1) {
      const node = sim.nodes.find((n) => n.id === 'vault-1');
      if (!node) throw new Error('no vault-1');
      await until(
        () => node.state().sealed === false,
        10_000,
        () => 'vault-1 not unsealed before the run',
      );
      const previous = forwarders.at(-1);
      await sim.restart('vault-1');
      const next = await podAddress(node.url, `127.0.0.${2 + i}`);
      forwarders.push(next);
      addresses.set('vault-1', next.url);
      const start = performance.now();
      publish();
      await until(
        () => node.state().sealed === false,
        options.deadlineMs,
        () => `vault-1 still sealed after ${options.deadlineMs} ms: ${stderr}`,
      );
      const unsealedMs = Math.round(performance.now() - start);
      const contactsBefore = previous?.connections() ?? 0;
      await new Promise((r) => setTimeout(r, 1500));
      runs.push({ unsealedMs, newAddress: next.url, oldAddressContacts: (previous?.connections() ?? 0) - contactsBefore });
    }
    return { runs, watchers: api.watchers() };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
    }
    await Promise.all(forwarders.map((f) => f.close()));
    await api?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(message());
    await new Promise((r) => setTimeout(r, 5));
  }
}
