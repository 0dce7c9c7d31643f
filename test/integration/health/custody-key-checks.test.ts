import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustodyKeyInspector } from '../../../shared/app/inspectors/custody-key-inspector.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';
import type { WrapperConfig } from '../../../shared/config/types.ts';
import type { ClusterPlan } from '../../../shared/core/plan-sweep.ts';
import { createKeyWrappers, type KeyWrapperRegistry } from '../../../shared/runtime/key-wrappers.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startKmsWireServer, type KmsWireServer } from '../../support/kms-wire-server.ts';

// custody.* findings: the health of the wrapper keys protecting each cluster's shares, checked
// once per wrapper however many clusters use it, and not more often than the interval.

const DAY = 86_400_000;
let kms: KmsWireServer;
let registry: KeyWrapperRegistry;
let shared: string;
let other: string;

beforeAll(async () => {
  kms = await startKmsWireServer();
  shared = kms.createKey({ rotation: false }).keyId;
  other = kms.createKey().keyId;
  const configs: WrapperConfig[] = [
    { id: 'aws-shared', kind: 'aws-kms', awsKms: { keyId: shared, region: kms.region, endpoint: kms.endpoint } },
    { id: 'aws-other', kind: 'aws-kms', awsKms: { keyId: other, region: kms.region, endpoint: kms.endpoint } },
  ];
  registry = createKeyWrappers(configs, { env: { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' }, kmsMaxAttempts: 1 });
});
afterAll(async () => {
  await registry?.close();
  await kms?.close();
});

const clusterOf = (id: string): SweepCluster => ({ id, name: id, nodes: [] });
const planOf = (id: string): ClusterPlan => ({ clusterId: id, nodes: [], record: { nodes: {} }, changed: false, actions: [] });

describe('custody key inspector', () => {
  it('raises custody.key-pending-deletion for every cluster whose shares the key protects, with one DescribeKey per wrapper', async () => {
    const clock = new FakeClock({ start: Date.now() });
    const inspector = createCustodyKeyInspector({
      custodyWrappers: new Map([
        ['prod', ['aws-shared', 'aws-other']],
        ['staging', ['aws-shared']],
        ['dev', []],
      ]),
      wrapper: (id) => registry.get(id),
      clock,
      minIntervalMs: 300_000,
    });
    kms.setKeyState(shared, 'PendingDeletion', { deletionDate: new Date(Date.now() + 7 * DAY) });
    const before = kms.requestLog.length;
    const run = (id: string) => inspector.inspect({ cluster: clusterOf(id), plan: planOf(id), trigger: 'test', signal: AbortSignal.timeout(10_000) });
    const [prod, staging, dev] = await Promise.all([run('prod'), run('staging'), run('dev')]);

    const critical = (fs: typeof prod) => fs.filter((f) => f.severity === 'critical').map((f) => `${f.id}@${String(f.evidence['wrapper'])}`);
    expect(critical(prod)).toEqual(['custody.key-pending-deletion@aws-shared']);
    expect(critical(staging)).toEqual(['custody.key-pending-deletion@aws-shared']);
    expect(dev).toEqual([]);
    const pending = prod.find((f) => f.id === 'custody.key-pending-deletion');
    expect(pending?.evidence['daysLeft']).toBe(7);
    expect(pending?.message).toContain('sealwatch cannot unseal');
    // The healthy wrapper only reports its rotation status.
    expect(prod.filter((f) => f.evidence['wrapper'] === 'aws-other').map((f) => `${f.id}:${f.severity}`)).toEqual(['custody.key-rotation:info']);

    const describes = (keyId: string) => kms.requestLog.slice(before).filter((e) => e.target === 'DescribeKey' && e.keyId === keyId).length;
    expect(describes(shared)).toBe(1);
    expect(describes(other)).toBe(1);

    // Within the interval the result is reused; after it the key is asked again.
    kms.setKeyState(shared, 'Enabled');
    expect((await run('staging')).some((f) => f.id === 'custody.key-pending-deletion')).toBe(true);
    expect(describes(shared)).toBe(1);
    clock.advance(300_000);
    expect((await run('staging')).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(describes(shared)).toBe(2);
  });

  it('a disabled custody key is critical, and so is one sealwatch may not describe', async () => {
    const clock = new FakeClock({ start: Date.now() });
    const inspector = createCustodyKeyInspector({ custodyWrappers: new Map([['prod', ['aws-other']]]), wrapper: (id) => registry.get(id), clock });
    const run = () => inspector.inspect({ cluster: clusterOf('prod'), plan: planOf('prod'), trigger: 'test', signal: AbortSignal.timeout(10_000) });
    kms.setKeyState(other, 'Disabled');
    try {
      expect((await run()).filter((f) => f.severity !== 'info').map((f) => `${f.id}:${f.severity}`)).toEqual(['custody.key-disabled:critical']);
    } finally {
      kms.setKeyState(other, 'Enabled');
    }
    clock.advance(600_000);
    kms.setFault({ accessDenied: true });
    try {
      expect((await run()).map((f) => `${f.id}:${f.severity}`)).toEqual(['custody.key-access-denied:critical']);
    } finally {
      kms.setFault(undefined);
    }
  });
});
