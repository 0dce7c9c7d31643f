import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/parse-config.ts';
import type { RemoteSecretReference, RemoteSecretResolver } from '../../../shared/config/references.ts';
import { DEFAULT_SECRET_TTL_MS, Secret } from '../../../shared/config/secret.ts';
import type { SealwatchConfig } from '../../../shared/config/types.ts';
import { AccessDeniedError, ConfigError, NotFoundError, SealwatchError, UnavailableError } from '../../../shared/errors.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { BASE_DIR, minimal, problemsOf } from './helpers.ts';

const VALUE = 'remote-secret-value-never-printed';

/** A resolver that records its calls and answers from a queue (last answer repeats). */
function scripted(...answers: (string | Error)[]) {
  const calls: RemoteSecretReference[] = [];
  const resolve: RemoteSecretResolver = (reference) => {
    calls.push(reference);
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? '');
  };
  return { calls, resolve };
}

function load(
  channels: object[],
  options: { remoteSecrets?: RemoteSecretResolver; clock?: FakeClock; secretTtlMs?: number; api?: object } = {},
): SealwatchConfig {
  const { api, ...rest } = options;
  return parseConfig(JSON.stringify({ ...minimal(), channels, ...(api ? { api } : {}) }), {
    format: 'json',
    baseDir: BASE_DIR,
    env: {},
    readFile: () => undefined,
    ...rest,
  });
}

function routingKey(config: SealwatchConfig, index = 0): Secret {
  const channel = config.channels?.[index];
  if (channel?.kind !== 'pagerduty') throw new Error('expected a pagerduty channel');
  return channel.pagerduty.routingKey;
}

const pagerduty = (reference: string) => ({ id: 'oncall', pagerduty: { routingKey: reference } });

describe('remote secret references at load', () => {
  it.each<[string, RemoteSecretReference]>([
    ['${ssm:/sealwatch/pagerduty}', { kind: 'ssm', name: '/sealwatch/pagerduty' }],
    ['${ssm:sealwatch.pd}', { kind: 'ssm', name: 'sealwatch.pd' }],
    ['${secretsmanager:sealwatch/opsgenie}', { kind: 'secretsmanager', name: 'sealwatch/opsgenie' }],
    ['${secretsmanager:sealwatch/api#token}', { kind: 'secretsmanager', name: 'sealwatch/api', jsonKey: 'token' }],
  ])('accepts %s without resolving it', async (text, reference) => {
    const { calls, resolve } = scripted(VALUE);
    const secret = routingKey(load([pagerduty(text)], { remoteSecrets: resolve }));
    expect(calls).toEqual([]);
    expect(secret.isLazy).toBe(true);
    expect(secret.reference).toEqual(reference);
    expect(await secret.value()).toBe(VALUE);
    expect(calls).toEqual([reference]);
  });

  it.each([
    ['${ssm:}', 'channels[0].pagerduty.routingKey', 'invalid parameter name in ${ssm:...}'],
    ['${ssm:/a b}', 'channels[0].pagerduty.routingKey', 'invalid parameter name in ${ssm:...}'],
    ['${secretsmanager:#key}', 'channels[0].pagerduty.routingKey', 'invalid secret name in ${secretsmanager:...}'],
    ['${secretsmanager:name#}', 'channels[0].pagerduty.routingKey', '${secretsmanager:NAME#KEY} needs a key after #'],
    ['key-${ssm:/x}', 'channels[0].pagerduty.routingKey', 'a reference must be the whole value, not part of a longer string'],
  ])('rejects %s', (text, path, message) => {
    expect(problemsOf({ ...minimal(), channels: [pagerduty(text)] })).toEqual([{ path, message }]);
  });

  it('allows remote references only for secrets', () => {
    const config = { ...minimal(), channels: [{ id: 'hook', webhook: { url: '${ssm:/hook/url}', secret: '${ssm:/hook/secret}' } }] };
    expect(problemsOf(config)).toEqual([
      { path: 'channels[0].webhook.url', message: '${ssm:/hook/url} is resolved at run time, so it is only allowed for secrets' },
    ]);
  });

  it.each([
    ['a local wrapper key', { wrappers: [{ id: 'k', local: { key: '${ssm:/sealwatch/key}' } }] }, 'wrappers[0].local.key'],
    [
      'an Azure client secret',
      {
        wrappers: [
          {
            id: 'az',
            azureKeyVault: {
              vaultUrl: 'https://kv.vault.azure.net',
              keyName: 'k',
              credential: { kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: '${secretsmanager:az}' },
            },
          },
        ],
      },
      'wrappers[0].azureKeyVault.credential.clientSecret',
    ],
    ['the Alertmanager token', { api: { alertmanager: { token: '${ssm:/am}' } } }, 'api.alertmanager.token'],
    ['the inbound webhook secret', { api: { webhooks: { secret: '${secretsmanager:hooks}' } } }, 'api.webhooks.secret'],
  ])('keeps %s eager (read when the runtime or the API is built)', (_name, extra, path) => {
    const problems = problemsOf({ ...minimal(), ...extra });
    expect(problems).toEqual([{ path, message: expect.stringMatching(/^is needed at start-up: use \$\{env:NAME\} or \$\{file:PATH\} here/) }]);
  });
});

describe('lazy Secret', () => {
  it('refuses reveal() with a message naming the reference', () => {
    const secret = routingKey(load([pagerduty('${ssm:/sealwatch/pd}')], { remoteSecrets: scripted(VALUE).resolve }));
    expect(() => secret.reveal()).toThrow(SealwatchError);
    expect(() => secret.reveal()).toThrow(/\$\{ssm:\/sealwatch\/pd\}.*await secret\.value\(\)/);
  });

  it('prints [secret], before and after it is resolved', async () => {
    const secret = routingKey(load([pagerduty('${ssm:/sealwatch/pd}')], { remoteSecrets: scripted(VALUE).resolve }));
    const render = () => [JSON.stringify({ secret }), inspect({ secret }, { showHidden: true, depth: 5 }), `${secret}`].join(' ');
    expect(render()).toContain('[secret]');
    await secret.value();
    expect(render()).not.toContain(VALUE);
  });

  it('caches the value for the TTL on the injected clock', async () => {
    const clock = new FakeClock();
    const { calls, resolve } = scripted('first', 'second');
    const secret = routingKey(load([pagerduty('${ssm:/pd}')], { remoteSecrets: resolve, clock, secretTtlMs: 60_000 }));
    expect(await secret.value()).toBe('first');
    clock.advance(59_999);
    expect(await secret.value()).toBe('first');
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(await secret.value()).toBe('second');
    expect(calls).toHaveLength(2);
  });

  it('defaults the TTL to five minutes', async () => {
    const clock = new FakeClock();
    const { calls, resolve } = scripted('first', 'second');
    const secret = routingKey(load([pagerduty('${ssm:/pd}')], { remoteSecrets: resolve, clock }));
    await secret.value();
    clock.advance(DEFAULT_SECRET_TTL_MS - 1);
    await secret.value();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(await secret.value()).toBe('second');
    expect(DEFAULT_SECRET_TTL_MS).toBe(300_000);
  });

  it('shares one fetch between concurrent readers', async () => {
    const { calls, resolve } = scripted(VALUE);
    const secret = routingKey(load([pagerduty('${ssm:/pd}')], { remoteSecrets: resolve }));
    expect(await Promise.all([secret.value(), secret.value(), secret.value()])).toEqual([VALUE, VALUE, VALUE]);
    expect(calls).toHaveLength(1);
  });

  it('does not cache a failure: the next read tries again', async () => {
    const { calls, resolve } = scripted(new UnavailableError('secret ${ssm:/pd} could not be read (TimeoutError)'), VALUE);
    const secret = routingKey(load([pagerduty('${ssm:/pd}')], { remoteSecrets: resolve }));
    await expect(secret.value()).rejects.toThrow(UnavailableError);
    expect(await secret.value()).toBe(VALUE);
    expect(calls).toHaveLength(2);
  });

  it.each<[string, Error, new (...args: never[]) => Error]>([
    ['a foreign error', new Error(`socket hang up while sending ${VALUE}`), UnavailableError],
    ['a NotFoundError without the reference', new NotFoundError('no such thing'), NotFoundError],
    ['an AccessDeniedError without the reference', new AccessDeniedError('nope'), AccessDeniedError],
  ])('names the reference when the resolver throws %s', async (_name, error, type) => {
    const secret = routingKey(load([pagerduty('${secretsmanager:team/pd#key}')], { remoteSecrets: scripted(error).resolve }));
    const caught = await secret.value().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toContain('${secretsmanager:team/pd#key}');
    expect((caught as Error).message).not.toContain(VALUE);
  });

  it('fails with a ConfigError naming the reference when no resolver is configured', async () => {
    const secret = routingKey(load([pagerduty('${ssm:/sealwatch/pd}')]));
    const caught = await secret.value().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(/secret \$\{ssm:\/sealwatch\/pd\} cannot be resolved: no SSM \/ Secrets Manager resolver is configured/);
  });

  it('checks a remote webhook secret at first use, without echoing it or caching it', async () => {
    const wrong = 'not-a-standard-webhooks-secret';
    const { calls, resolve } = scripted(wrong, 'whsec_c2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2gtMzI=');
    const config = load([{ id: 'hook', webhook: { url: 'https://example.com/hook', secret: '${ssm:/hook}' } }], { remoteSecrets: resolve });
    const channel = config.channels?.[0];
    if (channel?.kind !== 'webhook') throw new Error('expected a webhook channel');
    const caught = await channel.webhook.secret.value().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toContain('secret ${ssm:/hook} must resolve to a Standard Webhooks secret starting with whsec_');
    expect((caught as Error).message).not.toContain(wrong);
    expect(await channel.webhook.secret.value()).toBe('whsec_c2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2gtMzI=');
    expect(calls).toHaveLength(2);
  });

  it('checks a remote chat webhook URL at first use', async () => {
    const config = load([{ id: 'team', slack: { webhookUrl: '${ssm:/slack}' } }], { remoteSecrets: scripted('http://hooks.example/x').resolve });
    const channel = config.channels?.[0];
    if (channel?.kind !== 'slack') throw new Error('expected a slack channel');
    await expect(channel.slack.webhookUrl.value()).rejects.toThrow('secret ${ssm:/slack} must resolve to an https:// URL');
  });

  it('rejects an empty remote value', async () => {
    const secret = routingKey(load([pagerduty('${ssm:/pd}')], { remoteSecrets: scripted('').resolve }));
    await expect(secret.value()).rejects.toThrow('secret ${ssm:/pd} is empty');
  });
});

describe('eager Secret', () => {
  it('hands out the same value from reveal() and value()', async () => {
    const secret = new Secret(VALUE);
    expect(secret.isLazy).toBe(false);
    expect(secret.reference).toBeUndefined();
    expect(secret.reveal()).toBe(VALUE);
    expect(await secret.value()).toBe(VALUE);
  });
});
