import { describe, expect, it } from 'vitest';
import { CA_PEM, minimal, problemsOf } from './helpers.ts';

const KEY_ENV = { LOCAL_KEY: 'ab'.repeat(32) };
const localWrapper = (id: string) => ({ id, local: { key: '${env:LOCAL_KEY}' } });
const node = (id: string, url: string, extra: object = {}) => ({ id, url, ...extra });
const cluster = (id: string, nodes: object[], extra: object = {}) => ({ id, nodes, ...extra });

interface Case {
  rule: string;
  config: object;
  files?: Record<string, string>;
  path: string;
  message: RegExp;
}

// Each config breaks exactly one rule, so each must produce exactly that one problem.
const cases: Case[] = [
  {
    rule: 'duplicate cluster ids',
    config: { clusters: [cluster('prod', [node('a', 'https://h1:8200')]), cluster('prod', [node('a', 'https://h2:8200')])] },
    path: 'clusters[1].id',
    message: /duplicate cluster id 'prod' \(first at clusters\[0\]\.id\)/,
  },
  {
    rule: 'duplicate node ids within a cluster',
    config: { clusters: [cluster('prod', [node('vault-0', 'https://h1:8200'), node('vault-0', 'https://h2:8200')])] },
    path: 'clusters[0].nodes[1].id',
    message: /duplicate node id 'vault-0'/,
  },
  {
    rule: 'duplicate URLs across clusters (compared after normalising)',
    config: { clusters: [cluster('a', [node('n', 'https://H1:8200')]), cluster('b', [node('n', 'https://h1:8200/')])] },
    path: 'clusters[1].nodes[0].url',
    message: /duplicate node URL \(first at clusters\[0\]\.nodes\[0\]\.url\)/,
  },
  {
    rule: 'URL scheme must be http(s)',
    config: { clusters: [cluster('a', [node('n', 'ftp://h1:8200')])] },
    path: 'clusters[0].nodes[0].url',
    message: /must start with https:\/\//,
  },
  {
    rule: 'URL without a path',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200/v1/sys')])] },
    path: 'clusters[0].nodes[0].url',
    message: /must not have a path/,
  },
  {
    rule: 'URL without a query',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200?x=1')])] },
    path: 'clusters[0].nodes[0].url',
    message: /must not have a query/,
  },
  {
    rule: 'not a URL at all',
    config: { clusters: [cluster('a', [node('n', '10.0.0.1:8200')])] },
    path: 'clusters[0].nodes[0].url',
    message: /must be a URL/,
  },
  {
    rule: 'http:// needs insecureHttp: true',
    config: { clusters: [cluster('a', [node('n', 'http://h1:8200')])] },
    path: 'clusters[0].nodes[0].url',
    message: /clear text.*insecureHttp: true/,
  },
  {
    rule: 'insecureHttp: true on https is contradictory',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200', { insecureHttp: true })])] },
    path: 'clusters[0].nodes[0].insecureHttp',
    message: /contradicts an https:\/\/ URL/,
  },
  {
    rule: 'caFile and caPem are mutually exclusive',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200')], { tls: { caFile: 'ca.pem', caPem: CA_PEM } })] },
    files: { 'ca.pem': CA_PEM },
    path: 'clusters[0].tls',
    message: /caFile or caPem, not both/,
  },
  {
    rule: 'caFile must exist (resolved against the config directory)',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200')], { tls: { caFile: 'certs/ca.pem' } })] },
    path: 'clusters[0].tls.caFile',
    message: /cannot read CA file \/etc\/sealwatch\/certs\/ca\.pem/,
  },
  {
    rule: 'caFile must contain a PEM certificate',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200')], { tls: { caFile: 'ca.pem' } })] },
    files: { 'ca.pem': 'not a certificate\n' },
    path: 'clusters[0].tls.caFile',
    message: /does not contain a PEM certificate/,
  },
  {
    rule: 'caPem must look like PEM',
    config: { clusters: [cluster('a', [node('n', 'https://h1:8200')], { tls: { caPem: '-----BEGIN CERTIFICATE-----\nnope\n' } })] },
    path: 'clusters[0].tls.caPem',
    message: /must be a PEM certificate/,
  },
  {
    rule: 'custody default wrapper must exist',
    config: { wrappers: [localWrapper('dev')], clusters: [cluster('a', [node('n', 'https://h1:8200')], { custody: { default: 'kms' } })] },
    path: 'clusters[0].custody.default',
    message: /wrapper 'kms' is not defined in wrappers/,
  },
  {
    rule: 'custody share wrapper must exist',
    config: {
      wrappers: [localWrapper('dev')],
      clusters: [cluster('a', [node('n', 'https://h1:8200')], { custody: { default: 'dev', shares: { kms: [1] } } })],
    },
    path: 'clusters[0].custody.shares.kms',
    message: /wrapper 'kms' is not defined/,
  },
  {
    rule: 'a share index listed twice (across wrappers)',
    config: {
      wrappers: [localWrapper('dev'), localWrapper('dev-2')],
      clusters: [cluster('a', [node('n', 'https://h1:8200')], { custody: { shares: { dev: [1, 2], 'dev-2': [2] } } })],
    },
    path: 'clusters[0].custody.shares.dev-2[0]',
    message: /share index 2 is listed twice \(first at clusters\[0\]\.custody\.shares\.dev\[1\]\)/,
  },
  {
    rule: 'custody names no wrapper at all',
    config: { wrappers: [localWrapper('dev')], clusters: [cluster('a', [node('n', 'https://h1:8200')], { custody: {} })] },
    path: 'clusters[0].custody',
    message: /default wrapper or list shares/,
  },
  {
    rule: 'state with both backends',
    config: { ...minimal(), state: { embedded: {}, dynamodb: { table: 'sealwatch', region: 'eu-west-1' } } },
    path: 'state',
    message: /exactly one of embedded or dynamodb, not both/,
  },
  { rule: 'state with neither backend', config: { ...minimal(), state: {} }, path: 'state', message: /one of embedded or dynamodb/ },
  {
    rule: 'duplicate wrapper ids',
    config: { ...minimal(), wrappers: [localWrapper('dev'), localWrapper('dev')] },
    path: 'wrappers[1].id',
    message: /duplicate wrapper id 'dev'/,
  },
  {
    rule: 'a wrapper of two kinds',
    config: { ...minimal(), wrappers: [{ ...localWrapper('dev'), awsKms: { keyId: 'alias/x', region: 'eu-west-1' } }] },
    path: 'wrappers[0]',
    message: /exactly one of local, awsKms or azureKeyVault, not several/,
  },
  {
    rule: 'a wrapper of no kind',
    config: { ...minimal(), wrappers: [{ id: 'dev' }] },
    path: 'wrappers[0]',
    message: /exactly one of local, awsKms or azureKeyVault$/,
  },
  {
    rule: 'local key and keyFile together',
    config: { ...minimal(), wrappers: [{ id: 'dev', local: { key: '${env:LOCAL_KEY}', keyFile: 'k' } }] },
    files: { k: 'cd'.repeat(32) },
    path: 'wrappers[0].local',
    message: /key or keyFile, not both/,
  },
  {
    rule: 'key ARN region differs from region',
    config: {
      ...minimal(),
      wrappers: [{ id: 'kms', awsKms: { keyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', region: 'eu-west-1' } }],
    },
    path: 'wrappers[0].awsKms.region',
    message: /does not match the region of the key ARN \(us-east-1\)/,
  },
  {
    rule: 'client-secret credential needs its ids',
    config: {
      ...minimal(),
      wrappers: [
        {
          id: 'az',
          azureKeyVault: {
            vaultUrl: 'https://kv.vault.azure.net',
            keyName: 'k',
            credential: { kind: 'client-secret', tenantId: 't', clientSecret: '${env:LOCAL_KEY}' },
          },
        },
      ],
    },
    path: 'wrappers[0].azureKeyVault.credential.clientId',
    message: /required for kind client-secret/,
  },
  {
    rule: 'clientSecret only with client-secret',
    config: {
      ...minimal(),
      wrappers: [
        {
          id: 'az',
          azureKeyVault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k', credential: { kind: 'workload-identity', clientSecret: '${env:LOCAL_KEY}' } },
        },
      ],
    },
    path: 'wrappers[0].azureKeyVault.credential.clientSecret',
    message: /only used with kind client-secret/,
  },
];

describe('cross-field rules', () => {
  it.each(cases)('$rule', ({ config, files, path, message }) => {
    const problems = problemsOf(config, { env: KEY_ENV, files: files ?? {} });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });

  it('reports relation problems together with schema problems', () => {
    const problems = problemsOf({
      sweep: { concurrency: 0 },
      clusters: [cluster('prod', [node('a', 'https://h1:8200')]), cluster('prod', [node('a', 'http://h2:8200')])],
    });
    expect(problems.map((p) => p.path)).toEqual(['sweep.concurrency', 'clusters[1].id', 'clusters[1].nodes[0].url']);
  });

  it('accepts http with insecureHttp, and custody whose wrappers all exist', () => {
    expect(() =>
      problemsOf(
        {
          wrappers: [localWrapper('dev'), localWrapper('dev-2')],
          clusters: [cluster('a', [node('n', 'http://127.0.0.1:8200', { insecureHttp: true })], { custody: { default: 'dev', shares: { 'dev-2': [1, 3] } } })],
        },
        { env: KEY_ENV },
      ),
    ).toThrow(/accepted/);
  });
});
