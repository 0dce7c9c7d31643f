import { describe, expect, it } from 'vitest';
import { analyzeCustody, type WrapperFacts } from '../../../shared/core/custody-analysis.ts';

const wrappers: WrapperFacts[] = [
  { id: 'aws-eu', kind: 'aws-kms', provider: 'aws-kms:account:111111111111' },
  { id: 'aws-us', kind: 'aws-kms', provider: 'aws-kms:account:111111111111' },
  { id: 'azure', kind: 'azure-keyvault', provider: 'azure-keyvault:kv1.vault.azure.net' },
  { id: 'local', kind: 'local', provider: 'local:sealwatch-config' },
];

const place = (spec: Record<string, number[]>) => Object.entries(spec).flatMap(([wrapper, indexes]) => indexes.map((index) => ({ index, wrapper })));

describe('analyzeCustody: structure (which single outage or compromise the arrangement survives)', () => {
  it.each([
    {
      name: '5 shares over 3 providers, t=3, at most 2 each: survives any one provider, no single compromise',
      spec: { 'aws-eu': [1, 2], azure: [3, 4], local: [5] },
      providers: {
        'aws-kms:account:111111111111': [3, true, false],
        'azure-keyvault:kv1.vault.azure.net': [3, true, false],
        'local:sealwatch-config': [4, true, false],
      },
      anyProvider: true,
      compromise: [],
    },
    {
      name: '5 shares, t=3, one provider holds 3: its outage loses the threshold, its compromise reveals the key',
      spec: { 'aws-eu': [1, 2, 3], azure: [4], local: [5] },
      providers: {
        'aws-kms:account:111111111111': [2, false, true],
        'azure-keyvault:kv1.vault.azure.net': [4, true, false],
        'local:sealwatch-config': [4, true, false],
      },
      anyProvider: false,
      compromise: ['aws-kms:account:111111111111'],
    },
    {
      name: 'two wrappers of one AWS account count as one provider (2 + 1 = 3 shares)',
      spec: { 'aws-eu': [1, 2], 'aws-us': [3], azure: [4, 5] },
      providers: { 'aws-kms:account:111111111111': [2, false, true], 'azure-keyvault:kv1.vault.azure.net': [3, true, false] },
      anyProvider: false,
      compromise: ['aws-kms:account:111111111111'],
    },
  ])('$name', ({ spec, providers, anyProvider, compromise }) => {
    const a = analyzeCustody({ clusterId: 'prod', threshold: 3, shares: place(spec), wrappers });
    const got = Object.fromEntries(a.byProvider.map((p) => [p.id, [p.sharesLeftIfDown, p.survivesOutage, p.compromiseRevealsKey]]));
    expect(got).toEqual(providers);
    expect(a.survivesAnySingleProviderOutage).toBe(anyProvider);
    expect(a.singleProviderCompromise).toEqual(compromise);
    expect(a.usableNow).toBeNull();
    expect(a.findings.some((f) => f.id === 'custody.no-outage-tolerance')).toBe(!anyProvider);
    expect(a.findings.some((f) => f.id === 'custody.single-provider-compromise')).toBe(compromise.length > 0);
  });

  it('per wrapper: the two AWS wrappers apart survive each alone, while the account does not', () => {
    const a = analyzeCustody({ clusterId: 'prod', threshold: 3, shares: place({ 'aws-eu': [1, 2], 'aws-us': [3], azure: [4, 5] }), wrappers });
    expect(a.byWrapper.find((w) => w.id === 'aws-eu')).toMatchObject({ indexes: [1, 2], sharesLeftIfDown: 3, survivesOutage: true });
    expect(a.byWrapper.find((w) => w.id === 'aws-us')).toMatchObject({ indexes: [3], sharesLeftIfDown: 4, survivesOutage: true });
    expect(a.survivesAnySingleWrapperOutage).toBe(true);
    expect(a.byProvider.find((p) => p.id.startsWith('aws'))).toMatchObject({ wrappers: ['aws-eu', 'aws-us'], indexes: [1, 2, 3] });
  });

  it('a share under a wrapper that is no longer configured is its own provider', () => {
    const a = analyzeCustody({ clusterId: 'prod', threshold: 2, shares: place({ gone: [1], azure: [2, 3] }), wrappers });
    expect(a.byWrapper.find((w) => w.id === 'gone')).toMatchObject({ kind: 'unconfigured' });
    expect(a.byProvider.map((p) => p.id)).toContain('unconfigured:gone');
  });
});

describe('analyzeCustody: now', () => {
  it('a failing wrapper is reported, the threshold stays reachable when enough shares sit elsewhere', () => {
    const a = analyzeCustody({
      clusterId: 'prod',
      threshold: 3,
      shares: place({ 'aws-eu': [1, 2], azure: [3, 4], local: [5] }),
      wrappers,
      now: { usableIndexes: [3, 4, 5], unavailable: [{ wrapper: 'aws-eu', reason: 'key disabled' }] },
    });
    expect(a.usableNow).toBe(3);
    expect(a.thresholdReachableNow).toBe(true);
    const down = a.findings.filter((f) => f.id === 'custody.wrapper-unavailable');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ severity: 'warning', cluster: 'prod', evidence: { wrapper: 'aws-eu', shares: [1, 2] } });
    expect(a.findings.some((f) => f.id === 'custody.threshold-unreachable')).toBe(false);
  });

  it('too few usable shares: threshold-unreachable and critical wrapper findings', () => {
    const a = analyzeCustody({
      clusterId: 'prod',
      threshold: 3,
      shares: place({ 'aws-eu': [1, 2], azure: [3, 4], local: [5] }),
      wrappers,
      now: {
        usableIndexes: [5],
        unavailable: [
          { wrapper: 'aws-eu', reason: 'key disabled' },
          { wrapper: 'azure', reason: 'forbidden' },
        ],
      },
    });
    expect(a.thresholdReachableNow).toBe(false);
    expect(a.findings.find((f) => f.id === 'custody.threshold-unreachable')).toMatchObject({ severity: 'critical', evidence: { usable: 1, threshold: 3 } });
    expect(a.findings.filter((f) => f.id === 'custody.wrapper-unavailable').map((f) => [f.evidence['wrapper'], f.severity])).toEqual([
      ['aws-eu', 'critical'],
      ['azure', 'critical'],
    ]);
  });
});
