import { randomBytes } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { combine } from 'shamir-secret-sharing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnseal } from '../../functions/cli/commands/unseal.ts';
import { formatReport } from '../../functions/cli/format-report.ts';
import { createAwsKmsKeyWrapper } from '../../shared/adapters/aws-kms-key-wrapper.ts';
import { createDynamoDbStateStore, ensureStateTable } from '../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../shared/adapters/embedded-dynamo.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createApp } from '../../shared/api/create-app.ts';
import { createCustodyService } from '../../shared/app/custody-service.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createSweepService } from '../../shared/app/sweep.ts';
import type { SweepCluster } from '../../shared/app/sweep-types.ts';
import { describeError } from '../../shared/errors.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { arrayLogger, decodeShare, putCustody, sweepClusterOf, unsealHarness, type UnsealHarness } from '../support/custody-fixture.ts';
import { startKmsWireServer, type KmsWireServer } from '../support/kms-wire-server.ts';
import { describeLeaks, scanForLeaks, type Haystack, type KnownSecret } from '../support/leak-scan.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';

// Known shares go in through the import; then sealwatch unseals (successes, a wrapper failure,
// throttling, a wrong key, blocked attempts, a dry run) while we collect everything it produced:
// every log line, every raw item of the DynamoDB table (read with the SDK, not through our
// store), every API response body, every result, report and error message. No share, no
// combined key, no root token, no custody key may appear in any of them, in any encoding.

let dynamo: EmbeddedDynamo;
let rawClient: DynamoDBClient;
let store: StateStore;
let kms: KmsWireServer;
let kmsClient: KMSClient;
let kmsKeyId: string;
let sim: SimulatedCluster;
let other: SimulatedCluster;
let h: UnsealHarness;
const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
const localKey = randomBytes(32);
const logs: string[] = [];
const outputs: Haystack[] = [];
const TABLE = 'sealwatch';

beforeAll(async () => {
  [dynamo, kms, sim, other] = await Promise.all([
    startEmbeddedDynamo({ inMemory: true }),
    startKmsWireServer(),
    startSimulatedCluster({ nodes: 3, unsealed: false, profile: 'vault-1.19' }),
    startSimulatedCluster({ nodes: 1, unsealed: false }),
  ]);
  const clientOptions = { endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  rawClient = new DynamoDBClient(clientOptions);
  await ensureStateTable(rawClient, TABLE, { clock: systemClock });
  store = createDynamoDbStateStore({ client: new DynamoDBClient(clientOptions), table: TABLE, clock: systemClock });
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' }, maxAttempts: 1 });
  kmsKeyId = kms.createKey().keyId;
}, 30_000);

afterAll(async () => {
  await h?.close();
  await vault.close();
  await store?.close();
  rawClient?.destroy();
  kmsClient?.destroy();
  await Promise.all([dynamo?.close(), kms?.close(), sim?.close(), other?.close()]);
});

function record(source: string, value: unknown): void {
  outputs.push({ source, text: typeof value === 'string' ? value : JSON.stringify(value) });
}

async function rawItems(): Promise<Haystack[]> {
  const items: Haystack[] = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await rawClient.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.push({ source: `item ${item.pk?.S}/${item.sk?.S}`, text: JSON.stringify(item) });
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('no leaks', () => {
  it('the scanner finds a planted share in every encoding (so the real scan can fail)', () => {
    const share = randomBytes(33);
    const secrets: KnownSecret[] = [{ label: 'planted', value: share }];
    for (const text of [
      share.toString('hex'),
      share.toString('hex').toUpperCase(),
      share.toString('base64'),
      share.toString('base64url'),
      `x${share.toString('base64').slice(5, 35)}y`,
    ]) {
      expect(scanForLeaks(secrets, [{ source: 't', text: JSON.stringify({ message: text }) }])).toHaveLength(1);
    }
    expect(scanForLeaks(secrets, [{ source: 'bin', text: Buffer.concat([Buffer.from('abc'), share]) }])).toHaveLength(1);
    expect(scanForLeaks(secrets, [{ source: 't', text: randomBytes(64).toString('base64') }])).toEqual([]);
  });

  it('shares, combined key, root token and custody key appear nowhere', { timeout: 30_000 }, async () => {
    const init = sim.init;
    if (!init) throw new Error('simulator not initialised');
    const { logger } = arrayLogger(logs);
    const local = createLocalKeyWrapper({ id: 'local-1', key: localKey });
    const aws = createAwsKmsKeyWrapper({ id: 'aws-1', keyId: kmsKeyId, client: kmsClient });
    const wrappers = [aws, local];
    const cluster: SweepCluster & { custody: { default: string; shares: Record<string, number[]> } } = {
      ...sweepClusterOf(sim, 'prod'),
      custody: { default: 'local-1', shares: { 'aws-1': [1, 2] } },
    };

    // Import through the real import service, as `sealwatch keys import` does.
    const custody = createCustodyService({
      clusters: [cluster],
      wrappers: { get: (id) => wrappers.find((w) => w.id === id), ids: () => wrappers.map((w) => w.id), facts: () => [] },
      store,
      vault,
      clock: systemClock,
      leases: createLeaseManager({ store, clock: systemClock }),
      audit: createAuditLog({ store, clock: systemClock }),
      logger,
    });
    const input = JSON.stringify({ keys: init.keys, keys_base64: init.keysBase64, root_token: init.rootToken });
    record('import result', await custody.importShares({ clusterId: 'prod', input }));
    try {
      await custody.importShares({ clusterId: 'prod', input });
    } catch (error) {
      record('import error', describeError(error));
      record('import error json', error);
    }
    record('custody status', await custody.status('prod'));

    h = unsealHarness({ wrappers, store, logs, service: { attempts: 2 } });
    const sweep = createSweepService({
      clusters: [cluster],
      vault: h.vault,
      store,
      leases: createLeaseManager({ store, clock: systemClock }),
      clock: systemClock,
      logger,
      concurrency: 4,
      nodeTimeoutMs: 2_000,
      autoUnseal: async () => true,
      execute: h.service.executor,
    });
    const sweepOnce = async (label: string) => {
      const report = await sweep.run({ trigger: 'test' });
      record(label, report);
      record(`${label} text`, formatReport(report));
    };
    const unsealOnce = async (label: string, options: { dryRun?: boolean } = {}) => {
      const result = await h.service.unsealCluster({ cluster, trigger: 'test', ...options });
      record(label, result);
      record(`${label} text`, formatUnseal(result));
      return result;
    };

    await sweepOnce('sweep: all sealed');
    expect(sim.nodes.every((n) => !n.state().sealed)).toBe(true);

    sim.nodes[0]?.seal();
    kms.setKeyState(kmsKeyId, 'Disabled');
    expect((await unsealOnce('unseal: kms disabled')).nodes[0]?.outcome).toBe('unsealed');
    kms.setKeyState(kmsKeyId, 'Enabled');

    sim.nodes[1]?.seal();
    kms.setFault({ throttle: true });
    await unsealOnce('unseal: kms throttled');
    kms.setFault(undefined);

    sim.nodes[2]?.seal();
    await unsealOnce('dry run', { dryRun: true });
    await sweepOnce('sweep: one sealed');

    // A share of another cluster: the wrong key, then blocked attempts.
    const mixed = [
      init.keys[0] ?? '',
      init.keys[1] ?? '',
      other.init?.keys.find((k) => !new Set(init.keys.slice(0, 2).map((s) => decodeShare(s).at(-1))).has(decodeShare(k).at(-1))) ?? '',
      init.keys[3] ?? '',
      init.keys[4] ?? '',
    ];
    await putCustody({ store, clusterId: 'prod', shares: mixed, threshold: 3, wrapperFor: local, generation: 7 });
    for (const n of sim.nodes) n.seal();
    expect((await unsealOnce('unseal: wrong key')).nodes.map((n) => n.outcome)).toContain('wrong-key');
    await sweepOnce('sweep: blocked');
    await unsealOnce('unseal: blocked');
    record('audit', await h.audit.list('prod'));

    // Every API route, including errors.
    const app = createApp({
      clusters: [cluster],
      store,
      logger,
      version: 'test',
      clock: systemClock,
      auth: { mode: 'open-loopback-demo', bind: '127.0.0.1' },
      audit: createAuditLog({ store, clock: systemClock }),
    });
    for (const path of ['/healthz', '/v1/clusters', '/v1/clusters/prod', '/v1/clusters/nope', '/v1/nope']) {
      const res = await app.request(path);
      record(`GET ${path} (${res.status})`, await res.text());
    }

    const shares = init.keys.map((k, i): KnownSecret => ({ label: `share ${i + 1}`, value: decodeShare(k) }));
    const foreign = (other.init?.keys ?? []).map((k, i): KnownSecret => ({ label: `foreign share ${i + 1}`, value: decodeShare(k) }));
    const combined = await combine(init.keys.slice(0, 3).map((k) => new Uint8Array(decodeShare(k))));
    const secrets: KnownSecret[] = [
      ...shares,
      ...foreign,
      { label: 'combined key', value: combined },
      { label: 'root token', value: init.rootToken },
      { label: 'custody key', value: localKey },
    ];
    const haystacks: Haystack[] = [...logs.map((text, i) => ({ source: `log line ${i + 1}`, text })), ...(await rawItems()), ...outputs];

    // The haystacks are real: the run logged, stored and answered plenty.
    expect(logs.length).toBeGreaterThan(10);
    expect(haystacks.filter((x) => x.source.startsWith('item CLUSTER#prod/SHARE#'))).toHaveLength(5);
    expect(haystacks.some((x) => x.source.startsWith('item CLUSTER#prod/AUDIT#'))).toBe(true);
    expect(outputs.map((o) => o.text).join('\n')).toContain('unseal.wrong-key');
    expect(outputs.map((o) => o.text).join('\n')).toContain('custody.wrapper-failed');

    const leaks = scanForLeaks(secrets, haystacks);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });
});
