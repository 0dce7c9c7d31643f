import {
  CreateBackupCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListBackupsCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../shared/adapters/embedded-dynamo.ts';
import { createDynamoDbVaultStorage } from '../../../shared/adapters/dynamodb-vault-storage.ts';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { createAuditLog } from '../../../shared/app/audit-log.ts';
import { createStorageInspector, storageTrackKey } from '../../../shared/app/inspectors/storage-inspector.ts';
import { createStorageBackupExecutor } from '../../../shared/app/storage-backup-executor.ts';
import { createLeaseManager } from '../../../shared/app/lease-manager.ts';
import { createSweepService } from '../../../shared/app/sweep.ts';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import { startSimulatedCluster } from '../../../shared/simulator/index.ts';
import { sweepClusterOf } from '../../support/custody-fixture.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import type { NodeView } from '../../../shared/core/node-state.ts';
import { planClusterSweep } from '../../../shared/core/plan-sweep.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { countingStore, type CountingStore } from '../../../shared/app/counting-store.ts';

// Vault's DynamoDB storage backend: table and HA-lock reads with the real SDK against dynalite
// holding a Vault-shaped table; PITR and backup calls (which dynalite lacks) through
// aws-sdk-client-mock. Table reads go to dynalite through the same mocked client.

const TABLE = 'vault-dynamodb-backend';
const MIN = 60_000;
let dynamo: EmbeddedDynamo;
let real: DynamoDBClient;
let sdk: DynamoDBClient;
let mock: ReturnType<typeof mockClient>;
let pitrStatus: 'ENABLED' | 'DISABLED';
let backups: { BackupArn: string; BackupCreationDateTime: Date; BackupStatus: string }[];
let clock: FakeClock;
let store: CountingStore;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ inMemory: true });
  const options = { region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 };
  real = new DynamoDBClient(options);
  sdk = new DynamoDBClient(options);
  // Vault creates its table like this (physical/dynamodb: Path HASH + Key RANGE, 5/5 provisioned).
  await real.send(
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
  await real.send(new PutItemCommand({ TableName: TABLE, Item: { Path: { S: ' ' }, Key: { S: 'core/' } } }));
  await real.send(new PutItemCommand({ TableName: TABLE, Item: { Path: { S: 'core' }, Key: { S: 'keyring' }, Value: { B: Buffer.from('opaque') } } }));
  mock = mockClient(sdk);
});
afterAll(async () => {
  mock?.restore();
  sdk?.destroy();
  real?.destroy();
  await dynamo?.close();
});

beforeEach(async () => {
  clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });
  store = countingStore(createMemoryStateStore({ clock }));
  pitrStatus = 'ENABLED';
  backups = [
    {
      BackupArn: `arn:aws:dynamodb:us-east-1:1:table/${TABLE}/backup/01`,
      BackupCreationDateTime: new Date(clock.now() - 2 * 86_400_000),
      BackupStatus: 'AVAILABLE',
    },
  ];
  mock.reset();
  mock.on(DescribeTableCommand).callsFake((input) => real.send(new DescribeTableCommand(input)));
  mock.on(GetItemCommand).callsFake((input) => real.send(new GetItemCommand(input)));
  mock.on(DescribeContinuousBackupsCommand).callsFake(() => ({
    ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: pitrStatus } },
  }));
  mock.on(ListBackupsCommand).callsFake(() => ({ BackupSummaries: backups }));
  mock.on(CreateBackupCommand).callsFake((input: { BackupName: string }) => {
    const backup = {
      BackupArn: `arn:aws:dynamodb:us-east-1:1:table/${TABLE}/backup/${input.BackupName}`,
      BackupCreationDateTime: new Date(clock.now()),
      BackupStatus: 'CREATING',
    };
    backups.push(backup);
    return { BackupDetails: { ...backup, BackupName: input.BackupName, BackupSizeBytes: 0 } };
  });
  await real.send(new DeleteItemCommand({ TableName: TABLE, Key: { Path: { S: 'core' }, Key: { S: '_lock' } } }));
});

/** The lock as Vault writes it: Identity and Value as binary UUID text, Expires in Unix ns. */
async function putLock(identity: string, expiresAtMs: number): Promise<void> {
  await real.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        Path: { S: 'core' },
        Key: { S: '_lock' },
        Value: { B: Buffer.from('d3b07384-d9a0-4c9b-8f1e-leader') },
        Identity: { B: Buffer.from(identity) },
        Expires: { N: (BigInt(expiresAtMs) * 1_000_000n).toString() },
      },
    }),
  );
}

const cluster: SweepCluster = {
  id: 'prod',
  name: 'prod',
  nodes: ['vault-0', 'vault-1', 'vault-2'].map((id) => ({ id, url: `https://${id}.example:8200` })),
};

function view(state: NodeView['state'], version: string | null): NodeView {
  return {
    state,
    initialized: true,
    sealed: state === 'sealed',
    sealType: 'awskms',
    recoverySeal: true,
    threshold: 3,
    shares: 5,
    progress: 0,
    version,
    clusterId: null,
    clusterName: null,
    storageType: 'dynamodb',
    httpStatus: 200,
    error: null,
  };
}

function planWith(versions: (string | null)[], state: NodeView['state'] = 'standby') {
  return planClusterSweep({
    clusterId: 'prod',
    observed: cluster.nodes.map((n, i) => ({
      nodeId: n.id,
      url: n.url,
      view: view(i === 0 && state === 'standby' ? 'active' : state, versions[i] ?? null),
      durationMs: 1,
    })),
    previous: null,
    policy: { autoUnseal: false },
    now: clock.now(),
  });
}

function inspector(options: { backupBeforeUpgrade?: boolean; thrashingPerHour?: number } = {}) {
  const audit = createAuditLog({ store, clock });
  const checker = createDynamoDbVaultStorage({ table: TABLE, client: sdk });
  const config = { staleLockMs: 60_000, thrashingPerHour: options.thrashingPerHour ?? 6, backupBeforeUpgrade: options.backupBeforeUpgrade ?? false };
  const execute = createStorageBackupExecutor({ checkers: new Map([['prod', checker]]), audit, clock, logger: silentLogger });
  return { audit, execute, inspector: createStorageInspector({ targets: new Map([['prod', { checker, config }]]), store, clock }) };
}

const run = async (i: ReturnType<typeof inspector>['inspector'], plan = planWith(['1.18.3', '1.18.3', '1.18.3'])) =>
  (await i.inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(10_000) })).findings;

/** The check, then the actions it planned applied by the executor, as the sweep does; the planned actions too. */
async function runAndApply(h: ReturnType<typeof inspector>, plan: ReturnType<typeof planWith>) {
  const signal = AbortSignal.timeout(10_000);
  const result = await h.inspector.inspect({ cluster, plan, trigger: 'test', signal });
  const findings = [...result.findings];
  for (const action of result.actions) findings.push(...((await h.execute({ cluster, action, trigger: 'test', signal })).findings ?? []));
  return { findings, planned: result.actions };
}
const ids = (findings: Finding[]) => findings.map((f) => `${f.id}:${f.severity}`).sort();

describe('storage inspector (dynalite + mocked backup APIs)', () => {
  it("reads Vault's table: fresh held lock and PITR on leave only the table settings dynalite cannot change", async () => {
    await putLock('9f1e-identity-a', clock.now() + 15_000);
    const { inspector: i } = inspector();
    const findings = await run(i);
    // dynalite reports no SSE description, no deletion protection and Vault's 5/5 capacity.
    expect(ids(findings)).toEqual(['storage.deletion-protection-off:warning', 'storage.low-capacity:warning', 'storage.sse-off:info']);
    const lockRead = mock.commandCalls(GetItemCommand)[0]?.args[0].input;
    expect(lockRead).toMatchObject({ TableName: TABLE, ConsistentRead: true, Key: { Path: { S: 'core' }, Key: { S: '_lock' } } });
    const track = await store.get(storageTrackKey('prod').pk, storageTrackKey('prod').sk);
    expect(track?.data).toEqual({ holder: '9f1e-identity-a', changes: [], versions: { 'vault-0': '1.18.3', 'vault-1': '1.18.3', 'vault-2': '1.18.3' } });
  });

  it('PITR off is a warning; so is an old backup without PITR', async () => {
    await putLock('id-a', clock.now() + 15_000);
    pitrStatus = 'DISABLED';
    backups = [{ ...backups[0]!, BackupCreationDateTime: new Date(clock.now() - 10 * 86_400_000) }];
    const findings = await run(inspector().inspector);
    expect(ids(findings)).toContain('storage.pitr-off:warning');
    expect(ids(findings)).toContain('storage.backup-old:warning');
    expect(findings.find((f) => f.id === 'storage.backup-old')?.evidence['ageDays']).toBe(10);
  });

  it('a lock expired for more than 60 s while nodes are up is stuck (critical)', async () => {
    await putLock('id-dead', clock.now() - 90_000);
    const findings = await run(inspector().inspector);
    const stuck = findings.find((f) => f.id === 'storage.lock-stuck');
    expect(stuck?.severity).toBe('critical');
    expect(stuck?.evidence).toMatchObject({ holder: 'id-dead', expiredForMs: 90_000, nodesUp: 3 });
    // 30 s past expiry is within the normal take-over time.
    await putLock('id-dead', clock.now() - 30_000);
    expect((await run(inspector().inspector)).some((f) => f.id === 'storage.lock-stuck')).toBe(false);
    // With every node sealed there is nobody to take it: not "stuck".
    await putLock('id-dead', clock.now() - 90_000);
    expect((await run(inspector().inspector, planWith([null, null, null], 'sealed'))).some((f) => f.id === 'storage.lock-stuck')).toBe(false);
  });

  it('no lock while an HA cluster is up is reported', async () => {
    expect(ids(await run(inspector().inspector))).toContain('storage.lock-missing:warning');
  });

  it('tracks holder changes across sweeps, writing only on change, and warns about thrashing', async () => {
    const { inspector: i } = inspector({ thrashingPerHour: 3 });
    await putLock('holder-0', clock.now() + 15_000);
    await run(i);
    const writes = store.writeCount();
    clock.advance(MIN);
    await putLock('holder-0', clock.now() + 15_000);
    await run(i);
    expect(store.writeCount()).toBe(writes);
    let last: Finding[] = [];
    for (let n = 1; n <= 4; n++) {
      clock.advance(5 * MIN);
      await putLock(`holder-${n}`, clock.now() + 15_000);
      last = await run(i);
      expect(store.writeCount()).toBe(writes + n);
      expect(last.some((f) => f.id === 'storage.lock-thrashing')).toBe(n > 3);
    }
    expect(last.find((f) => f.id === 'storage.lock-thrashing')?.evidence['changesLastHour']).toBe(4);
    // An hour later the old changes no longer count.
    clock.advance(61 * MIN);
    await putLock('holder-4', clock.now() + 15_000);
    expect((await run(i)).some((f) => f.id === 'storage.lock-thrashing')).toBe(false);
  });

  it('takes an audited on-demand backup when a rolling upgrade starts and none exists from the last hour (opt-in)', async () => {
    await putLock('id-a', clock.now() + 15_000);
    const h = inspector({ backupBeforeUpgrade: true });
    const { audit } = h;
    expect((await runAndApply(h, planWith(['1.18.3', '1.18.3', '1.18.3']))).planned).toEqual([]);
    expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(0);

    clock.advance(MIN);
    // The check only plans the backup (a `storage-backup` action with its reason); it takes none.
    const checked = await h.inspector.inspect({
      cluster,
      plan: planWith(['1.18.3', '1.18.3', '1.19.5']),
      trigger: 'test',
      signal: AbortSignal.timeout(10_000),
    });
    expect(checked.actions).toMatchObject([
      {
        kind: 'storage-backup',
        nodeId: 'vault-2',
        nodes: ['vault-2'],
        reason: expect.stringMatching(/rolling upgrade started on vault-2 .*backupBeforeUpgrade/),
      },
    ]);
    expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(0);
    const findings = [...checked.findings];
    for (const action of checked.actions) {
      findings.push(...((await h.execute({ cluster, action, trigger: 'test', signal: AbortSignal.timeout(10_000) })).findings ?? []));
    }
    const calls = mock.commandCalls(CreateBackupCommand);
    expect(calls).toHaveLength(1);
    const name = calls[0]?.args[0].input.BackupName ?? '';
    expect(name).toMatch(/^sealwatch-prod-\d{8}T\d{6}Z$/);
    expect(findings.find((f) => f.id === 'storage.backup-created')).toMatchObject({
      severity: 'info',
      evidence: { backupName: name, upgradedNodes: ['vault-2'] },
    });
    const [event] = await audit.list('prod');
    expect(event).toMatchObject({ action: 'storage-backup', outcome: 'created', node: 'vault-2', trigger: 'test' });
    expect(event?.message).toContain(name);

    // The next node upgrades ten minutes later: the backup from the last hour is enough.
    clock.advance(10 * MIN);
    expect((await runAndApply(h, planWith(['1.18.3', '1.19.5', '1.19.5']))).planned).toEqual([]);
    expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(1);
  });

  it('does not back up without the opt-in, and audits a failed backup', async () => {
    await putLock('id-a', clock.now() + 15_000);
    const off = inspector();
    await runAndApply(off, planWith(['1.18.3', '1.18.3', '1.18.3']));
    expect((await runAndApply(off, planWith(['1.19.5', '1.18.3', '1.18.3']))).planned).toEqual([]);
    expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(0);

    store = countingStore(createMemoryStateStore({ clock }));
    backups = [];
    mock.on(CreateBackupCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: dynamodb:CreateBackup'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const on = inspector({ backupBeforeUpgrade: true });
    await runAndApply(on, planWith(['1.18.3', '1.18.3', '1.18.3']));
    const { findings } = await runAndApply(on, planWith(['1.19.5', '1.18.3', '1.18.3']));
    expect(findings.find((f) => f.id === 'storage.backup-failed')?.severity).toBe('warning');
    const [event] = await on.audit.list('prod');
    expect(event).toMatchObject({ action: 'storage-backup', outcome: 'failed' });
    expect(event?.message).toContain('not authorized');
  });

  it('a missing table is one critical finding; an SDK failure elsewhere is a check-failed warning', async () => {
    const missing = createDynamoDbVaultStorage({ table: 'no-such-table', client: real });
    const i = createStorageInspector({
      targets: new Map([['prod', { checker: missing, config: { staleLockMs: 60_000, thrashingPerHour: 6, backupBeforeUpgrade: false } }]]),
      store,
      clock,
    });
    expect(ids(await run(i))).toEqual(['storage.table-missing:critical']);

    await putLock('id-a', clock.now() + 15_000);
    mock
      .on(DescribeContinuousBackupsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const failed = (await run(inspector().inspector)).find((f) => f.id === 'storage.check-failed');
    expect(failed).toMatchObject({ severity: 'warning', evidence: { operation: 'DescribeContinuousBackups' } });
    expect(failed?.message).toContain('ThrottlingException');
  });
});

describe('table states dynalite cannot produce (DescribeTable mocked)', () => {
  it.each([
    ['INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'storage.table-inaccessible-encryption:critical'],
    ['ARCHIVED', 'storage.table-archived:critical'],
    ['DELETING', 'storage.table-not-active:critical'],
  ])('%s → %s', async (status, expected) => {
    mock.on(DescribeTableCommand).resolves({
      Table: {
        TableName: TABLE,
        TableStatus: status as 'ARCHIVED',
        KeySchema: [
          { AttributeName: 'Path', KeyType: 'HASH' },
          { AttributeName: 'Key', KeyType: 'RANGE' },
        ],
        SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: 'arn:aws:kms:us-east-1:1:key/k' },
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        DeletionProtectionEnabled: true,
      },
    });
    await putLock('id-a', clock.now() + 15_000);
    expect(ids(await run(inspector().inspector))).toEqual([expected]);
  });
});

describe('the backup before an upgrade in a sweep', () => {
  it('is a planned `storage-backup` action in the report (with its reason), applied by the executor and audited', async () => {
    const sim = await startSimulatedCluster({ nodes: 3 });
    const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });
    try {
      await putLock('id-a', clock.now() + 15_000);
      const h = inspector({ backupBeforeUpgrade: true });
      const sweep = createSweepService({
        clusters: [sweepClusterOf(sim, 'prod')],
        vault,
        store,
        leases: createLeaseManager({ store, clock }),
        clock,
        logger: silentLogger,
        concurrency: 4,
        nodeTimeoutMs: 2_000,
        inspectors: [h.inspector],
        execute: h.execute,
      });
      expect((await sweep.run({ trigger: 'test' })).clusters[0]?.actions).toEqual([]);
      expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(0);

      sim.nodes[2]?.setVersion('1.20.1');
      clock.advance(MIN);
      const report = (await sweep.run({ trigger: 'test' })).clusters[0];
      expect(report?.actions).toMatchObject([
        {
          kind: 'storage-backup',
          nodeId: sim.nodes[2]?.id,
          outcome: 'created',
          reason: expect.stringMatching(/^a rolling upgrade started on vault-2 and no backup is from the last hour/),
        },
      ]);
      expect(mock.commandCalls(CreateBackupCommand)).toHaveLength(1);
      expect(report?.findings?.map((f) => f.id)).toContain('storage.backup-created');
      const [event] = await h.audit.list('prod');
      expect(event).toMatchObject({ action: 'storage-backup', outcome: 'created', node: sim.nodes[2]?.id, trigger: 'test' });
    } finally {
      await vault.close();
      await sim.close();
    }
  });
});
