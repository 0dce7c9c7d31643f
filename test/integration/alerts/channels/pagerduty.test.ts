import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPagerDutyAlertChannel, PAGERDUTY_EVENTS_URL, PAGERDUTY_LIMITS } from '../../../../shared/adapters/pagerduty-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';
import { clusterNotification, json, notification } from './channel-fixtures.ts';

const ROUTING_KEY = 'R0UT1NGKEYabcdef0123456789abcdef';
const ACCEPTED = { status: 202, headers: { 'content-type': 'application/json' }, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' };

describe('pagerduty alert channel', () => {
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

  const channel = () => createPagerDutyAlertChannel({ id: 'pd', routingKey: new Secret(ROUTING_KEY), region: 'eu', url: `${sink.url}/v2/enqueue` });
  async function sent(n: Notification): Promise<Record<string, unknown>> {
    const result = await channel().send(n, new AbortController().signal);
    expect(result).toEqual({ ok: true, status: 202 });
    const request = sink.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v2/enqueue');
    expect(request?.headers['content-type']).toBe('application/json');
    return json(request?.body ?? '') as Record<string, unknown>;
  }

  it('uses the regional Events API v2 endpoints', () => {
    expect(PAGERDUTY_EVENTS_URL).toEqual({
      us: 'https://events.pagerduty.com/v2/enqueue',
      eu: 'https://events.eu.pagerduty.com/v2/enqueue',
    });
  });

  it('sends a trigger event with the dedup key, payload and links', async () => {
    expect(await sent(notification())).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'sealwatch:prod-eu:vault-2:node.sealed',
      client: 'sealwatch',
      payload: {
        summary: 'prod-eu/vault-2 is sealed',
        source: 'prod-eu/vault-2',
        severity: 'critical',
        timestamp: '2026-11-22T10:05:00.000Z',
        component: 'vault-2',
        group: 'prod-eu',
        class: 'node.sealed',
        custom_details: {
          message: notification().message,
          notification: 'trigger',
          opened_at: '2026-11-22T10:00:00.000Z',
          dedup_key: 'sealwatch:prod-eu:vault-2:node.sealed',
          evidence: { httpStatus: 503, sealed: true, shareIndexes: [1, 2, 3], version: '1.19.0', lastError: null },
        },
      },
      links: [{ href: 'https://runbooks.example/vault-sealed', text: 'Runbook' }],
    });
  });

  it.each([
    ['critical', 'critical'],
    ['warning', 'warning'],
    ['info', 'info'],
  ] as const)('maps severity %s to %s', async (severity, expected) => {
    const body = await sent(notification({ severity }));
    expect((body.payload as { severity: string }).severity).toBe(expected);
  });

  it('sends a reminder as another trigger with the same dedup key', async () => {
    const body = await sent(notification({ kind: 'reminder' }));
    expect(body.event_action).toBe('trigger');
    expect(body.dedup_key).toBe('sealwatch:prod-eu:vault-2:node.sealed');
    expect((body.payload as { summary: string }).summary).toBe('Reminder: prod-eu/vault-2 is sealed');
  });

  it('resolves with routing key and dedup key only', async () => {
    expect(await sent(notification({ kind: 'resolve' }))).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'sealwatch:prod-eu:vault-2:node.sealed',
    });
  });

  it('names the cluster as source and component "cluster" for cluster-wide conditions', async () => {
    const body = await sent(clusterNotification({ links: [] }));
    expect(body.payload).toMatchObject({ source: 'prod-eu', component: 'cluster', class: 'cluster.no-active' });
    expect(body).not.toHaveProperty('links');
  });

  it('keeps summary ≤ 1024 and a long dedup key ≤ 255, distinct and stable', async () => {
    const prefix = `sealwatch:${'c'.repeat(300)}`;
    const a = await sent(notification({ title: 'x'.repeat(5000), dedupKey: `${prefix}:a` }));
    const b = await sent(notification({ dedupKey: `${prefix}:b` }));
    const again = await sent(notification({ kind: 'resolve', dedupKey: `${prefix}:a` }));
    const summary = (a.payload as { summary: string }).summary;
    expect(summary.length).toBe(PAGERDUTY_LIMITS.summary);
    expect(summary.endsWith('…')).toBe(true);
    expect(String(a.dedup_key).length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
    expect(String(b.dedup_key).length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
    expect(a.dedup_key).not.toBe(b.dedup_key);
    expect(again.dedup_key).toBe(a.dedup_key);
  });

  it("reports PagerDuty's 400 message and does not retry", async () => {
    sink.setScript([
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is invalid"] }),
      },
    ]);
    const result = await channel().send(notification(), new AbortController().signal);
    expect(result).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      error: "HTTP 400: Event object is invalid; 'routing_key' is invalid",
    });
  });
});
