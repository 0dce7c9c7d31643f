import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsKmsSealKeyChecker } from '../../../shared/adapters/aws-kms-seal-key.ts';
import { createAzureKeyVaultSealKeyChecker } from '../../../shared/adapters/azure-keyvault-seal-key.ts';
import { createSealKeyInspector } from '../../../shared/app/inspectors/seal-key-inspector.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';
import type { Finding } from '../../../shared/core/finding.ts';
import type { ClusterPlan } from '../../../shared/core/plan-sweep.ts';
import type { SealKeyChecker } from '../../../shared/ports/seal-key-checker.ts';
import { azureClientOptions } from '../../../shared/runtime/key-wrappers.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startKeyVaultWireServer, type KeyVaultKeyAttributes, type KeyVaultWireServer } from '../../support/keyvault-wire-server.ts';
import { startKmsWireServer, type KmsWireServer } from '../../support/kms-wire-server.ts';

// Auto-unseal key health (seal.*) through the real KMS and Key Vault SDK clients against the
// local wire-protocol servers: each key state gives its finding with its severity.

const DAY = 86_400_000;
let kms: KmsWireServer;
let kv: KeyVaultWireServer;
let client: KMSClient;
const credential = { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3.6e6 }) };
const cluster: SweepCluster = { id: 'prod', name: 'prod', nodes: [] };
const plan: ClusterPlan = { clusterId: 'prod', nodes: [], record: { nodes: {} }, changed: false, actions: [] };

beforeAll(async () => {
  [kms, kv] = await Promise.all([startKmsWireServer(), startKeyVaultWireServer({ protocol: 'http' })]);
  client = new KMSClient({
    region: kms.region,
    endpoint: kms.endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await Promise.all([kms?.close(), kv?.close()]);
});

async function inspectWith(checker: SealKeyChecker, expiryDays = 30): Promise<Finding[]> {
  const clock = new FakeClock({ start: Date.now() });
  const inspector = createSealKeyInspector({ checkers: new Map([['prod', checker]]), clock, expiryDays: () => expiryDays });
  return inspector.inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(10_000) });
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.id}:${f.severity}`);

describe('AWS KMS auto-unseal key', () => {
  const kmsChecker = (keyId: string, canary = false) => createAwsKmsSealKeyChecker({ keyId, client, canary });

  it('an enabled key gives only its rotation status (info), and the canary passes', async () => {
    const key = kms.createKey({ rotation: true });
    const findings = await inspectWith(kmsChecker(key.arn, true));
    expect(summary(findings)).toEqual(['seal.key-rotation:info']);
    expect(findings[0]?.evidence).toMatchObject({ rotationEnabled: true, rotationPeriodInDays: 365, keyState: 'Enabled' });
    const targets = kms.requestLog.filter((e) => e.keyId === key.keyId).map((e) => e.target);
    expect(targets).toEqual(['DescribeKey', 'GetKeyRotationStatus', 'Encrypt', 'Decrypt']);
  });

  it.each([
    ['Disabled', 'seal.key-disabled'],
    ['PendingImport', 'seal.key-pending-import'],
    ['Unavailable', 'seal.key-unavailable'],
  ] as const)('%s → %s (critical), and no canary is attempted', async (state, id) => {
    const key = kms.createKey();
    kms.setKeyState(key.keyId, state);
    const findings = await inspectWith(kmsChecker(key.keyId, true));
    expect(findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}:${f.severity}`)).toEqual([`${id}:critical`]);
    expect(kms.requestLog.some((e) => e.keyId === key.keyId && e.target === 'Encrypt')).toBe(false);
  });

  it('PendingDeletion → critical with the deletion date and days left', async () => {
    const key = kms.createKey({ alias: 'vault-unseal' });
    const deletionDate = new Date(Date.now() + 5 * DAY + 3_600_000);
    kms.setKeyState(key.keyId, 'PendingDeletion', { deletionDate });
    const findings = await inspectWith(kmsChecker('alias/vault-unseal'));
    const finding = findings.find((f) => f.id === 'seal.key-pending-deletion');
    expect(finding?.severity).toBe('critical');
    expect(finding?.evidence['deletionDate']).toBe(deletionDate.toISOString());
    expect(finding?.evidence['daysLeft']).toBe(6);
    expect(finding?.message).toContain('cannot unseal');
  });

  it('a key that does not exist is critical; missing permissions are a warning', async () => {
    expect(summary(await inspectWith(kmsChecker('alias/no-such-key')))).toEqual(['seal.key-not-found:critical']);
    const key = kms.createKey();
    kms.setFault({ accessDenied: true });
    try {
      expect(summary(await inspectWith(kmsChecker(key.keyId)))).toEqual(['seal.key-access-denied:warning']);
    } finally {
      kms.setFault(undefined);
    }
  });

  it('a canary refused by KMS (DescribeKey allowed, Encrypt denied) is critical', async () => {
    const key = kms.createKey();
    const denyingClient = new KMSClient({
      region: kms.region,
      endpoint: kms.endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    // The fault is armed on the wire just before Encrypt goes out, as an IAM policy allowing
    // kms:DescribeKey but not kms:Encrypt would answer.
    denyingClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'EncryptCommand') kms.setFault({ accessDenied: true, times: 1 });
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const findings = await inspectWith(createAwsKmsSealKeyChecker({ keyId: key.keyId, client: denyingClient, canary: true }));
      const canary = findings.find((f) => f.id === 'seal.canary-failed');
      expect(canary?.severity).toBe('critical');
      expect(canary?.message).toContain('AccessDeniedException');
    } finally {
      denyingClient.destroy();
      kms.setFault(undefined);
    }
  });

  it('checks a key at most once per interval, and again after it', async () => {
    const key = kms.createKey();
    const clock = new FakeClock({ start: Date.now() });
    const inspector = createSealKeyInspector({ checkers: new Map([['prod', kmsChecker(key.keyId)]]), clock, minIntervalMs: 300_000 });
    const run = () => inspector.inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(10_000) });
    const describes = () => kms.requestLog.filter((e) => e.keyId === key.keyId && e.target === 'DescribeKey').length;
    await run();
    kms.setKeyState(key.keyId, 'Disabled');
    expect(summary(await run()).some((s) => s.startsWith('seal.key-disabled'))).toBe(false);
    expect(describes()).toBe(1);
    clock.advance(300_000);
    expect(summary(await run())).toContain('seal.key-disabled:critical');
    expect(describes()).toBe(2);
  });
});

describe('Azure Key Vault auto-unseal key', () => {
  let n = 0;
  async function azureFindings(attributes: KeyVaultKeyAttributes, canary = false, expiryDays = 30): Promise<Finding[]> {
    const keyName = `vault-seal-${++n}`;
    await kv.createKey(keyName, attributes);
    const checker = createAzureKeyVaultSealKeyChecker({
      vaultUrl: kv.vaultUrl,
      keyName,
      credential,
      canary,
      expiryDays,
      clientOptions: { ...azureClientOptions(kv.vaultUrl, 0) },
    });
    return inspectWith(checker, expiryDays);
  }

  it('a healthy, purge-protected key gives nothing and passes the wrap/unwrap canary', async () => {
    const before = kv.requestLog.length;
    expect(await azureFindings({ recoveryLevel: 'Recoverable' }, true)).toEqual([]);
    const paths = kv.requestLog
      .slice(before)
      .filter((e) => e.status < 400)
      .map((e) => e.path.split('/').at(-1));
    expect(paths).toContain('wrapkey');
    expect(paths).toContain('unwrapkey');
  });

  it.each([
    [{ enabled: false }, 'seal.key-disabled:critical'],
    [{ nbf: new Date(Date.now() + 2 * DAY) }, 'seal.key-not-yet-valid:critical'],
    [{ keyOps: ['encrypt', 'decrypt'] }, 'seal.key-ops-missing:critical'],
    [{ exp: new Date(Date.now() + 10 * DAY) }, 'seal.key-expiring:warning'],
    [{ exp: new Date(Date.now() - DAY) }, 'seal.key-expired:critical'],
    [{ recoveryLevel: 'Recoverable+Purgeable' }, 'seal.key-purgeable:warning'],
  ] as [KeyVaultKeyAttributes, string][])('%o → %s', async (attributes, expected) => {
    const attrs = { recoveryLevel: 'Recoverable', ...attributes };
    expect(summary(await azureFindings(attrs))).toEqual([expected]);
  });

  it('expiry outside the configured horizon is not reported', async () => {
    expect(await azureFindings({ recoveryLevel: 'Recoverable', exp: new Date(Date.now() + 40 * DAY) })).toEqual([]);
    expect(summary(await azureFindings({ recoveryLevel: 'Recoverable', exp: new Date(Date.now() + 40 * DAY) }, false, 60))).toEqual([
      'seal.key-expiring:warning',
    ]);
  });
});
