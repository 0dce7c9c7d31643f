import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJsmAlertChannel } from '../../../../shared/adapters/jsm-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import { ValidationError } from '../../../../shared/errors.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';
import { json, notification } from './channel-fixtures.ts';

const USER = 'sealwatch-bot@example.com';
const API_TOKEN = 'ATATT3xFfGF0jsmApiToken0123456789';
const BASIC = `Basic ${Buffer.from(`${USER}:${API_TOKEN}`).toString('base64')}`;
const API_PATH = '/jsm/ops/api/cloud-0001';
const ACCEPTED = { status: 202, headers: { 'content-type': 'application/json' }, body: '{"result":"Request will be processed","requestId":"r-1"}' };
const ALIAS = 'sealwatch:prod-eu:vault-2:node.sealed';

describe('jsm alert channel', () => {
  let sink: SinkServer;
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: ACCEPTED });
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(() => {
    sink.requests.length = 0;
    sink.setScript([]);
  });

  const channel = () =>
    createJsmAlertChannel({ id: 'jsm', apiUrl: `${sink.url}${API_PATH}/`, user: USER, apiToken: new Secret(API_TOKEN), responders: ['team:vault-oncall'] });
  const send = (kind: 'trigger' | 'reminder' | 'resolve') => channel().send(notification({ kind }), new AbortController().signal);

  it('creates an alert with the Opsgenie body and basic auth', async () => {
    expect(await send('trigger')).toEqual({ ok: true, status: 202 });
    const [request] = sink.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`${API_PATH}/v1/alerts`);
    expect(request?.headers.authorization).toBe(BASIC);
    expect(json(request?.body ?? '')).toMatchObject({
      message: 'prod-eu/vault-2 is sealed',
      alias: ALIAS,
      priority: 'P1',
      entity: 'prod-eu/vault-2',
      source: 'sealwatch',
      responders: [{ type: 'team', name: 'vault-oncall' }],
      details: { cluster: 'prod-eu', node: 'vault-2', dedupKey: ALIAS },
    });
  });

  it('sends a reminder as a create with the same alias', async () => {
    expect(await send('reminder')).toEqual({ ok: true, status: 202 });
    expect(json(sink.requests[0]?.body ?? '')).toMatchObject({ alias: ALIAS, message: 'Reminder: prod-eu/vault-2 is sealed' });
  });

  it('resolves by looking up the open alert with the alias and closing it by id', async () => {
    sink.setScript([
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ values: [{ id: 'alert-uuid-1', alias: ALIAS, status: 'open' }] }),
      },
      ACCEPTED,
    ]);
    expect(await send('resolve')).toEqual({ ok: true, status: 202 });
    const [lookup, close] = sink.requests;
    expect(lookup?.method).toBe('GET');
    const url = new URL(lookup?.path ?? '', sink.url);
    expect(url.pathname).toBe(`${API_PATH}/v1/alerts`);
    expect(url.searchParams.get('query')).toBe(`status: open AND alias: "${ALIAS}"`);
    expect(lookup?.headers.authorization).toBe(BASIC);
    expect(close?.method).toBe('POST');
    expect(close?.path).toBe(`${API_PATH}/v1/alerts/alert-uuid-1/close`);
    expect(close?.headers.authorization).toBe(BASIC);
    expect(json(close?.body ?? '')).toEqual({ source: 'sealwatch', note: `Resolved: prod-eu/vault-2 is sealed\n${notification().message}` });
  });

  it('treats a resolve with no open alert as delivered, sending only the lookup', async () => {
    sink.setScript([{ status: 200, body: '{"values":[]}' }]);
    expect(await send('resolve')).toEqual({ ok: true, status: 200 });
    expect(sink.requests).toHaveLength(1);
  });

  it('classifies a failed lookup like any answer', async () => {
    sink.setScript([{ status: 503, headers: { 'retry-after': '3' } }]);
    expect(await send('resolve')).toMatchObject({ ok: false, retryable: true, status: 503, retryAfterMs: 3000 });
    sink.setScript([{ status: 401, body: '{"message":"Unauthorized"}' }]);
    expect(await send('resolve')).toMatchObject({ ok: false, retryable: false, status: 401, error: 'HTTP 401: Unauthorized' });
  });

  it('retries when the lookup answers an unreadable body', async () => {
    sink.setScript([{ status: 200, body: '<html>maintenance</html>' }]);
    expect(await send('resolve')).toMatchObject({ ok: false, retryable: true });
    expect(sink.requests).toHaveLength(1);
  });

  it('refuses an apiUrl that is not http(s)', () => {
    expect(() => createJsmAlertChannel({ id: 'jsm', apiUrl: 'api.atlassian.com', user: USER, apiToken: new Secret(API_TOKEN) })).toThrow(ValidationError);
  });
});
