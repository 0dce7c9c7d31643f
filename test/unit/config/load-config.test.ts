import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfigPath } from '../../../shared/config/load-config.ts';
import { ConfigError } from '../../../shared/errors.ts';
import { EXAMPLE_ENV, FIXTURES } from './fake-io.ts';

describe('resolveConfigPath', () => {
  it.each<[string, string | undefined, Record<string, string>, string]>([
    ['the flag wins', 'flag.yaml', { SEALWATCH_CONFIG: '/etc/env.yaml' }, '/work/flag.yaml'],
    ['then SEALWATCH_CONFIG', undefined, { SEALWATCH_CONFIG: '/etc/env.yaml' }, '/etc/env.yaml'],
    ['then ./sealwatch.yaml', undefined, {}, '/work/sealwatch.yaml'],
    ['an empty SEALWATCH_CONFIG counts as unset', undefined, { SEALWATCH_CONFIG: '' }, '/work/sealwatch.yaml'],
    ['relative env paths resolve against cwd', undefined, { SEALWATCH_CONFIG: 'conf/s.json' }, '/work/conf/s.json'],
    ['absolute flags stay', '/opt/s.yaml', {}, '/opt/s.yaml'],
  ])('%s', (_name, flag, env, expected) => {
    expect(resolveConfigPath(flag, env, '/work')).toBe(expected);
  });
});

describe('loadConfig', () => {
  it('loads the README example, reading the CA file beside it', async () => {
    const config = await loadConfig({ path: join(FIXTURES, 'example.yaml'), env: EXAMPLE_ENV });
    expect(config.clusters.map((c) => c.id)).toEqual(['prod-eu', 'dev']);
    expect(config.wrappers.map((w) => w.kind)).toEqual(['local', 'aws-kms', 'azure-keyvault']);
    expect(config.state.kind).toBe('dynamodb');
    expect(config.clusters[0]?.tls?.caPem).toBe(readFileSync(join(FIXTURES, 'ca.pem'), 'utf8'));
    expect(config.clusters[1]?.nodes[0]).toEqual({ id: 'vault-0', url: 'http://127.0.0.1:8200', insecureHttp: true });
    const serialised = JSON.stringify(config);
    for (const secret of Object.values(EXAMPLE_ENV)) expect(serialised).not.toContain(secret);
  });

  it('parses .json files as JSON and resolves keyFile and ${file:} against the file directory', async () => {
    const config = await loadConfig({ path: join(FIXTURES, 'valid.json'), env: {} });
    const wrapper = config.wrappers[0];
    expect(wrapper?.kind === 'local' && wrapper.local.keyFile).toBe(join(FIXTURES, 'local.key'));
    expect(config.state).toEqual({ kind: 'embedded', embedded: { path: join(FIXTURES, 'state') } });
    expect(config.clusters[0]?.tls?.caPem).toBe(readFileSync(join(FIXTURES, 'ca.pem'), 'utf8').trimEnd());
    expect(config.clusters[0]?.nodes[0]?.url).toBe('https://vault-0.staging:8200');
  });

  it('parses a file with an unknown extension as YAML (which accepts JSON)', async () => {
    const config = await loadConfig({ path: join(FIXTURES, 'json-content.conf'), env: {} });
    expect(config.clusters[0]?.id).toBe('conf');
  });

  it.each([
    ['a missing file', 'does-not-exist.yaml', /config file .*does-not-exist\.yaml does not exist/],
    ['a directory', '.', /is a directory, not a file/],
  ])('reports %s as a ConfigError', async (_name, file, message) => {
    const failure = loadConfig({ path: join(FIXTURES, file), env: {} });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ problems: [{ path: '', message: expect.stringMatching(message) }] });
  });
});
