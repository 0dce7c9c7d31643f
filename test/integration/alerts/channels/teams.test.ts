import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsAlertChannel, TEAMS_MAX_BYTES } from '../../../../shared/adapters/teams-alert-channel.ts';
import { Secret } from '../../../../shared/config/secret.ts';
import type { Notification } from '../../../../shared/ports/alert-channel.ts';
import { startSinkServer, type SinkServer } from '../../../support/sink-server.ts';
import { json, notification } from './channel-fixtures.ts';

const SIG = 'Zk9sWorkflowSasSignature0123456789abcdef';
const PATH = `/workflows/4c1d0e/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

interface Card {
  type: string;
  version: string;
  body: { type: string; text?: string; color?: string; facts?: { title: string; value: string }[] }[];
  actions?: { type: string; title: string; url: string }[];
}
interface TeamsBody {
  type: string;
  attachments: { contentType: string; contentUrl: null; content: Card }[];
}

describe('teams alert channel', () => {
  let sink: SinkServer;
  beforeAll(async () => {
    sink = await startSinkServer({ fallback: { status: 202 } });
  });
  afterAll(async () => {
    await sink.close();
  });
  beforeEach(() => {
    sink.requests.length = 0;
    sink.setScript([]);
  });

  const channel = () => createTeamsAlertChannel({ id: 'teams', webhookUrl: new Secret(`${sink.url}${PATH}`) });
  async function sent(n: Notification): Promise<{ raw: string; body: TeamsBody; card: Card }> {
    expect(await channel().send(n, new AbortController().signal)).toEqual({ ok: true, status: 202 });
    const request = sink.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(PATH);
    const raw = request?.body ?? '';
    const body = json(raw) as TeamsBody;
    const card = body.attachments[0]?.content as Card;
    return { raw, body, card };
  }

  it('posts an Adaptive Card 1.4 in a message envelope for a trigger', async () => {
    const { body } = await sent(notification());
    expect(body).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', size: 'Large', weight: 'Bolder', wrap: true, color: 'Attention', text: 'prod-eu/vault-2 is sealed' },
              { type: 'TextBlock', wrap: true, text: notification().message },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Cluster', value: 'prod-eu' },
                  { title: 'Node', value: 'vault-2' },
                  { title: 'Severity', value: 'critical' },
                  { title: 'Finding', value: 'node.sealed' },
                  { title: 'Since', value: '2026-11-22T10:00:00.000Z' },
                  { title: 'Dedup key', value: 'sealwatch:prod-eu:vault-2:node.sealed' },
                  { title: 'httpStatus', value: '503' },
                  { title: 'sealed', value: 'true' },
                  { title: 'shareIndexes', value: '1, 2, 3' },
                  { title: 'version', value: '1.19.0' },
                  { title: 'lastError', value: '-' },
                ],
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Runbook', url: 'https://runbooks.example/vault-sealed' }],
          },
        },
      ],
    });
  });

  it('marks reminders, colours warnings', async () => {
    const { card } = await sent(notification({ kind: 'reminder', severity: 'warning' }));
    expect(card.body[0]).toMatchObject({ text: 'Reminder: prod-eu/vault-2 is sealed', color: 'Warning' });
  });

  it('resolves with a green "Resolved" card', async () => {
    const { card } = await sent(notification({ kind: 'resolve' }));
    expect(card.body[0]).toMatchObject({ text: 'Resolved: prod-eu/vault-2 is sealed', color: 'Good' });
    expect(card.body.at(-1)?.facts).toContainEqual({ title: 'Resolved at', value: '2026-11-22T10:05:00.000Z' });
  });

  it('shrinks an oversized card below ~28 KB: fewer facts first, then a shorter message', async () => {
    const evidence: Notification['evidence'] = {};
    for (let i = 0; i < 300; i++) evidence[`key${i}`] = 'ü'.repeat(400);
    const { raw, card } = await sent(notification({ message: '漢'.repeat(9000), evidence }));
    expect(Buffer.byteLength(raw, 'utf8')).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const facts = card.body.find((b) => b.type === 'FactSet')?.facts ?? [];
    expect(facts.slice(0, 6).map((f) => f.title)).toEqual(['Cluster', 'Node', 'Severity', 'Finding', 'Since', 'Dedup key']);
    expect(facts.at(-1)?.value).toMatch(/^\d+ more evidence entries omitted \(size limit\)$/);
    const shown = facts.length - 7;
    expect(Number(facts.at(-1)?.value.split(' ')[0])).toBe(300 - shown);
  });

  it('truncates a message on its own when it alone is too large', async () => {
    const { raw, card } = await sent(notification({ message: '😀'.repeat(20_000), evidence: {} }));
    expect(Buffer.byteLength(raw, 'utf8')).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const text = card.body[1]?.text ?? '';
    expect(text.endsWith('😀…')).toBe(true);
  });
});
