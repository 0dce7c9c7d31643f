import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAlertChannel, SLACK_LIMITS } from '../../../../shared/adapters/slack-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';
import { clusterNotification, json, notification } from './channel-fixtures.ts';

const PATH = '/services/T0SEALW4TCH/B0ALERTS42/xoxWebhookToken123456789';

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[]; elements?: { text: string }[] }[];
}

describe('slack alert channel', () => {
  let sink: SinkServer;
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: { status: 200, body: 'ok' } });
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(() => {
    sink.requests.length = 0;
    sink.setScript([]);
  });

  const channel = () => createSlackAlertChannel({ id: 'slack-oncall', webhookUrl: new Secret(`${sink.url}${PATH}`) });
  async function sent(n: Notification): Promise<SlackBody> {
    const result = await channel().send(n, new AbortController().signal);
    expect(result).toEqual({ ok: true, status: 200 });
    const request = sink.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(PATH);
    expect(request?.headers['content-type']).toBe('application/json');
    return json(request?.body ?? '') as SlackBody;
  }

  it('posts a trigger as Block Kit with a fallback text', async () => {
    const body = await sent(notification());
    expect(body.text).toBe(':rotating_light: prod-eu/vault-2 is sealed');
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'prod-eu/vault-2 is sealed', emoji: true } });
    expect(body.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: notification().message } });
    expect(body.blocks[2]?.fields?.map((f) => f.text)).toEqual([
      '*Cluster*\nprod-eu',
      '*Node*\nvault-2',
      '*Severity*\ncritical',
      '*Finding*\nnode.sealed',
      '*Since*\n2026-11-22T10:00:00.000Z',
    ]);
    expect(body.blocks[3]?.text?.text).toBe('*Evidence*\n• httpStatus: 503\n• sealed: true\n• shareIndexes: 1, 2, 3\n• version: 1.19.0\n• lastError: -');
    expect(body.blocks[4]?.text?.text).toBe('<https://runbooks.example/vault-sealed|Runbook>');
    expect(body.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'sealwatch · trigger · dedup: sealwatch:prod-eu:vault-2:node.sealed' }],
    });
  });

  it('marks a reminder and keeps the dedup key', async () => {
    const body = await sent(notification({ kind: 'reminder' }));
    expect(body.blocks[0]?.text?.text).toBe('Reminder: prod-eu/vault-2 is sealed');
    expect(body.text).toBe(':rotating_light: Reminder: prod-eu/vault-2 is sealed');
    expect(body.blocks.at(-1)?.elements?.[0]?.text).toContain('reminder · dedup: sealwatch:prod-eu:vault-2:node.sealed');
  });

  it('resolves with a follow-up message naming the same dedup key', async () => {
    const body = await sent(notification({ kind: 'resolve', severity: 'critical', title: 'prod-eu/vault-2 is unsealed again' }));
    expect(body.text).toBe(':white_check_mark: Resolved: prod-eu/vault-2 is unsealed again');
    expect(body.blocks[2]?.fields?.at(-1)?.text).toBe('*Resolved at*\n2026-11-22T10:05:00.000Z');
    expect(body.blocks.at(-1)?.elements?.[0]?.text).toBe('sealwatch · resolve · dedup: sealwatch:prod-eu:vault-2:node.sealed');
  });

  it('omits the node field for cluster-wide conditions and shows warnings with their own emoji', async () => {
    const body = await sent(clusterNotification({ severity: 'warning', links: [] }));
    expect(body.text.startsWith(':warning: ')).toBe(true);
    expect(body.blocks[2]?.fields?.map((f) => f.text.split('\n')[0])).toEqual(['*Cluster*', '*Severity*', '*Finding*', '*Since*']);
  });

  it('escapes mrkdwn control characters', async () => {
    const body = await sent(notification({ message: 'a <b> & c', title: 'x <!channel> y' }));
    expect(body.blocks[1]?.text?.text).toBe('a &lt;b&gt; &amp; c');
    expect(body.text).toContain('x &lt;!channel&gt; y');
    // plain_text headers are not mrkdwn: shown as written
    expect(body.blocks[0]?.text?.text).toBe('x <!channel> y');
  });

  it('truncates to Block Kit limits on code-point boundaries', async () => {
    const long = '🔥'.repeat(2000); // 4000 UTF-16 units
    const evidence: Notification['evidence'] = {};
    for (let i = 0; i < 400; i++) evidence[`key${i}`] = 'v'.repeat(50);
    const body = await sent(notification({ title: `${'t'.repeat(149)}🔥tail`, message: long, evidence }));
    const header = body.blocks[0]?.text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    expect(header.endsWith('…')).toBe(true);
    expect(header).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone high surrogate
    const section = body.blocks[1]?.text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    expect(section.endsWith('🔥…')).toBe(true);
    expect(body.blocks[3]?.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(body.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  });

  it('records a plain-text 400 (invalid_payload) without retrying', async () => {
    sink.setScript([{ status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid_payload' }]);
    const result = await channel().send(notification(), new AbortController().signal);
    expect(result).toEqual({ ok: false, retryable: false, status: 400, error: 'HTTP 400: invalid_payload' });
  });

  it('treats no_service (webhook removed) as permanent', async () => {
    sink.setScript([{ status: 404, body: 'no_service' }]);
    const result = await channel().send(notification(), new AbortController().signal);
    expect(result).toEqual({ ok: false, retryable: false, status: 404, error: 'HTTP 404: no_service' });
  });

  it('treats channel_is_archived (410) as permanent', async () => {
    sink.setScript([{ status: 410, body: 'channel_is_archived' }]);
    const result = await channel().send(notification(), new AbortController().signal);
    expect(result).toMatchObject({ ok: false, retryable: false, status: 410 });
  });
});
