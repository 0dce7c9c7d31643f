import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPSGENIE_LIMITS } from '../../../../shared/adapters/opsgenie-alert-body.ts';
import { createOpsgenieAlertChannel, OPSGENIE_API_URL } from '../../../../shared/adapters/opsgenie-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkServer, type SinkRequest } from '../../../support/sink-server.ts';
import { json, notification } from './channel-fixtures.ts';

const API_KEY = '0f1e2d3c-4b5a-6978-8a9b-genie0key0000';
const ACCEPTED = { status: 202, headers: { 'content-type': 'application/json' }, body: '{"result":"Request will be processed","took":0.3,"requestId":"r-1"}' };

describe('opsgenie alert channel', () => {
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

  const channel = (responders?: string[]) =>
    createOpsgenieAlertChannel({
      id: 'og',
      apiKey: new Secret(API_KEY),
      region: 'eu',
      baseUrl: sink.url,
      ...(responders ? { responders } : {}),
    });
  async function sent(n: Notification, responders?: string[]): Promise<SinkRequest> {
    const result = await channel(responders).send(n, new AbortController().signal);
    expect(result).toEqual({ ok: true, status: 202 });
    const request = sink.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.headers.authorization).toBe(`GenieKey ${API_KEY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    return request as SinkRequest;
  }

  it('uses the US and EU API hosts', () => {
    expect(OPSGENIE_API_URL).toEqual({ us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' });
  });

  it('creates an alert with alias = dedup key, P1 for critical, details and tags', async () => {
    const request = await sent(notification(), ['team:vault-oncall', 'user:alice@example.com', 'escalation:platform', 'schedule:sre', 'dba']);
    expect(request.path).toBe('/v2/alerts');
    expect(json(request.body)).toEqual({
      message: 'prod-eu/vault-2 is sealed',
      alias: 'sealwatch:prod-eu:vault-2:node.sealed',
      description: [
        notification().message,
        '',
        'Evidence:',
        '- httpStatus: 503',
        '- sealed: true',
        '- shareIndexes: 1, 2, 3',
        '- version: 1.19.0',
        '- lastError: -',
        '',
        'Links:',
        '- Runbook: https://runbooks.example/vault-sealed',
      ].join('\n'),
      priority: 'P1',
      tags: ['sealwatch', 'cluster:prod-eu', 'severity:critical', 'finding:node.sealed', 'node:vault-2'],
      details: {
        cluster: 'prod-eu',
        node: 'vault-2',
        finding: 'node.sealed',
        severity: 'critical',
        notification: 'trigger',
        openedAt: '2026-11-22T10:00:00.000Z',
        occurredAt: '2026-11-22T10:05:00.000Z',
        dedupKey: 'sealwatch:prod-eu:vault-2:node.sealed',
        httpStatus: '503',
        sealed: 'true',
        shareIndexes: '1, 2, 3',
        version: '1.19.0',
        lastError: '-',
      },
      entity: 'prod-eu/vault-2',
      source: 'sealwatch',
      responders: [
        { type: 'team', name: 'vault-oncall' },
        { type: 'user', username: 'alice@example.com' },
        { type: 'escalation', name: 'platform' },
        { type: 'schedule', name: 'sre' },
        { type: 'team', name: 'dba' },
      ],
    });
  });

  it.each([
    ['critical', 'P1'],
    ['warning', 'P3'],
    ['info', 'P5'],
  ] as const)('maps severity %s to priority %s', async (severity, priority) => {
    const request = await sent(notification({ severity }));
    expect((json(request.body) as { priority: string }).priority).toBe(priority);
  });

  it('sends a reminder as a create with the same alias (Opsgenie bumps the count)', async () => {
    const request = await sent(notification({ kind: 'reminder' }));
    expect(request.path).toBe('/v2/alerts');
    expect(json(request.body)).toMatchObject({ alias: 'sealwatch:prod-eu:vault-2:node.sealed', message: 'Reminder: prod-eu/vault-2 is sealed' });
  });

  it('resolves by closing the alert by alias', async () => {
    const request = await sent(notification({ kind: 'resolve', title: 'prod-eu/vault-2 is unsealed', message: 'Unsealed by sealwatch.' }));
    expect(request.path).toBe(`/v2/alerts/${encodeURIComponent('sealwatch:prod-eu:vault-2:node.sealed')}/close?identifierType=alias`);
    expect(json(request.body)).toEqual({ source: 'sealwatch', note: 'Resolved: prod-eu/vault-2 is unsealed\nUnsealed by sealwatch.' });
  });

  it('keeps message ≤ 130, alias ≤ 512, tags ≤ 50 and details ≤ 8000 characters', async () => {
    const evidence: Notification['evidence'] = {};
    for (let i = 0; i < 100; i++) evidence[`k${i}`] = 'v'.repeat(900);
    const request = await sent(notification({ title: 'é'.repeat(400), dedupKey: `sealwatch:${'x'.repeat(600)}`, findingId: `f${'y'.repeat(80)}`, evidence }));
    const body = json(request.body) as { message: string; alias: string; tags: string[]; details: Record<string, string>; description: string };
    expect(body.message.length).toBe(OPSGENIE_LIMITS.message);
    expect(body.message.endsWith('…')).toBe(true);
    expect(body.alias.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.alias);
    for (const tag of body.tags) expect(tag.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.tag);
    const detailChars = Object.entries(body.details).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(detailChars).toBeLessThanOrEqual(OPSGENIE_LIMITS.details);
    expect(body.details.cluster).toBe('prod-eu'); // fixed facts come first and survive
    expect(body.description.length).toBeLessThanOrEqual(OPSGENIE_LIMITS.description);
  });

  it('keeps evidence keys like __proto__ as plain detail keys', async () => {
    const evidence = JSON.parse('{"__proto__":"x","constructor":"y"}') as Notification['evidence'];
    const request = await sent(notification({ evidence }));
    const details = (JSON.parse(request.body) as { details: object }).details;
    expect(Object.keys(details)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
  });
});
