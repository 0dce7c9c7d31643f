import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfigPath } from '../../../shared/config/load-config.ts';
import { ConfigError } from '../../../shared/errors.ts';
import { EXAMPLE_ENV, FIXTURES, HEALTH_ALERTS_ENV } from './fake-io.ts';

describe('resolveConfigPath', () => {
  it.each<[string, string | undefined, Record<string, string>, string]>([
    ['the flag wins', 'flag.yaml', { SEALWATCH_CONFIG: '/etc/env.yaml' }, '/srv/app/flag.yaml'],
    ['then SEALWATCH_CONFIG', undefined, { SEALWATCH_CONFIG: '/etc/env.yaml' }, '/etc/env.yaml'],
    ['then ./sealwatch.yaml', undefined, {}, '/srv/app/sealwatch.yaml'],
    ['an empty SEALWATCH_CONFIG counts as unset', undefined, { SEALWATCH_CONFIG: '' }, '/srv/app/sealwatch.yaml'],
    ['relative env paths resolve against cwd', undefined, { SEALWATCH_CONFIG: 'conf/s.json' }, '/srv/app/conf/s.json'],
    ['absolute flags stay', '/opt/s.yaml', {}, '/opt/s.yaml'],
  ])('%s', (_name, flag, env, expected) => {
    expect(resolveConfigPath(flag, env, '/srv/app')).toBe(expected);
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

  it('loads the health and alerting example, leaving remote secrets for first use', async () => {
    const remote: Record<string, string> = {
      'ssm:/sealwatch/jsm-token': 'example-jsm-token',
      'secretsmanager:sealwatch/opsgenie': 'example-opsgenie-key',
      'secretsmanager:sealwatch/chat#teams': 'https://example.webhook.office.com/x',
    };
    const asked: string[] = [];
    const config = await loadConfig({
      path: join(FIXTURES, 'example-health-alerts.yaml'),
      env: HEALTH_ALERTS_ENV,
      remoteSecrets: (ref) => {
        const key = `${ref.kind}:${ref.name}${ref.jsonKey === undefined ? '' : `#${ref.jsonKey}`}`;
        asked.push(key);
        const value = remote[key];
        return value === undefined ? Promise.reject(new Error(`unexpected ${key}`)) : Promise.resolve(value);
      },
    });
    expect(asked).toEqual([]);
    const [eu, us] = config.clusters;
    expect(eu?.auth).toEqual({ kind: 'aws-iam', role: 'sealwatch', mount: 'aws', region: 'eu-west-1', serverIdHeader: 'vault.prod.internal' });
    expect(eu?.seal).toMatchObject({ kind: 'awskms', canary: true });
    expect(eu?.storage?.dynamodb).toMatchObject({ staleLockMs: 60_000, thrashingPerHour: 6, backupBeforeUpgrade: true });
    expect(eu?.raft).toEqual({ autoJoin: true, removeDeadPeers: { after: 1_800_000, minQuorum: 3 } });
    expect(us?.auth).toEqual({ kind: 'token' });
    expect(us?.seal).toMatchObject({ kind: 'azurekeyvault', azurekeyvault: { credential: { kind: 'workload-identity' } }, canary: false });
    expect(config.channels?.map((c) => `${c.id}:${c.kind}`)).toEqual([
      'oncall:pagerduty',
      'team:slack',
      'ops:opsgenie',
      'jsm:jsm',
      'teams:teams',
      'hook:webhook',
      'sns:sns',
    ]);
    expect(config.alerts?.routes).toHaveLength(3);
    expect(config.alerts).toMatchObject({ remindEveryMs: 3_600_000, giveUpAfterMs: 86_400_000 });
    expect(config.api?.limits).toEqual({ bodyBytes: 262_144, requestsPerMinute: 120, timeoutMs: 25_000 });
    expect(config.scaleOut).toEqual({ clusterThreshold: 50 });

    // Every secret, eager or remote, reads through value(); remote ones only now.
    const secrets = (config.channels ?? []).flatMap((c) => {
      switch (c.kind) {
        case 'pagerduty':
          return [c.pagerduty.routingKey];
        case 'slack':
          return [c.slack.webhookUrl];
        case 'opsgenie':
          return [c.opsgenie.apiKey];
        case 'jsm':
          return [c.jsm.apiToken];
        case 'teams':
          return [c.teams.webhookUrl];
        case 'webhook':
          return [c.webhook.secret];
        case 'sns':
          return [];
        default:
          return [];
      }
    });
    const api = config.api;
    const values = await Promise.all([...secrets, api?.alertmanager?.token, api?.webhooks?.secret].map((s) => s?.value()));
    expect(values).toEqual([
      HEALTH_ALERTS_ENV.PD_ROUTING_KEY,
      HEALTH_ALERTS_ENV.SLACK_WEBHOOK_URL,
      remote['secretsmanager:sealwatch/opsgenie'],
      remote['ssm:/sealwatch/jsm-token'],
      remote['secretsmanager:sealwatch/chat#teams'],
      HEALTH_ALERTS_ENV.WEBHOOK_SECRET,
      HEALTH_ALERTS_ENV.ALERTMANAGER_TOKEN,
      HEALTH_ALERTS_ENV.SEALWATCH_WEBHOOK_SECRET,
    ]);
    expect(asked).toHaveLength(3);
    const serialised = JSON.stringify(config);
    for (const secret of [...Object.values(HEALTH_ALERTS_ENV), ...Object.values(remote)]) expect(serialised).not.toContain(secret);
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
