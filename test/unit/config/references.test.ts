import { describe, expect, it } from 'vitest';
import { parseReference, resolveValue, type ReferenceContext } from '../../../shared/config/references.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { BASE_DIR, minimal, parse, problemsOf } from './helpers.ts';

const SECRET_KEY = 'c2VhbHdhdGNoLXJlZmVyZW5jZS10ZXN0LWtleS0wMDE='; // 32 bytes, test-only
const CLIENT_SECRET = 'azure-client-secret-value-do-not-print';

function context(env: Record<string, string>, files: Record<string, string> = {}): ReferenceContext {
  return { env, baseDir: BASE_DIR, readFile: (path) => files[path] };
}

function withLocalKey(key: string): object {
  return { ...minimal(), wrappers: [{ id: 'dev', local: { key } }] };
}

function withClientSecret(clientSecret: string): object {
  return {
    ...minimal(),
    wrappers: [
      {
        id: 'az',
        azureKeyVault: {
          vaultUrl: 'https://kv.vault.azure.net',
          keyName: 'k',
          credential: { kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret },
        },
      },
    ],
  };
}

describe('parseReference / resolveValue', () => {
  it.each([
    ['${env:FOO}', { kind: 'env', name: 'FOO' }],
    ['${file:./a/b.txt}', { kind: 'file', path: './a/b.txt' }],
    ['plain value', undefined],
    ['$HOME is not a reference', undefined],
  ])('parses %s', (text, reference) => {
    expect(parseReference(text)).toEqual({ ok: true, reference });
  });

  it.each([
    ['${vault:secret/x}', /unknown reference kind 'vault'/],
    ['${FOO}', /write \$\{env:FOO\}/],
    ['https://${env:HOST}:8200', /whole value/],
    ['${env:1BAD}', /invalid environment variable name/],
    ['${file:}', /needs a path/],
  ])('rejects %s', (text, message) => {
    const parsed = parseReference(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('reads env vars, and reports unset or empty ones by name', () => {
    const ctx = context({ SET: 'value', EMPTY: '' });
    expect(resolveValue('${env:SET}', ctx)).toMatchObject({ ok: true, value: 'value' });
    expect(resolveValue('${env:UNSET}', ctx)).toEqual({ ok: false, message: 'environment variable UNSET is not set' });
    expect(resolveValue('${env:EMPTY}', ctx)).toEqual({ ok: false, message: 'environment variable EMPTY is empty' });
  });

  it('reads files relative to the config directory and trims trailing newlines only', () => {
    const ctx = context({}, { [`${BASE_DIR}/secrets/key`]: '  padded value \r\n\n', '/abs/file': 'x' });
    expect(resolveValue('${file:secrets/key}', ctx)).toMatchObject({ ok: true, value: '  padded value ' });
    expect(resolveValue('${file:/abs/file}', ctx)).toMatchObject({ ok: true, value: 'x' });
    expect(resolveValue('${file:missing}', ctx)).toEqual({ ok: false, message: `cannot read file ${BASE_DIR}/missing` });
  });
});

describe('references in the configuration', () => {
  it('resolves a secret from the environment into a Secret', () => {
    const config = parse(withLocalKey('${env:SEALWATCH_LOCAL_KEY}'), { env: { SEALWATCH_LOCAL_KEY: SECRET_KEY } });
    const wrapper = config.wrappers[0];
    expect(wrapper?.kind).toBe('local');
    if (wrapper?.kind !== 'local') return;
    expect(wrapper.local.key).toBeInstanceOf(Secret);
    expect(wrapper.local.key.reveal()).toBe(SECRET_KEY);
  });

  it('resolves a secret from a file', () => {
    const config = parse(withClientSecret('${file:client-secret}'), { files: { 'client-secret': `${CLIENT_SECRET}\n` } });
    const wrapper = config.wrappers[0];
    if (wrapper?.kind !== 'azure-keyvault' || wrapper.azureKeyVault.credential.kind !== 'client-secret') {
      throw new Error('expected an azure client-secret wrapper');
    }
    expect(wrapper.azureKeyVault.credential.clientSecret.reveal()).toBe(CLIENT_SECRET);
  });

  it('resolves references in ordinary string fields too', () => {
    const config = parse(
      { clusters: [{ id: '${env:CLUSTER}', nodes: [{ id: 'n', url: '${file:url.txt}' }] }] },
      { env: { CLUSTER: 'from-env' }, files: { 'url.txt': 'https://10.9.9.9:8200\n' } },
    );
    expect(config.clusters[0]?.id).toBe('from-env');
    expect(config.clusters[0]?.nodes[0]?.url).toBe('https://10.9.9.9:8200');
  });

  it.each([
    ['wrappers[0].local.key', withLocalKey(SECRET_KEY)],
    ['wrappers[0].azureKeyVault.credential.clientSecret', withClientSecret(CLIENT_SECRET)],
  ])('rejects a literal secret at %s without repeating it', (path, config) => {
    const problems = problemsOf(config);
    expect(problems).toEqual([{ path, message: 'write secrets as ${env:NAME} or ${file:PATH}, not inline' }]);
    expect(JSON.stringify(problems)).not.toContain(SECRET_KEY);
    expect(JSON.stringify(problems)).not.toContain(CLIENT_SECRET);
  });

  it('reports unresolvable references with their paths', () => {
    const problems = problemsOf({ ...withLocalKey('${env:MISSING_KEY}'), clusters: [{ id: 'a', nodes: [{ id: 'n', url: '${file:nowhere}' }] }] });
    // Listed in document order: `clusters` comes first in this object.
    expect(problems).toEqual([
      { path: 'clusters[0].nodes[0].url', message: `cannot read file ${BASE_DIR}/nowhere` },
      { path: 'wrappers[0].local.key', message: 'environment variable MISSING_KEY is not set' },
    ]);
  });

  it('never puts a resolved secret in a problem message, even when the secret is malformed', () => {
    const wrongLength = 'not-a-32-byte-key-but-still-secret';
    const problems = problemsOf(withLocalKey('${env:K}'), { env: { K: wrongLength } });
    expect(problems).toEqual([{ path: 'wrappers[0].local.key', message: 'must be 32 bytes written as base64 or hex' }]);
    expect(JSON.stringify(problems)).not.toContain(wrongLength);
  });

  it('keeps resolved secrets out of JSON.stringify and String() of the loaded config', () => {
    const config = parse(
      {
        ...minimal(),
        wrappers: [...(withLocalKey('${env:K}') as { wrappers: object[] }).wrappers, ...(withClientSecret('${env:C}') as { wrappers: object[] }).wrappers],
      },
      { env: { K: SECRET_KEY, C: CLIENT_SECRET } },
    );
    const serialised = JSON.stringify(config);
    expect(serialised).not.toContain(SECRET_KEY);
    expect(serialised).not.toContain(CLIENT_SECRET);
    expect(serialised).toContain('"key":"[secret]"');
    expect(serialised).toContain('"clientSecret":"[secret]"');
  });

  it('accepts a local key file, read now and checked for 32 bytes', () => {
    const hex = '0f'.repeat(32);
    const config = parse({ ...minimal(), wrappers: [{ id: 'dev', local: { keyFile: 'keys/dev.key' } }] }, { files: { 'keys/dev.key': `${hex}\n` } });
    const wrapper = config.wrappers[0];
    if (wrapper?.kind !== 'local') throw new Error('expected a local wrapper');
    expect(wrapper.local.key.reveal()).toBe(hex);
    expect(wrapper.local.keyFile).toBe(`${BASE_DIR}/keys/dev.key`);
    expect(problemsOf({ ...minimal(), wrappers: [{ id: 'dev', local: { keyFile: 'short.key' } }] }, { files: { 'short.key': 'abcd' } })).toEqual([
      { path: 'wrappers[0].local.keyFile', message: `key file ${BASE_DIR}/short.key must be 32 bytes written as base64 or hex` },
    ]);
  });
});
