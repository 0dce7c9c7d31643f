import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAwsKmsKeyWrapper } from '../../shared/adapters/aws-kms-key-wrapper.ts';
import { createAzureKeyVaultKeyWrapper } from '../../shared/adapters/azure-keyvault-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { KeyWrapper } from '../../shared/ports/key-wrapper.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { startKeyVaultWireServer, type KeyVaultWireServer } from '../support/keyvault-wire-server.ts';
import { startKmsWireServer, type KmsWireServer } from '../support/kms-wire-server.ts';
import { keySubmissions, putCustody, randomLocalWrapper, sweepClusterOf, unsealHarness } from '../support/custody-fixture.ts';

// Custody spread over three providers, each through its real SDK against a wire server:
// shares 1-2 under AWS KMS, 3-4 under Azure Key Vault, 5 under a local key; 3 are needed.
// One provider failing must give a precise finding naming it, and the node is still unsealed.

let kms: KmsWireServer;
let kv: KeyVaultWireServer;
let sim: SimulatedCluster;
let kmsClient: KMSClient;
let kmsKeyId: string;
let wrappers: KeyWrapper[];
let store: StateStore;

beforeAll(async () => {
  [kms, kv, sim] = await Promise.all([startKmsWireServer(), startKeyVaultWireServer(), startSimulatedCluster({ nodes: 1, unsealed: false })]);
  // One attempt: the SDKs' own backoff would only slow the fault cases down.
  kmsClient = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  kmsKeyId = kms.createKey().keyId;
  await kv.createKey('custody');
  wrappers = [
    createAwsKmsKeyWrapper({ id: 'aws-1', keyId: kmsKeyId, client: kmsClient }),
    createAzureKeyVaultKeyWrapper({
      id: 'azure-1',
      keyId: `${kv.vaultUrl}/keys/custody`,
      credential: { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3.6e6 }) },
      clientOptions: { tlsOptions: { ca: kv.ca ?? '' }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
    }),
    randomLocalWrapper('local-1'),
  ];
  store = createMemoryStateStore({ clock: systemClock });
  const byIndex = (i: number) => wrappers[i <= 2 ? 0 : i <= 4 ? 1 : 2] as KeyWrapper;
  await putCustody({ store, clusterId: 'prod', shares: sim.init?.keys ?? [], threshold: 3, wrapperFor: byIndex });
});

afterAll(async () => {
  kmsClient?.destroy();
  await Promise.all([kms?.close(), kv?.close(), sim?.close()]);
});

afterEach(() => {
  kms.setFault(undefined);
  kms.setKeyState(kmsKeyId, 'Enabled');
  kv.setFault(undefined);
  kv.setKeyAttributes('custody', { enabled: true });
});

/** A fresh service (so no wrapper is known to be failing yet) unsealing the sealed node. */
async function unsealOnce() {
  const node = sim.nodes[0];
  if (!node) throw new Error('no node');
  node.seal();
  node.clearRequestLog();
  const h = unsealHarness({ wrappers, store });
  try {
    const result = await h.service.unsealNode({ cluster: sweepClusterOf(sim, 'prod'), nodeId: node.id, trigger: 'test' });
    return { result, node, h };
  } finally {
    await h.close();
  }
}

describe('wrapper failures', () => {
  it.each([
    ['KMS key disabled', () => kms.setKeyState(kmsKeyId, 'Disabled'), 'aws-1', 'key_disabled', [3, 4, 5]],
    ['Key Vault key disabled', () => kv.setKeyAttributes('custody', { enabled: false }), 'azure-1', 'key_disabled', [1, 2, 5]],
    ['KMS access denied', () => kms.setFault({ accessDenied: true }), 'aws-1', 'access_denied', [3, 4, 5]],
    ['Key Vault access denied', () => kv.setFault({ forbidden: true }), 'azure-1', 'access_denied', [1, 2, 5]],
    ['KMS throttling', () => kms.setFault({ throttle: true }), 'aws-1', 'throttled', [3, 4, 5]],
    ['Key Vault throttling', () => kv.setFault({ throttle: true }), 'azure-1', 'throttled', [1, 2, 5]],
  ])('%s: a finding names the wrapper and the code, and the healthy shares unseal the node', async (_name, fault, wrapper, code, used) => {
    fault();
    const { result, node } = await unsealOnce();
    expect(result.outcome).toBe('unsealed');
    expect(node.state().sealed).toBe(false);
    expect(result.shareIndexes).toEqual(used);
    const failed = result.findings.filter((f) => f.id === 'custody.wrapper-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ severity: 'warning', evidence: { wrapper, code } });
    expect(failed[0]?.message).toContain(`"${wrapper}"`);
    expect(failed[0]?.message).toContain(code);
  });

  it('with too few healthy shares nothing is sent and every failing wrapper is named', async () => {
    kms.setKeyState(kmsKeyId, 'Disabled');
    kv.setKeyAttributes('custody', { enabled: false });
    const { result, node, h } = await unsealOnce();
    expect(result.outcome).toBe('insufficient-shares');
    expect(keySubmissions(node)).toEqual([]);
    expect(node.state().sealed).toBe(true);
    const failed = result.findings.filter((f) => f.id === 'custody.wrapper-failed');
    expect(failed.map((f) => [f.evidence.wrapper, f.evidence.code, f.severity])).toEqual([
      ['aws-1', 'key_disabled', 'critical'],
      ['azure-1', 'key_disabled', 'critical'],
    ]);
    expect(result.findings.map((f) => f.id)).toContain('unseal.insufficient-shares');
    expect((await h.audit.list('prod'))[0]?.outcome).toBe('insufficient-shares');
  });

  it('tries a wrapper that just failed last, so a healthy set is used first next time', async () => {
    const node = sim.nodes[0];
    if (!node) throw new Error('no node');
    const h = unsealHarness({ wrappers, store });
    try {
      kms.setKeyState(kmsKeyId, 'Disabled');
      node.seal();
      expect((await h.service.unsealNode({ cluster: sweepClusterOf(sim, 'prod'), nodeId: node.id, trigger: 'test' })).outcome).toBe('unsealed');
      kms.setKeyState(kmsKeyId, 'Enabled');
      const decryptsBefore = kms.requestLog.filter((e) => e.target === 'Decrypt').length;
      node.seal();
      const second = await h.service.unsealNode({ cluster: sweepClusterOf(sim, 'prod'), nodeId: node.id, trigger: 'test' });
      expect(second.outcome).toBe('unsealed');
      expect(second.shareIndexes).toEqual([3, 4, 5]);
      expect(second.findings).toEqual([]);
      expect(kms.requestLog.filter((e) => e.target === 'Decrypt').length).toBe(decryptsBefore);
    } finally {
      await h.close();
    }
  });
});
