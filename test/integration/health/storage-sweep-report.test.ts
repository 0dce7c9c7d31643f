import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepCommand } from '../../../functions/cli/commands/sweep.ts';
import type { SweepReport } from '../../../shared/app/sweep-types.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../shared/adapters/embedded-dynamo.ts';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { createRuntime, type Runtime } from '../../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../../shared/simulator/index.ts';
import { startKmsWireServer, type KmsWireServer } from '../../support/kms-wire-server.ts';

// The runtime as `sealwatch sweep --once --json` builds it from a config with `seal`, `storage`
// and `custody`: the key and storage findings land in ClusterReport.findings of the report.

const TABLE = 'vault-prod';
const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
const savedEnv: Partial<Record<string, string>> = {};
let kms: KmsWireServer;
let dynamo: EmbeddedDynamo;
let sim: SimulatedCluster;
let store: StateStore;
let runtime: Runtime;
let config: SealwatchConfig;
let dir: string;

beforeAll(async () => {
  // The runtime's SDK clients use the default credential chain, which reads these first.
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' });
  [kms, dynamo, sim] = await Promise.all([
    startKmsWireServer(),
    startEmbeddedDynamo({ inMemory: true }),
    startSimulatedCluster({ nodes: 3, sealType: 'awskms', profile: 'vault-1.19', unsealed: true }),
  ]);
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, maxAttempts: 1 });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: 'Path', AttributeType: 'S' },
        { AttributeName: 'Key', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'Path', KeyType: 'HASH' },
        { AttributeName: 'Key', KeyType: 'RANGE' },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  // A lock whose holder died ten minutes ago and was never released (Vault #26580).
  const expires = BigInt(Date.now() - 600_000) * 1_000_000n;
  await client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        Path: { S: 'core' },
        Key: { S: '_lock' },
        Value: { B: Buffer.from('leader-uuid') },
        Identity: { B: Buffer.from('dead-identity') },
        Expires: { N: expires.toString() },
      },
    }),
  );
  client.destroy();

  const sealKey = kms.createKey({ rotation: true });
  kms.setKeyState(sealKey.keyId, 'PendingDeletion', { deletionDate: new Date(Date.now() + 9 * 86_400_000) });
  const custodyKey = kms.createKey();
  kms.setKeyState(custodyKey.keyId, 'Disabled');
  config = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 8, nodeTimeoutMs: 2_000, intervalSeconds: 60 },
    wrappers: [{ id: 'aws-custody', kind: 'aws-kms', awsKms: { keyId: custodyKey.arn, region: kms.region, endpoint: kms.endpoint } }],
    clusters: [
      {
        id: 'prod',
        name: 'prod',
        nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: false })),
        tls: { caPem: sim.caPem ?? '' },
        autoUnseal: false,
        custody: { default: 'aws-custody', shares: {} },
        seal: { kind: 'awskms', awskms: { keyId: sealKey.arn, region: kms.region, endpoint: kms.endpoint }, canary: true },
        storage: {
          dynamodb: { table: TABLE, region: 'us-east-1', endpoint: dynamo.endpoint, staleLockMs: 60_000, thrashingPerHour: 6, backupBeforeUpgrade: false },
        },
      },
    ],
  };
  store = createMemoryStateStore({ clock: systemClock });
  runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, store });
});

afterAll(async () => {
  await runtime?.close();
  await store?.close();
  await Promise.all([kms?.close(), dynamo?.close(), sim?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

describe('key and storage findings in the sweep report', () => {
  it('reports the seal key pending deletion, the disabled custody key, the seal backend and the stuck lock', async () => {
    sim.setKmsAvailable(false);
    const report = await runtime.sweep.run({ trigger: 'cli' });
    const prod = report.clusters.find((c) => c.id === 'prod');
    const findings = prod?.findings ?? [];
    const has = (id: string, severity: string) => findings.some((f) => f.id === id && f.severity === severity);
    expect(prod?.summary.activeCount).toBe(1);
    expect(has('seal.key-pending-deletion', 'critical')).toBe(true);
    expect(findings.find((f) => f.id === 'seal.key-pending-deletion')?.evidence['daysLeft']).toBe(9);
    expect(has('custody.key-disabled', 'critical')).toBe(true);
    expect(findings.filter((f) => f.id === 'seal.backend-unhealthy')).toHaveLength(3);
    expect(has('storage.lock-stuck', 'critical')).toBe(true);
    expect(has('storage.deletion-protection-off', 'warning')).toBe(true);
    // dynalite has no DescribeContinuousBackups / ListBackups: reported, not thrown.
    expect(
      findings
        .filter((f) => f.id === 'storage.check-failed')
        .map((f) => f.evidence['operation'])
        .sort(),
    ).toEqual(['DescribeContinuousBackups', 'ListBackups']);
    expect(findings.some((f) => f.id === 'sealwatch.inspector-failed')).toBe(false);
    // The report is JSON as printed by `sweep --once --json`.
    expect(JSON.parse(JSON.stringify(report)).clusters[0].findings).toEqual(findings);
  });

  it('`sealwatch sweep --once --json` with the keys in a config file prints the same findings', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealwatch-health-cli-'));
    const [cluster] = config.clusters;
    const seal = cluster?.seal?.kind === 'awskms' ? cluster.seal.awskms : undefined;
    const file = join(dir, 'sealwatch.json');
    await writeFile(
      file,
      JSON.stringify({
        state: { embedded: { path: './state' } },
        wrappers: [{ id: 'aws-custody', awsKms: config.wrappers[0]?.kind === 'aws-kms' ? config.wrappers[0].awsKms : {} }],
        clusters: [
          {
            id: 'prod',
            nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })),
            tls: { caPem: sim.caPem },
            autoUnseal: false,
            custody: { default: 'aws-custody' },
            seal: { awskms: seal, canary: true },
            storage: { dynamodb: { table: TABLE, region: 'us-east-1', endpoint: dynamo.endpoint, staleLockAfter: '60s' } },
          },
        ],
      }),
    );
    let out = '';
    let err = '';
    const io = {
      stdout: (t: string) => void (out += t),
      stderr: (t: string) => void (err += t),
      readStdin: async () => '',
      env: { SEALWATCH_LOG_LEVEL: 'silent' },
      cwd: dir,
    };
    expect(await sweepCommand(['--config', file, '--once', '--json'], io), err).toBe(0);
    const report = JSON.parse(out) as SweepReport;
    const ids = new Set((report.clusters[0]?.findings ?? []).map((f) => `${f.id}:${f.severity}`));
    for (const id of [
      'seal.key-pending-deletion:critical',
      'custody.key-disabled:critical',
      'seal.backend-unhealthy:critical',
      'storage.lock-stuck:critical',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
});
