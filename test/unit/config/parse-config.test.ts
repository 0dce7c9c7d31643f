import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/parse-config.ts';
import { ConfigError } from '../../../shared/errors.ts';
import { BASE_DIR, CA_PEM, minimal, parse, problemsOf } from './helpers.ts';

describe('defaults', () => {
  it('fills every optional setting', () => {
    const config = parse(minimal());
    expect(config.state).toEqual({ kind: 'embedded', embedded: { path: `${BASE_DIR}/.sealwatch` } });
    expect(config.sweep).toEqual({ concurrency: 64, nodeTimeoutMs: 3000, intervalSeconds: 60 });
    expect(config.wrappers).toEqual([]);
    const cluster = config.clusters[0];
    expect(cluster?.name).toBe('prod');
    expect(cluster?.nodes).toEqual([{ id: 'vault-0', url: 'https://10.0.0.1:8200', insecureHttp: false }]);
    // autoUnseal's default depends on custody records, so it stays absent rather than false.
    expect(cluster && 'autoUnseal' in cluster).toBe(false);
    expect(cluster && 'tls' in cluster).toBe(false);
  });

  it('keeps values that were written, and resolves the embedded path against the config directory', () => {
    const config = parse({
      ...minimal(),
      state: { embedded: { path: 'data/state' } },
      sweep: { concurrency: 8, nodeTimeoutMs: 100, intervalSeconds: 3600 },
      clusters: [{ id: 'prod', name: 'Production', autoUnseal: false, nodes: [{ id: 'n', url: 'https://VAULT.example:8200/' }] }],
    });
    expect(config.state).toEqual({ kind: 'embedded', embedded: { path: `${BASE_DIR}/data/state` } });
    expect(config.sweep).toEqual({ concurrency: 8, nodeTimeoutMs: 100, intervalSeconds: 3600 });
    expect(config.clusters[0]).toMatchObject({ name: 'Production', autoUnseal: false, nodes: [{ url: 'https://vault.example:8200' }] });
  });

  it('defaults an Azure credential to DefaultAzureCredential', () => {
    const config = parse({ ...minimal(), wrappers: [{ id: 'az', azureKeyVault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k' } }] });
    expect(config.wrappers[0]).toEqual({
      id: 'az',
      kind: 'azure-keyvault',
      azureKeyVault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k', credential: { kind: 'default' } },
    });
  });

  it('builds a DynamoDB state config', () => {
    const config = parse({ ...minimal(), state: { dynamodb: { table: 'sealwatch-state', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' } } });
    expect(config.state).toEqual({ kind: 'dynamodb', dynamodb: { table: 'sealwatch-state', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' } });
  });
});

describe('tls', () => {
  const withTls = (tls: object) => ({ clusters: [{ id: 'prod', nodes: [{ id: 'n', url: 'https://h:8200' }], tls }] });

  it('puts the CA text in caPem whether it came from caFile or inline', () => {
    const fromFile = parse(withTls({ caFile: 'pki/ca.pem', serverName: 'vault.internal' }), { files: { 'pki/ca.pem': CA_PEM } });
    expect(fromFile.clusters[0]?.tls).toEqual({ caPem: CA_PEM, caFile: `${BASE_DIR}/pki/ca.pem`, serverName: 'vault.internal' });
    const inline = parse(withTls({ caPem: CA_PEM }));
    expect(inline.clusters[0]?.tls).toEqual({ caPem: CA_PEM });
  });
});

describe('schema problems', () => {
  it.each<[string, object, string, string | RegExp]>([
    ['missing clusters', {}, 'clusters', 'is required'],
    ['empty clusters', { clusters: [] }, 'clusters', 'must list at least one cluster'],
    ['clusters as a mapping', { clusters: { prod: {} } }, 'clusters', 'must be a list, not a mapping'],
    ['missing node url', { clusters: [{ id: 'a', nodes: [{ id: 'n' }] }] }, 'clusters[0].nodes[0].url', 'is required'],
    ['no nodes', { clusters: [{ id: 'a', nodes: [] }] }, 'clusters[0].nodes', 'must list at least one node'],
    ['bad cluster id', { clusters: [{ id: 'Prod_EU', nodes: [{ id: 'n', url: 'https://h:1' }] }] }, 'clusters[0].id', /lowercase letters, digits or dashes/],
    ['cluster id too long', { clusters: [{ id: 'a'.repeat(64), nodes: [{ id: 'n', url: 'https://h:1' }] }] }, 'clusters[0].id', /1-63/],
    [
      'insecureHttp as a string',
      { clusters: [{ id: 'a', nodes: [{ id: 'n', url: 'http://h:1', insecureHttp: 'yes' }] }] },
      'clusters[0].nodes[0].insecureHttp',
      'must be true or false, not a string',
    ],
    ['concurrency too high', { ...minimal(), sweep: { concurrency: 1025 } }, 'sweep.concurrency', 'must be a whole number from 1 to 1024'],
    ['nodeTimeoutMs too low', { ...minimal(), sweep: { nodeTimeoutMs: 99 } }, 'sweep.nodeTimeoutMs', 'must be a whole number from 100 to 60000'],
    ['intervalSeconds fractional', { ...minimal(), sweep: { intervalSeconds: 7.5 } }, 'sweep.intervalSeconds', 'must be a whole number from 5 to 3600'],
    [
      'share index zero',
      {
        ...minimal(),
        wrappers: [{ id: 'k', awsKms: { keyId: 'alias/k', region: 'eu-west-1' } }],
        clusters: [{ id: 'a', nodes: [{ id: 'n', url: 'https://h:1' }], custody: { shares: { k: [0] } } }],
      },
      'clusters[0].custody.shares.k[0]',
      'must be a whole number from 1 to 255',
    ],
    [
      'bad KMS key id',
      { ...minimal(), wrappers: [{ id: 'k', awsKms: { keyId: 'my-key', region: 'eu-west-1' } }] },
      'wrappers[0].awsKms.keyId',
      /key ARN, alias ARN, alias\/NAME/,
    ],
    ['bad region', { ...minimal(), state: { dynamodb: { table: 'sealwatch', region: 'Europe' } } }, 'state.dynamodb.region', /AWS region/],
    [
      'http Key Vault URL',
      { ...minimal(), wrappers: [{ id: 'az', azureKeyVault: { vaultUrl: 'http://kv.vault.azure.net', keyName: 'k' } }] },
      'wrappers[0].azureKeyVault.vaultUrl',
      /https:\/\//,
    ],
    [
      'unknown credential kind',
      { ...minimal(), wrappers: [{ id: 'az', azureKeyVault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k', credential: { kind: 'managed' } } }] },
      'wrappers[0].azureKeyVault.credential.kind',
      /one of default, client-secret, workload-identity/,
    ],
  ])('%s', (_name, config, path, message) => {
    const problems = problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });

  it.each([
    ['sweep', 'nodeTimeotMs', 'nodeTimeoutMs'],
    ['sweep', 'Concurrency', 'concurrency'],
    ['clusters[0]', 'tsl', 'tls'],
    ['clusters[0]', 'autounseal', 'autoUnseal'],
  ])('names an unknown key under %s (%s) and suggests %s', (parent, typo, suggestion) => {
    const config = minimal();
    if (parent === 'sweep') config['sweep'] = { [typo]: 1 };
    else (config.clusters[0] as Record<string, unknown>)[typo] = true;
    expect(problemsOf(config)).toEqual([{ path: `${parent}.${typo}`, message: `unknown key (did you mean ${suggestion}?)` }]);
  });

  it('does not invent suggestions for keys that resemble nothing', () => {
    expect(problemsOf({ ...minimal(), telemetry: true })).toEqual([{ path: 'telemetry', message: 'unknown key' }]);
  });

  it('throws one ConfigError whose message lists every problem and names the source', () => {
    let caught: unknown;
    try {
      parseConfig('clusters: []\nsweep: { concurrency: 0 }\n', { format: 'yaml', baseDir: BASE_DIR, env: {}, source: 'my.yaml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('config_invalid');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('my.yaml has 2 problems');
    expect(error.message).toContain('sweep.concurrency: must be a whole number from 1 to 1024');
    expect(error.message).toContain('clusters: must list at least one cluster');
  });
});

describe('syntax', () => {
  it('gives the line and column of a YAML syntax error', () => {
    const text = 'clusters:\n  - id: prod\n    nodes: [ { id: n, url: "https://h:1" }\n  - id: dev\n';
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '', message: expect.stringMatching(/^YAML syntax error at line 4, column 3: /) });
  });

  it('rejects duplicate YAML keys with their position', () => {
    const problems = problemsOf('clusters:\n  - id: a\n    id: b\n    nodes: []\n');
    expect(problems).toEqual([{ path: '', message: 'YAML syntax error at line 3, column 5: Map keys must be unique' }]);
  });

  it('does not quote the offending line (it may hold an inline secret)', () => {
    const secretish = 'c2VjcmV0LXRoYXQtbXVzdC1ub3QtbGVhaw';
    const problems = problemsOf(`wrappers:\n  - local: { key: ${secretish}\n`);
    expect(problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(problems)).not.toContain(secretish);
  });

  it('accepts JSON, and YAML that happens to be JSON', () => {
    const json = JSON.stringify(minimal());
    expect(parse(json, { format: 'json' }).clusters[0]?.id).toBe('prod');
    expect(parse(json, { format: 'yaml' }).clusters[0]?.id).toBe('prod');
  });

  it('gives the line and column of a JSON syntax error', () => {
    const problems = problemsOf('{\n  "clusters": [\n    {"id": "a",}\n  ]\n}', { format: 'json' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^JSON syntax error at line 3, column 16/);
  });

  it.each([
    ['empty', '', 'the configuration is empty'],
    ['a comment only', '# nothing\n', 'the configuration is empty'],
    ['a list', '- a\n', 'must be a mapping, not a list'],
    ['a scalar', 'hello\n', 'must be a mapping, not a string'],
  ])('rejects a document that is %s', (_name, text, message) => {
    expect(problemsOf(text)).toEqual([{ path: '', message }]);
  });
});
