import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.ts';
import type { CliIo } from '../../../functions/cli/io.ts';
import { startSinkServer, type SinkServer } from '../../support/sink-server.ts';

// The alerting commands in-process, with a real config file (a webhook channel into a recording
// sink), the embedded store on disk, and a node that refuses connections so sweeps find it
// unreachable.

let dir: string;
let sink: SinkServer;
const env = { HOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`, SEALWATCH_LOG_LEVEL: 'silent' };

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => '', env, cwd: dir };
  const code = await main([...argv, '--config', join(dir, 'sealwatch.json')], io);
  return { code, out, err };
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-alerts-cli-'));
  sink = await startSinkServer({ fallback: { status: 204 } });
  const port = await closedPort();
  await writeFile(
    join(dir, 'sealwatch.json'),
    JSON.stringify({
      state: { embedded: { path: './state' } },
      sweep: { nodeTimeoutMs: 1000 },
      clusters: [{ id: 'prod', nodes: [{ id: 'vault-0', url: `http://127.0.0.1:${port}`, insecureHttp: true }] }],
      channels: [
        { id: 'hook', webhook: { url: `${sink.url}/hook`, secret: '${env:HOOK_SECRET}' } },
        { id: 'gone', webhook: { url: `${sink.url}/gone`, secret: '${env:HOOK_SECRET}' } },
      ],
      alerts: { routes: [{ channels: ['hook'], minSeverity: 'warning' }] },
    }),
  );
});

afterAll(async () => {
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sealwatch alerts / incidents / silence', () => {
  it('alerts test sends a test notification and reports the answer', async () => {
    const ok = await run('alerts', 'test', '--channel', 'hook', '--json');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ channel: 'hook', delivered: true, outcomes: [{ state: 'delivered', status: 204 }] });
    const body = JSON.parse(sink.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain('test');
    expect(sink.requests.at(-1)?.headers['webhook-signature']).toMatch(/^v1,/);

    sink.setScript([{ status: 400, body: 'bad' }], { status: 204 });
    const bad = await run('alerts', 'test', '--channel', 'gone');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/gone: failed \(HTTP 400\)/);

    const unknown = await run('alerts', 'test', '--channel', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no channel "nope"');
  });

  it('incidents lists an incident opened by sweeps with its delivery per channel', async () => {
    sink.requests.length = 0;
    const KEY = 'sealwatch:prod:vault-0:node.unreachable';
    type Listed = { incidents: { dedupKey: string; status: string }[] };
    const find = (listed: Listed) => listed.incidents.filter((i) => i.dedupKey === KEY);
    // node.unreachable is a warning: pending after one sweep, open (and paged) after two.
    expect((await run('sweep', '--once', '--json')).code).toBe(0);
    expect(find(JSON.parse((await run('incidents', '--all', '--json')).out) as Listed).map((i) => i.status)).toEqual(['pending']);
    expect(find(JSON.parse((await run('incidents', '--json')).out) as Listed)).toEqual([]);
    const pagesAfterOne = sink.requests.length;

    expect((await run('sweep', '--once', '--json')).code).toBe(0);
    const listed = await run('incidents', '--json');
    expect(listed.code).toBe(0);
    expect(find(JSON.parse(listed.out) as Listed)).toMatchObject([
      {
        status: 'open',
        severity: 'warning',
        deliveries: [{ channel: 'hook', kind: 'trigger', state: 'delivered', attempts: 1, lastStatus: 204 }],
      },
    ]);
    // One more page (this condition's trigger), and every page went to the routed channel only.
    expect(sink.requests.length).toBe(pagesAfterOne + 1);
    expect(sink.requests.at(-1)?.body).toContain(KEY);
    expect(new Set(sink.requests.map((r) => r.path))).toEqual(new Set(['/hook']));
    const text = await run('incidents');
    expect(text.out).toMatch(/WARNING\s+prod\/vault-0\s+node\.unreachable/);
    expect(text.out).toMatch(/→ hook: trigger delivered HTTP 204, 1 attempt/);
  });

  it('silence add, list and remove, with author and comment; incidents show the silence and can be acknowledged', async () => {
    const KEY = 'sealwatch:prod:vault-0:node.unreachable';
    const added = await run(
      'silence',
      'add',
      '--cluster',
      'prod',
      '--node',
      'vault-0',
      '--finding',
      'node.unreachable',
      '--for',
      '2h',
      '--comment',
      'CHG-7 maintenance',
      '--author',
      'alice',
      '--json',
    );
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    const silence = JSON.parse(added.out) as { id: string; expiresAt: string; createdAt: string; createdBy: string; comment: string };
    expect(Date.parse(silence.expiresAt) - Date.parse(silence.createdAt)).toBe(2 * 3_600_000);
    expect([silence.createdBy, silence.comment]).toEqual(['alice', 'CHG-7 maintenance']);

    const listed = await run('silence', 'list');
    expect(listed.out).toContain(silence.id);
    expect(listed.out).toMatch(/alice\s+CHG-7 maintenance/);
    expect(JSON.parse((await run('silence', 'list', '--json')).out).silences).toHaveLength(1);

    // The open incident of the previous test names the silence that mutes it.
    type Listed = { incidents: { dedupKey: string; silencedBy: { id: string } | null; acknowledged?: { by: string; comment?: string } }[] };
    const incident = async () => (JSON.parse((await run('incidents', '--json')).out) as Listed).incidents.find((i) => i.dedupKey === KEY);
    expect((await incident())?.silencedBy?.id).toBe(silence.id);
    expect((await run('incidents')).out).toContain(`silenced by ${silence.id}`);

    const ack = await run('incidents', 'ack', KEY, '--author', 'bob', '--comment', 'looking');
    expect([ack.code, ack.err]).toEqual([0, '']);
    expect(ack.out).toContain(`acknowledged ${KEY} (by bob`);
    expect((await incident())?.acknowledged).toMatchObject({ by: 'bob', comment: 'looking' });
    expect((await run('incidents', 'ack', 'sealwatch:prod:-:node.removed')).code).toBe(2);

    // The OS user is the default author; --reason is the comment's old name.
    const byOsUser = JSON.parse((await run('silence', 'add', '--cluster', 'prod', '--for', '1h', '--reason', 'legacy flag', '--json')).out) as {
      id: string;
      createdBy: string;
      comment: string;
    };
    expect(byOsUser.createdBy).toBe(userInfo().username);
    expect(byOsUser.comment).toBe('legacy flag');

    for (const id of [silence.id, byOsUser.id]) expect((await run('silence', 'remove', id)).code).toBe(0);
    expect((await run('silence', 'list')).out).toBe('no active silences\n');
    expect((await run('silence', 'remove', silence.id)).code).toBe(2);
  });

  it('rejects bad silence arguments with usage errors', async () => {
    expect((await run('silence', 'add', '--cluster', 'prod', '--for', 'soon', '--comment', 'c')).err).toContain('--for must be a duration');
    expect((await run('silence', 'add', '--cluster', 'nope', '--for', '1h', '--comment', 'c')).err).toContain('no cluster "nope"');
    expect((await run('silence', 'add', '--cluster', 'prod', '--node', 'x', '--for', '1h', '--comment', 'c')).code).toBe(1);
    expect((await run('silence', 'add', '--cluster', 'prod')).code).toBe(1);
    const noComment = await run('silence', 'add', '--cluster', 'prod', '--for', '1h');
    expect([noComment.code, noComment.err]).toEqual([1, expect.stringContaining('--comment is required')]);
    const typo = await run('silence', 'add', '--cluster', 'prod', '--for', '1h', '--comment', 'c', '--finding', 'node.seald');
    expect([typo.code, typo.err]).toEqual([1, expect.stringContaining('did you mean node.sealed')]);
    expect(JSON.parse((await run('silence', 'list', '--json')).out).silences).toEqual([]);
  });
});
