import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../../shared/config/build-config.ts';
import { minimal, parse, problemsOf } from './helpers.ts';

// Keys added for cluster health (#4), alerting (#5), the API (#6) and deployment (#7).

const KMS_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sealwatch';
const ENV = {
  // 16 random bytes: shaped like a secret, too short to be one.
  SHORT_HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILA==',
  PD_KEY: 'pd-routing-key-0123456789',
  SLACK_URL: 'https://hooks.slack.example/services/T0/B0/xyz',
  HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  AM_TOKEN: 'alertmanager-token-0123456789',
};

/** minimal() with extra keys on its one cluster and at the root. */
function withCluster(extra: object, root: object = {}): object {
  const config = minimal();
  Object.assign(config.clusters[0] as object, extra);
  return { ...config, ...root };
}

const pagerduty = (id: string) => ({ id, pagerduty: { routingKey: '${env:PD_KEY}' } });

describe('defaults of the new keys', () => {
  it('leaves cluster features off and fills the root sections', () => {
    const config = parse(minimal());
    const cluster = config.clusters[0];
    for (const key of ['auth', 'seal', 'storage', 'raft'] as const) expect(cluster && key in cluster).toBe(false);
    expect(cluster?.checks).toEqual({ certExpiryDays: 14, keyExpiryDays: 30 });
    expect(config.channels).toEqual([]);
    expect(config.alerts).toEqual({
      routes: [],
      openAfter: { critical: 1, warning: 2 },
      resolveAfter: 2,
      remindEveryMs: 3_600_000,
      giveUpAfterMs: 86_400_000,
    });
    expect(config.api).toEqual({
      dashboard: { enabled: true },
      limits: { bodyBytes: 262_144, requestsPerMinute: 120, timeoutMs: 25_000 },
    });
    expect(config.scaleOut).toEqual({ clusterThreshold: 50 });
  });

  it('routes every channel at warning and above when no routes are written', () => {
    const config = parse({ ...minimal(), channels: [pagerduty('a'), pagerduty('b')] }, { env: ENV });
    expect(config.alerts?.routes).toEqual([{ channels: ['a', 'b'], minSeverity: 'warning' }]);
  });

  it.each<[string, object, (c: ReturnType<typeof parse>) => unknown, unknown]>([
    ['auth token', { auth: { token: {} } }, (c) => c.clusters[0]?.auth, { kind: 'token' }],
    [
      'auth awsIam, mount defaulted',
      { auth: { awsIam: { role: 'sealwatch', region: 'us-east-1' } } },
      (c) => c.clusters[0]?.auth,
      { kind: 'aws-iam', role: 'sealwatch', mount: 'aws', region: 'us-east-1' },
    ],
    [
      'seal awskms, canary defaulted',
      { seal: { awskms: { keyId: KMS_ARN, region: 'eu-west-1' } } },
      (c) => c.clusters[0]?.seal,
      { kind: 'awskms', awskms: { keyId: KMS_ARN, region: 'eu-west-1' }, canary: false },
    ],
    [
      'seal azurekeyvault, credential defaulted',
      { seal: { azurekeyvault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'unseal' } } },
      (c) => c.clusters[0]?.seal,
      { kind: 'azurekeyvault', azurekeyvault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'unseal', credential: { kind: 'default' } }, canary: false },
    ],
    [
      'storage dynamodb',
      { storage: { dynamodb: { table: 'vault-data', region: 'eu-west-1' } } },
      (c) => c.clusters[0]?.storage,
      { dynamodb: { table: 'vault-data', region: 'eu-west-1', staleLockMs: 60_000, thrashingPerHour: 6, backupBeforeUpgrade: false } },
    ],
    ['raft without removeDeadPeers', { raft: {} }, (c) => c.clusters[0]?.raft, { autoJoin: false }],
    [
      'raft removeDeadPeers, minQuorum defaulted',
      { raft: { removeDeadPeers: { after: '30m' } } },
      (c) => c.clusters[0]?.raft,
      { autoJoin: false, removeDeadPeers: { after: 1_800_000, minQuorum: 3 } },
    ],
  ])('%s', (_name, cluster, pick, expected) => {
    expect(pick(parse(withCluster(cluster)))).toEqual(expected);
  });

  it.each<[string, object, unknown]>([
    ['pagerduty region us', { pagerduty: { routingKey: '${env:PD_KEY}' } }, { kind: 'pagerduty', pagerduty: { region: 'us' } }],
    ['opsgenie region us', { opsgenie: { apiKey: '${env:PD_KEY}' } }, { kind: 'opsgenie', opsgenie: { region: 'us' } }],
    ['sns region from the ARN', { sns: { topicArn: TOPIC_ARN } }, { kind: 'sns', sns: { topicArn: TOPIC_ARN, region: 'eu-west-1' } }],
  ])('channel default: %s', (_name, channel, expected) => {
    const config = parse({ ...minimal(), channels: [{ id: 'c', ...channel }] }, { env: ENV });
    expect(config.channels?.[0]).toMatchObject(expected as object);
  });

  it('exports the defaults it applies', () => {
    expect(CONFIG_DEFAULTS.alerts.remindEveryMs).toBe(parse(minimal()).alerts?.remindEveryMs);
    expect(CONFIG_DEFAULTS.api.limits).toEqual(parse(minimal()).api?.limits);
  });
});

describe('written values of the new keys', () => {
  it('keeps every value written and converts durations to milliseconds', () => {
    const config = parse(
      withCluster(
        {
          auth: { awsIam: { role: 'r', mount: 'aws/prod', region: 'us-east-1', serverIdHeader: 'vault.example.com' } },
          seal: { awskms: { keyId: 'alias/unseal', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }, canary: true },
          storage: {
            dynamodb: {
              table: 'vault-data',
              region: 'eu-west-1',
              endpoint: 'http://127.0.0.1:8000',
              staleLockAfter: '90s',
              thrashingPerHour: 12,
              backupBeforeUpgrade: true,
            },
          },
          raft: { autoJoin: true, removeDeadPeers: { after: '7d', minQuorum: 5 } },
          checks: { certExpiryDays: 7, keyExpiryDays: 60 },
        },
        {
          channels: [
            { id: 'team', slack: { webhookUrl: '${env:SLACK_URL}' } },
            { id: 'ops', opsgenie: { apiKey: '${env:PD_KEY}', region: 'eu', responders: ['team-a'] } },
            { id: 'jsm', jsm: { apiUrl: 'https://api.atlassian.com/jsm/ops/integration', user: 'sealwatch', apiToken: '${env:PD_KEY}', responders: [] } },
            { id: 'teams', teams: { webhookUrl: '${env:SLACK_URL}' } },
            { id: 'hook', webhook: { url: 'http://127.0.0.1:9999/hook', secret: '${env:HOOK_SECRET}' } },
            { id: 'sns', sns: { topicArn: TOPIC_ARN, region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' } },
          ],
          alerts: {
            routes: [{ channels: ['team', 'ops'], minSeverity: 'critical', clusters: ['prod'] }, { channels: ['hook'] }],
            openAfter: { critical: 3, warning: 4 },
            resolveAfter: 5,
            remindEvery: '30m',
            giveUpAfter: '2d',
          },
          api: {
            alertmanager: { token: '${env:AM_TOKEN}', clusterLabel: 'cluster', nodeLabel: 'node' },
            webhooks: { secret: '${env:HOOK_SECRET}' },
            dashboard: { enabled: false },
            limits: { bodyBytes: 4096, requestsPerMinute: 10, timeout: '10s' },
          },
          scaleOut: { clusterThreshold: 7 },
        },
      ),
      { env: ENV },
    );
    const cluster = config.clusters[0];
    expect(cluster?.auth).toEqual({ kind: 'aws-iam', role: 'r', mount: 'aws/prod', region: 'us-east-1', serverIdHeader: 'vault.example.com' });
    expect(cluster?.seal).toEqual({ kind: 'awskms', awskms: { keyId: 'alias/unseal', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }, canary: true });
    expect(cluster?.storage?.dynamodb).toEqual({
      table: 'vault-data',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8000',
      staleLockMs: 90_000,
      thrashingPerHour: 12,
      backupBeforeUpgrade: true,
    });
    expect(cluster?.raft).toEqual({ autoJoin: true, removeDeadPeers: { after: 7 * 86_400_000, minQuorum: 5 } });
    expect(cluster?.checks).toEqual({ certExpiryDays: 7, keyExpiryDays: 60 });
    expect(config.channels?.map((c) => c.kind)).toEqual(['slack', 'opsgenie', 'jsm', 'teams', 'webhook', 'sns']);
    const [slack, ops, jsm, , hook] = config.channels ?? [];
    expect(slack?.kind === 'slack' && slack.slack.webhookUrl.reveal()).toBe(ENV.SLACK_URL);
    expect(ops?.kind === 'opsgenie' && ops.opsgenie.responders).toEqual(['team-a']);
    expect(jsm?.kind === 'jsm' && [jsm.jsm.apiUrl, jsm.jsm.user, jsm.jsm.responders]).toEqual([
      'https://api.atlassian.com/jsm/ops/integration',
      'sealwatch',
      [],
    ]);
    expect(hook?.kind === 'webhook' && hook.webhook.secret.reveal()).toBe(ENV.HOOK_SECRET);
    expect(config.alerts).toEqual({
      routes: [
        { channels: ['team', 'ops'], minSeverity: 'critical', clusters: ['prod'] },
        { channels: ['hook'], minSeverity: 'warning' },
      ],
      openAfter: { critical: 3, warning: 4 },
      resolveAfter: 5,
      remindEveryMs: 1_800_000,
      giveUpAfterMs: 2 * 86_400_000,
    });
    expect(config.api).toMatchObject({
      alertmanager: { clusterLabel: 'cluster', nodeLabel: 'node' },
      dashboard: { enabled: false },
      limits: { bodyBytes: 4096, requestsPerMinute: 10, timeoutMs: 10_000 },
    });
    expect(config.api?.alertmanager?.token.reveal()).toBe(ENV.AM_TOKEN);
    expect(config.scaleOut).toEqual({ clusterThreshold: 7 });
    const serialised = JSON.stringify(config);
    for (const value of Object.values(ENV)) expect(serialised).not.toContain(value);
  });
});

// Each config breaks exactly one rule, so each must produce exactly that one problem.
describe('problems with the new keys', () => {
  const channels = (...list: object[]) => ({ channels: list });
  it.each<[string, object, string, string | RegExp]>([
    // cluster health
    [
      'auth with both kinds',
      withCluster({ auth: { token: {}, awsIam: { role: 'r', region: 'us-east-1' } } }),
      'clusters[0].auth',
      'set exactly one of token or awsIam, not several (token, awsIam)',
    ],
    ['auth empty', withCluster({ auth: {} }), 'clusters[0].auth', 'set exactly one of token or awsIam'],
    ['awsIam without role', withCluster({ auth: { awsIam: { region: 'us-east-1' } } }), 'clusters[0].auth.awsIam.role', 'is required'],
    [
      'awsIam bad mount',
      withCluster({ auth: { awsIam: { role: 'r', region: 'us-east-1', mount: '/aws/' } } }),
      'clusters[0].auth.awsIam.mount',
      /auth mount path/,
    ],
    ['token with settings', withCluster({ auth: { token: { value: 'x' } } }), 'clusters[0].auth.token.value', 'unknown key'],
    [
      'seal with both kinds',
      withCluster({ seal: { awskms: { keyId: 'alias/k', region: 'eu-west-1' }, azurekeyvault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k' } } }),
      'clusters[0].seal',
      'set exactly one of awskms or azurekeyvault, not several (awskms, azurekeyvault)',
    ],
    ['seal with neither', withCluster({ seal: { canary: true } }), 'clusters[0].seal', 'set exactly one of awskms or azurekeyvault'],
    [
      'seal ARN in another region',
      withCluster({ seal: { awskms: { keyId: KMS_ARN, region: 'us-east-1' } } }),
      'clusters[0].seal.awskms.region',
      'does not match the region of the key ARN (eu-west-1)',
    ],
    ['seal bad key id', withCluster({ seal: { awskms: { keyId: 'my-key', region: 'eu-west-1' } } }), 'clusters[0].seal.awskms.keyId', /key ARN, alias ARN/],
    [
      'seal canary not boolean',
      withCluster({ seal: { awskms: { keyId: 'alias/k', region: 'eu-west-1' }, canary: 'yes' } }),
      'clusters[0].seal.canary',
      'must be true or false, not a string',
    ],
    [
      'seal client-secret credential incomplete',
      withCluster({
        seal: { azurekeyvault: { vaultUrl: 'https://kv.vault.azure.net', keyName: 'k', credential: { kind: 'client-secret', tenantId: 't', clientId: 'c' } } },
      }),
      'clusters[0].seal.azurekeyvault.credential.clientSecret',
      'is required for kind client-secret',
    ],
    [
      'seal with a typo',
      withCluster({ seal: { awskms: { keyId: 'alias/k', region: 'eu-west-1' }, canery: true } }),
      'clusters[0].seal.canery',
      'unknown key (did you mean canary?)',
    ],
    ['storage without dynamodb', withCluster({ storage: {} }), 'clusters[0].storage.dynamodb', 'is required'],
    [
      'staleLockAfter as a number',
      withCluster({ storage: { dynamodb: { table: 'vault', region: 'eu-west-1', staleLockAfter: 60 } } }),
      'clusters[0].storage.dynamodb.staleLockAfter',
      'must be a duration like 90s, 30m, 24h or 7d',
    ],
    [
      'staleLockAfter too short',
      withCluster({ storage: { dynamodb: { table: 'vault', region: 'eu-west-1', staleLockAfter: '1s' } } }),
      'clusters[0].storage.dynamodb.staleLockAfter',
      'must be at least 5s',
    ],
    [
      'thrashingPerHour zero',
      withCluster({ storage: { dynamodb: { table: 'vault', region: 'eu-west-1', thrashingPerHour: 0 } } }),
      'clusters[0].storage.dynamodb.thrashingPerHour',
      'must be a whole number from 1 to 3600',
    ],
    ['removeDeadPeers without after', withCluster({ raft: { removeDeadPeers: {} } }), 'clusters[0].raft.removeDeadPeers.after', 'is required'],
    [
      'removeDeadPeers after below 5m',
      withCluster({ raft: { removeDeadPeers: { after: '4m' } } }),
      'clusters[0].raft.removeDeadPeers.after',
      /^must be at least 5m: a peer down for a reboot/,
    ],
    [
      'removeDeadPeers after above 7d',
      withCluster({ raft: { removeDeadPeers: { after: '8d' } } }),
      'clusters[0].raft.removeDeadPeers.after',
      'must be at most 7d',
    ],
    [
      'removeDeadPeers after in hours and minutes',
      withCluster({ raft: { removeDeadPeers: { after: '1h30m' } } }),
      'clusters[0].raft.removeDeadPeers.after',
      'must be a duration like 90s, 30m, 24h or 7d',
    ],
    [
      'minQuorum below 3',
      withCluster({ raft: { removeDeadPeers: { after: '30m', minQuorum: 2 } } }),
      'clusters[0].raft.removeDeadPeers.minQuorum',
      'must be a whole number from 3 to 99',
    ],
    ['certExpiryDays zero', withCluster({ checks: { certExpiryDays: 0 } }), 'clusters[0].checks.certExpiryDays', 'must be a whole number from 1 to 365'],
    // channels
    ['duplicate channel ids', channels(pagerduty('oncall'), pagerduty('oncall')), 'channels[1].id', "duplicate channel id 'oncall' (first at channels[0].id)"],
    [
      'channel with two kinds',
      channels({ id: 'x', slack: { webhookUrl: '${env:SLACK_URL}' }, teams: { webhookUrl: '${env:SLACK_URL}' } }),
      'channels[0]',
      /^set exactly one of slack, pagerduty, opsgenie, jsm, teams, webhook or sns, not several \(slack, teams\)$/,
    ],
    ['channel with no kind', channels({ id: 'x' }), 'channels[0]', 'set exactly one of slack, pagerduty, opsgenie, jsm, teams, webhook or sns'],
    ['bad channel id', channels({ id: 'On Call', pagerduty: { routingKey: '${env:PD_KEY}' } }), 'channels[0].id', /lowercase letters, digits or dashes/],
    [
      'inline routing key',
      channels({ id: 'x', pagerduty: { routingKey: 'R0UT1NGKEY' } }),
      'channels[0].pagerduty.routingKey',
      'write secrets as ${env:NAME}, ${file:PATH}, ${ssm:/NAME} or ${secretsmanager:NAME}, not inline',
    ],
    ['pagerduty region', channels({ id: 'x', pagerduty: { routingKey: '${env:PD_KEY}', region: 'ap' } }), 'channels[0].pagerduty.region', 'must be us or eu'],
    [
      'slack URL over plain http',
      channels({ id: 'x', slack: { webhookUrl: '${env:PLAIN}' } }),
      'channels[0].slack.webhookUrl',
      '${env:PLAIN} must resolve to an https:// URL',
    ],
    [
      'webhook URL over plain http off loopback',
      channels({ id: 'x', webhook: { url: 'http://example.com/hook', secret: '${env:HOOK_SECRET}' } }),
      'channels[0].webhook.url',
      /^http:\/\/ is only allowed on loopback/,
    ],
    [
      'jsm apiUrl not a URL',
      channels({ id: 'x', jsm: { apiUrl: 'atlassian', user: 'u', apiToken: '${env:PD_KEY}' } }),
      'channels[0].jsm.apiUrl',
      'must be an https:// URL',
    ],
    [
      'webhook secret without whsec_',
      channels({ id: 'x', webhook: { url: 'https://example.com/hook', secret: '${env:PD_KEY}' } }),
      'channels[0].webhook.secret',
      '${env:PD_KEY} must resolve to a Standard Webhooks secret starting with whsec_',
    ],
    [
      'webhook secret under 24 bytes',
      channels({ id: 'x', webhook: { url: 'https://example.com/hook', secret: '${env:SHORT_HOOK_SECRET}' } }),
      'channels[0].webhook.secret',
      '${env:SHORT_HOOK_SECRET} must resolve to whsec_ followed by the base64 of at least 24 random bytes',
    ],
    [
      'api webhooks secret under 24 bytes',
      { api: { webhooks: { secret: '${env:SHORT_HOOK_SECRET}' } } },
      'api.webhooks.secret',
      '${env:SHORT_HOOK_SECRET} must resolve to whsec_ followed by the base64 of at least 24 random bytes',
    ],
    [
      'sns region not the ARN region',
      channels({ id: 'x', sns: { topicArn: TOPIC_ARN, region: 'us-east-1' } }),
      'channels[0].sns.region',
      'does not match the region of the topic ARN (eu-west-1)',
    ],
    ['sns bad ARN', channels({ id: 'x', sns: { topicArn: 'sealwatch' } }), 'channels[0].sns.topicArn', /must be an SNS topic ARN/],
    [
      'responders not a list',
      channels({ id: 'x', opsgenie: { apiKey: '${env:PD_KEY}', responders: 'team-a' } }),
      'channels[0].opsgenie.responders',
      'must be a list, not a string',
    ],
    [
      'unset secret variable',
      channels({ id: 'x', pagerduty: { routingKey: '${env:MISSING}' } }),
      'channels[0].pagerduty.routingKey',
      'environment variable MISSING is not set',
    ],
    // alerts
    [
      'route to an unknown channel',
      { ...channels(pagerduty('oncall')), alerts: { routes: [{ channels: ['oncall', 'pager'] }] } },
      'alerts.routes[0].channels[1]',
      "channel 'pager' is not defined in channels",
    ],
    [
      'route for an unknown cluster',
      { ...channels(pagerduty('oncall')), alerts: { routes: [{ channels: ['oncall'], clusters: ['staging'] }] } },
      'alerts.routes[0].clusters[0]',
      "cluster 'staging' is not defined in clusters",
    ],
    [
      'route with no channels',
      { ...channels(pagerduty('oncall')), alerts: { routes: [{ channels: [] }] } },
      'alerts.routes[0].channels',
      'must list at least one channel id',
    ],
    [
      'route severity',
      { ...channels(pagerduty('oncall')), alerts: { routes: [{ channels: ['oncall'], minSeverity: 'page' }] } },
      'alerts.routes[0].minSeverity',
      'must be one of info, warning, critical',
    ],
    ['openAfter zero', { alerts: { openAfter: { warning: 0 } } }, 'alerts.openAfter.warning', 'must be a whole number from 1 to 100'],
    ['resolveAfter fractional', { alerts: { resolveAfter: 1.5 } }, 'alerts.resolveAfter', 'must be a whole number from 1 to 100'],
    ['remindEvery too short', { alerts: { remindEvery: '30s' } }, 'alerts.remindEvery', 'must be at least 1m'],
    ['giveUpAfter malformed', { alerts: { giveUpAfter: '1 day' } }, 'alerts.giveUpAfter', 'must be a duration like 90s, 30m, 24h or 7d'],
    // api
    ['alertmanager without token', { api: { alertmanager: {} } }, 'api.alertmanager.token', 'is required'],
    [
      'alertmanager token too short',
      { api: { alertmanager: { token: '${env:SHORT}' } } },
      'api.alertmanager.token',
      '${env:SHORT} must be at least 16 characters long',
    ],
    [
      'alertmanager label',
      { api: { alertmanager: { token: '${env:AM_TOKEN}', clusterLabel: 'vault-cluster' } } },
      'api.alertmanager.clusterLabel',
      /Prometheus label name/,
    ],
    [
      'alertmanager same labels',
      { api: { alertmanager: { token: '${env:AM_TOKEN}', clusterLabel: 'instance' } } },
      'api.alertmanager.nodeLabel',
      'must differ from clusterLabel',
    ],
    [
      'webhooks secret without whsec_',
      { api: { webhooks: { secret: '${env:AM_TOKEN}' } } },
      'api.webhooks.secret',
      '${env:AM_TOKEN} must resolve to a Standard Webhooks secret starting with whsec_',
    ],
    ['dashboard enabled as a string', { api: { dashboard: { enabled: 'on' } } }, 'api.dashboard.enabled', 'must be true or false, not a string'],
    ['bodyBytes too small', { api: { limits: { bodyBytes: 10 } } }, 'api.limits.bodyBytes', 'must be a whole number from 1024 to 10485760'],
    ['timeout too long', { api: { limits: { timeout: '1h' } } }, 'api.limits.timeout', 'must be at most 15m'],
    ['limits with timeoutMs', { api: { limits: { timeoutMs: 1000 } } }, 'api.limits.timeoutMs', 'unknown key (did you mean timeout?)'],
    // scaleOut
    ['clusterThreshold zero', { scaleOut: { clusterThreshold: 0 } }, 'scaleOut.clusterThreshold', 'must be a whole number from 1 to 100000'],
  ])('%s', (_name, config, path, message) => {
    const full = 'clusters' in config ? config : { ...minimal(), ...config };
    const problems = problemsOf(full, { env: { ...ENV, PLAIN: 'http://hooks.example/x', SHORT: 'short' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    if (typeof message === 'string') expect(problems[0]?.message).toBe(message);
    else expect(problems[0]?.message).toMatch(message);
  });

  it('never quotes a secret value in a problem', () => {
    const env = { NOT_WHSEC: 'plain-signing-secret-value', PLAIN: 'http://hooks.example/secret-path-token' };
    const problems = problemsOf(
      {
        ...minimal(),
        channels: [
          { id: 'a', webhook: { url: 'https://example.com', secret: '${env:NOT_WHSEC}' } },
          { id: 'b', slack: { webhookUrl: '${env:PLAIN}' } },
        ],
      },
      { env },
    );
    expect(problems).toHaveLength(2);
    const text = JSON.stringify(problems);
    for (const value of Object.values(env)) expect(text).not.toContain(value);
  });

  it('lists problems of old and new sections together, in document order', () => {
    const problems = problemsOf(
      {
        ...withCluster({ raft: { removeDeadPeers: { after: '1m' } } }),
        sweep: { concurrency: 0 },
        channels: [pagerduty('a'), pagerduty('a')],
      },
      { env: ENV },
    );
    expect(problems.map((p) => p.path)).toEqual(['clusters[0].raft.removeDeadPeers.after', 'sweep.concurrency', 'channels[1].id']);
  });
});
