import { describe, expect, it } from 'vitest';
import { resolveCustodyPolicy, tokenWrapperOf, type CustodyPolicy } from '../../../shared/core/custody-policy.ts';
import { ValidationError } from '../../../shared/errors.ts';

const wrappers = ['aws-primary', 'azure-backup', 'local-dev'];

describe('resolveCustodyPolicy: placements', () => {
  it.each<[string, CustodyPolicy | undefined, string[], number, string[], 'policy' | 'single-wrapper']>([
    ['no policy, one wrapper: every share under it', undefined, ['only'], 3, ['only', 'only', 'only'], 'single-wrapper'],
    ['default only', { default: 'aws-primary', shares: {} }, wrappers, 3, ['aws-primary', 'aws-primary', 'aws-primary'], 'policy'],
    [
      'default plus listed indexes (the README example)',
      { default: 'aws-primary', shares: { 'azure-backup': [3], 'local-dev': [5] } },
      wrappers,
      5,
      ['aws-primary', 'aws-primary', 'azure-backup', 'aws-primary', 'local-dev'],
      'policy',
    ],
    [
      'every index listed, no default',
      { shares: { 'aws-primary': [1, 2], 'azure-backup': [3, 4], 'local-dev': [5] } },
      wrappers,
      5,
      ['aws-primary', 'aws-primary', 'azure-backup', 'azure-backup', 'local-dev'],
      'policy',
    ],
  ])('%s', (_name, policy, ids, count, expected, source) => {
    const result = resolveCustodyPolicy({ clusterId: 'prod', policy, wrapperIds: ids, shareCount: count });
    expect(result.shares).toEqual(expected.map((wrapper, i) => ({ index: i + 1, wrapper })));
    expect(result.source).toBe(source);
    expect(result.warnings).toEqual([]);
  });

  it('warns (does not fail) when the policy lists indexes beyond the share count', () => {
    const result = resolveCustodyPolicy({
      clusterId: 'prod',
      policy: { default: 'aws-primary', shares: { 'local-dev': [5] } },
      wrapperIds: wrappers,
      shareCount: 3,
    });
    expect(result.shares.map((s) => s.wrapper)).toEqual(['aws-primary', 'aws-primary', 'aws-primary']);
    expect(result.warnings.join()).toMatch(/lists share 5, but there are only 3 shares/);
  });
});

describe('resolveCustodyPolicy: refusals', () => {
  it.each<[string, CustodyPolicy | undefined, string[], number, RegExp]>([
    ['no wrapper configured', undefined, [], 3, /no key wrapper is configured/],
    ['several wrappers, no policy', undefined, wrappers, 3, /no custody policy and 3 wrappers are configured/],
    ['an index no wrapper covers', { shares: { 'aws-primary': [1, 2] } }, wrappers, 4, /shares 3, 4 of 4 have no wrapper/],
    ['a default that is not configured', { default: 'gone', shares: {} }, wrappers, 2, /custody.default: wrapper 'gone' is not configured/],
    ['a listed wrapper that is not configured', { default: 'aws-primary', shares: { gone: [1] } }, wrappers, 2, /custody.shares.gone/],
    [
      'one index given to two wrappers',
      { shares: { 'aws-primary': [1, 2], 'local-dev': [2] } },
      wrappers,
      2,
      /share 2 is given to both 'aws-primary' and 'local-dev'/,
    ],
  ])('%s', (_name, policy, ids, count, pattern) => {
    let caught: unknown;
    try {
      resolveCustodyPolicy({ clusterId: 'prod', policy, wrapperIds: ids, shareCount: count });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect([error.message, ...error.problems].join('\n')).toMatch(pattern);
  });
});

describe('tokenWrapperOf', () => {
  it('prefers the policy default, else the wrapper of share 1', () => {
    const listed: CustodyPolicy = { shares: { 'azure-backup': [1], 'aws-primary': [2] } };
    const a = resolveCustodyPolicy({ clusterId: 'p', policy: listed, wrapperIds: wrappers, shareCount: 2 });
    expect(tokenWrapperOf(listed, a)).toBe('azure-backup');
    const withDefault: CustodyPolicy = { default: 'local-dev', shares: { 'azure-backup': [1] } };
    const b = resolveCustodyPolicy({ clusterId: 'p', policy: withDefault, wrapperIds: wrappers, shareCount: 2 });
    expect(tokenWrapperOf(withDefault, b)).toBe('local-dev');
  });
});
