// `npm run bench:unseal -- --json`: 100 unseal cycles of a sealed 3-of-5 Shamir node on loopback
// (TLS pinned to the simulator's CA), first with shares under a local wrapper, then under AWS KMS
// through the real @aws-sdk/client-kms against the KMS wire server adding 20 ms to every call.
// Each cycle: seal the node, observe it sealed (detection), unseal it through the unseal service;
// the latency is detection → Vault answering `sealed: false`. State lives in the embedded store
// (dynalite, in memory; `--store memory` for none), as in a local deployment: the lease and the
// custody reads are on the measured path.
// Targets (custody issue): local p99 ≤ 100 ms; KMS with 20 ms per call p50 ≤ 80 ms.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { createAwsKmsKeyWrapper } from '../../shared/adapters/aws-kms-key-wrapper.ts';
import { createEmbeddedStateStore } from '../../shared/adapters/embedded-dynamo.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { observeNode } from '../../shared/app/observe-node.ts';
import { createUnsealService } from '../../shared/app/unseal-service.ts';
import { classifyNode } from '../../shared/core/classify-node.ts';
import { percentile } from '../../shared/core/plan-sweep.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { KeyWrapper } from '../../shared/ports/key-wrapper.ts';
import { startSimulatedCluster } from '../../shared/simulator/index.ts';
import { putCustody, randomLocalWrapper, sweepClusterOf } from '../support/custody-fixture.ts';
import { startKmsWireServer } from '../support/kms-wire-server.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '5' },
    'kms-latency': { type: 'string', default: '20' },
    /** `embedded`: dynalite in this process, like a local deployment; `memory`: no store latency at all. */
    store: { type: 'string', default: 'embedded' },
    json: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const warmup = Number(values.warmup);
const kmsLatencyMs = Number(values['kms-latency']);
const targets = { localP99Ms: 100, kmsP50Ms: 80 };

// Sub-millisecond timings: the service stamps `unsealedAt` with this clock.
const clock: Clock = { now: () => performance.timeOrigin + performance.now(), sleep: systemClock.sleep };
const round = (ms: number) => Math.round(ms * 10) / 10;

const sim = await startSimulatedCluster({ nodes: 1, unsealed: false, init: { shares: 5, threshold: 3 }, tls: true });
const kms = await startKmsWireServer();
const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
const store = values.store === 'memory' ? createMemoryStateStore({ clock }) : await createEmbeddedStateStore({ inMemory: true, clock });
const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-bench' });

interface Phase {
  name: string;
  clusterId: string;
  wrapper: KeyWrapper;
}

async function runPhase(phase: Phase) {
  const service = createUnsealService({
    store,
    leases: createLeaseManager({ store, clock }),
    vault,
    wrappers: [phase.wrapper],
    clock,
    logger: silentLogger,
  });
  const cluster = sweepClusterOf(sim, phase.clusterId);
  const node = sim.nodes[0];
  if (!node) throw new Error('no simulated node');
  const client = vault.client({ url: node.url, caPem: sim.caPem ?? '' });
  const latencies: number[] = [];
  const unwrap: number[] = [];
  const submit: number[] = [];
  let failures = 0;
  for (let i = 0; i < warmup + cycles; i++) {
    node.seal();
    const observation = await observeNode(client, { timeoutMs: 2_000, now: clock.now });
    if (classifyNode(observation).state !== 'sealed') throw new Error('node not observed sealed');
    const detectedAt = clock.now();
    const result = await service.unsealNode({ cluster, nodeId: node.id, trigger: 'bench' });
    if (i < warmup) continue;
    if (result.outcome !== 'unsealed' || result.unsealedAt === undefined) {
      failures += 1;
      continue;
    }
    latencies.push(result.unsealedAt - detectedAt);
    unwrap.push(result.timings.unwrapMs);
    submit.push(result.timings.submitMs);
  }
  return {
    cycles,
    failures,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(...latencies)),
    unwrapP50Ms: round(percentile(unwrap, 50)),
    submitP50Ms: round(percentile(submit, 50)),
  };
}

try {
  const shares = sim.init?.keys ?? [];
  const local = randomLocalWrapper('bench-local');
  await putCustody({ store, clusterId: 'bench-local', shares, threshold: 3, wrapperFor: local });
  const kmsWrapper = createAwsKmsKeyWrapper({ id: 'bench-kms', keyId: kms.createKey().keyId, client: kmsClient });
  await putCustody({ store, clusterId: 'bench-kms', shares, threshold: 3, wrapperFor: kmsWrapper });

  const localResult = await runPhase({ name: 'local', clusterId: 'bench-local', wrapper: local });
  kms.setFault({ latencyMs: kmsLatencyMs });
  const kmsResult = await runPhase({ name: 'kms', clusterId: 'bench-kms', wrapper: kmsWrapper });
  const kmsCalls = kms.requestLog.filter((e) => e.target === 'Decrypt').length;

  const ok = localResult.failures === 0 && kmsResult.failures === 0 && localResult.p99Ms <= targets.localP99Ms && kmsResult.p50Ms <= targets.kmsP50Ms;
  const result = {
    benchmark: 'unseal',
    node: '3-of-5 Shamir, vault-1.19 simulator, TLS on 127.0.0.1',
    store: values.store === 'memory' ? 'memory' : 'embedded (dynalite in memory, in this process)',
    warmupCycles: warmup,
    local: localResult,
    kms: { ...kmsResult, addedLatencyMsPerCall: kmsLatencyMs, decryptCalls: kmsCalls },
    targets,
    ok,
  };
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${JSON.stringify(result)}\n`);
  process.exitCode = ok ? 0 : 1;
} finally {
  kmsClient.destroy();
  await vault.close();
  await store.close();
  await kms.close();
  await sim.close();
}
