import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../../shared/config/secret.ts';
import type { ChannelConfig } from '../../../../shared/config/types.ts';
import { ValidationError } from '../../../../shared/errors.ts';
import { createAlertChannels } from '../../../../shared/runtime/alert-channels.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';
import { notification, startSilentServer } from './channel-fixtures.ts';

const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('createAlertChannels', () => {
  let sink: SinkServer;
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: { status: 202 } });
  });
  afterAll(async () => {
    await sink.close();
  });

  function configs(): ChannelConfig[] {
    return [
      { id: 'slack', kind: 'slack', slack: { webhookUrl: new Secret(`${sink.url}/services/T1/B1/abcdefgh`) } },
      { id: 'pd', kind: 'pagerduty', pagerduty: { routingKey: new Secret('r'.repeat(32)), region: 'eu' } },
      { id: 'og', kind: 'opsgenie', opsgenie: { apiKey: new Secret('genie-key-1'), region: 'us', responders: ['team:a'] } },
      { id: 'jsm', kind: 'jsm', jsm: { apiUrl: `${sink.url}/jsm/ops/api/c1`, user: 'bot@example.com', apiToken: new Secret('tok-123456') } },
      { id: 'teams', kind: 'teams', teams: { webhookUrl: new Secret(`${sink.url}/workflows/x?sig=abcdefgh`) } },
      { id: 'hook', kind: 'webhook', webhook: { url: `${sink.url}/hook`, secret: new Secret(WHSEC) } },
      { id: 'sns', kind: 'sns', sns: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:t', region: 'eu-west-1', endpoint: sink.url } },
    ];
  }

  it('builds one channel per config, in order, with its kind', () => {
    const asked: [string, string | undefined][] = [];
    const channels = createAlertChannels(configs(), {
      snsClientFor: (region, endpoint) => {
        asked.push([region, endpoint]);
        return new SNSClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      },
    });
    expect(channels.ids()).toEqual(['slack', 'pd', 'og', 'jsm', 'teams', 'hook', 'sns']);
    expect(channels.all().map((c) => c.kind)).toEqual(['slack', 'pagerduty', 'opsgenie', 'jsm', 'teams', 'webhook', 'sns']);
    expect(channels.get('hook')?.kind).toBe('webhook');
    expect(channels.get('nope')).toBeUndefined();
    expect(asked).toEqual([['eu-west-1', sink.url]]);
    channels.close();
  });

  it('refuses duplicate ids', () => {
    const [slack] = configs();
    expect(() => createAlertChannels([slack as ChannelConfig, slack as ChannelConfig])).toThrow(ValidationError);
  });

  it('applies endpoint overrides, and reads lazy secrets at send time', async () => {
    let reads = 0;
    const routingKey = Secret.lazy({
      reference: { kind: 'ssm', name: '/sealwatch/pd' },
      resolve: async () => {
        reads++;
        return 'k'.repeat(32);
      },
      now: () => 0,
      ttlMs: 0,
    });
    const channels = createAlertChannels([{ id: 'pd', kind: 'pagerduty', pagerduty: { routingKey, region: 'us' } }], {
      endpoints: { pagerduty: `${sink.url}/pd/enqueue` },
    });
    expect(reads).toBe(0);
    sink.requests.length = 0;
    expect(await channels.get('pd')?.send(notification(), new AbortController().signal)).toEqual({ ok: true, status: 202 });
    expect(reads).toBe(1);
    expect(sink.requests[0]?.path).toBe('/pd/enqueue');
    expect(JSON.parse(sink.requests[0]?.body ?? '{}')).toMatchObject({ routing_key: 'k'.repeat(32) });
  });

  it('passes fetchTimeoutMs to every channel', async () => {
    const silent = await startSilentServer();
    try {
      const channels = createAlertChannels([{ id: 'hook', kind: 'webhook', webhook: { url: `${silent.url}/hook`, secret: new Secret(WHSEC) } }], {
        fetchTimeoutMs: 250,
      });
      const result = await channels.get('hook')?.send(notification(), new AbortController().signal);
      expect(result).toEqual({ ok: false, retryable: true, error: 'timed out after 250 ms' });
    } finally {
      await silent.close();
    }
  });
});
