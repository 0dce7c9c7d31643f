import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStateStore } from '../../../shared/adapters/embedded-dynamo.ts';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createSlackAlertChannel } from '../../../shared/adapters/slack-alert-channel.ts';
import { createOutbox } from '../../../shared/app/outbox.ts';
import { createOutboxDrain } from '../../../shared/app/outbox-drain.ts';
import { Secret } from '../../../shared/config/secret.ts';
import { notificationOf } from '../../../shared/core/incidents/evaluate.ts';
import type { StateStore } from '../../../shared/ports/state-store.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startSinkServer, type SinkServer } from '../../support/sink-server.ts';

// A process that dies after writing the outbox (or after claiming an entry) and before sending:
// a new process over the same on-disk store still delivers, once.

const DAY = 86_400_000;
let dir: string;
let sink: SinkServer;
const clock = new FakeClock({ start: Date.UTC(2026, 10, 22, 12) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-outbox-'));
  sink = await startSinkServer({ fallback: { status: 200, body: 'ok' } });
});
afterAll(async () => {
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

/** One "process": its own store instance over the directory, outbox and drain. */
async function processOver(owner: string) {
  const store: StateStore = await createEmbeddedStateStore({ path: dir, clock });
  const outbox = createOutbox({ store, clock, giveUpAfterMs: DAY });
  const slack = createSlackAlertChannel({ id: 'slack', webhookUrl: new Secret(`${sink.url}/services/T/B/crashtestpath`) });
  const drain = createOutboxDrain({ outbox, channels: () => [slack], clock, logger: silentLogger, giveUpAfterMs: DAY, owner, deliveryTimeoutMs: 5_000 });
  return { store, outbox, drain };
}

const iso = () => new Date(clock.now()).toISOString();
const note = (node: string) =>
  notificationOf(
    'trigger',
    {
      dedupKey: `sealwatch:prod:${node}:node.sealed`,
      cluster: 'prod',
      node,
      findingId: 'node.sealed',
      severity: 'critical',
      message: `${node} is sealed`,
      evidence: {},
      openedAt: iso(),
    },
    iso(),
  );

describe('outbox durability', () => {
  it('delivers on the next drain what a killed process wrote but never sent', async () => {
    const first = await processOver('p1');
    await first.outbox.enqueue(note('vault-0'), ['slack']);
    await first.store.close(); // killed before its drain ran

    const second = await processOver('p2');
    try {
      expect(await second.drain.run()).toMatchObject({ delivered: 1 });
      expect(sink.requests).toHaveLength(1);
      expect(await second.drain.run()).toMatchObject({ attempted: 0 });
      expect(sink.requests).toHaveLength(1);
    } finally {
      await second.store.close();
    }
  });

  it('a claim left by a process killed before sending expires and the entry is delivered once', async () => {
    sink.requests.length = 0;
    const first = await processOver('p1');
    await first.outbox.enqueue(note('vault-1'), ['slack']);
    const [item] = (await first.outbox.list()).filter((i) => i.data.state === 'pending');
    if (!item) throw new Error('nothing enqueued');
    expect(await first.outbox.claim(item, 'p1', clock.now() + 30_000)).not.toBeNull();
    await first.store.close(); // killed between the claim and the send

    const second = await processOver('p2');
    try {
      // The claim still holds: nothing is sent twice while p1 could still be sending.
      expect(await second.drain.run()).toMatchObject({ attempted: 0 });
      expect(sink.requests).toHaveLength(0);
      clock.advance(30_001);
      expect(await second.drain.run()).toMatchObject({ delivered: 1 });
      expect(sink.requests).toHaveLength(1);
      expect(sink.requests[0]?.body).toContain('vault-1');
    } finally {
      await second.store.close();
    }
  });
});
