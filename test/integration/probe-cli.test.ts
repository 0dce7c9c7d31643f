import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../functions/cli/io.ts';
import { probeCommand } from '../../functions/cli/commands/probe.ts';
import { observeNode } from '../../shared/app/observe-node.ts';
import type { HealthResponse, SealStatus } from '../../shared/core/vault-types.ts';
import { VaultApiError, VaultUnreachableError } from '../../shared/errors.ts';
import type { CallOptions, VaultClient } from '../../shared/ports/vault-client.ts';
import { createTestPki } from '../../shared/simulator/test-pki.ts';

// `sealwatch probe` argument handling and output against small raw servers, and observeNode's
// failure handling with an injected client. The simulator-based acceptance test is probe.test.ts.

function fakeIo(cwd = process.cwd()): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      readStdin: async () => '',
      env: {},
      cwd,
    },
    out: () => out,
    err: () => err,
  };
}

const SEAL = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 3,
  n: 5,
  progress: 0,
  nonce: '',
  version: '1.16.3',
  build_date: '2024-05-29T14:28:42Z',
  migration: false,
  cluster_name: 'vault-cluster-1',
  cluster_id: 'cid-1',
  recovery_seal: false,
  storage_type: 'raft',
};
const HEALTH = {
  initialized: true,
  sealed: false,
  standby: false,
  performance_standby: false,
  replication_performance_mode: 'disabled',
  replication_dr_mode: 'disabled',
  server_time_utc: 1,
  version: '1.16.3',
  cluster_name: 'vault-cluster-1',
  cluster_id: 'cid-1',
};

const servers: http.Server[] = [];
const sockets = new Set<net.Socket>();
let dir: string;
let vaultUrl: string;
let noSealStatusUrl: string;
let tlsUrl: string;
let caFile: string;
let closedUrl: string;

function vaultLike(routes: Record<string, [number, unknown]>): http.RequestListener {
  return (req, res) => {
    const [status, body] = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? [404, { errors: [] }];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}

async function serve(server: http.Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-probe-'));
  const routes = { '/v1/sys/health': [200, HEALTH], '/v1/sys/seal-status': [200, SEAL] } as Record<string, [number, unknown]>;
  vaultUrl = `http://127.0.0.1:${await serve(http.createServer(vaultLike(routes)))}`;
  // Health looks fine but seal-status answers a Vault-shaped 404: not a Vault we can classify.
  noSealStatusUrl = `http://127.0.0.1:${await serve(http.createServer(vaultLike({ '/v1/sys/health': [200, HEALTH] })))}`;
  const pki = await createTestPki();
  const leaf = await pki.issue(['127.0.0.1']);
  tlsUrl = `https://127.0.0.1:${await serve(https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, vaultLike(routes)))}`;
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, pki.caPem);
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `https://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('probe: usage errors exit 1', () => {
  it.each([
    ['no URL', [], /at least one node URL/],
    ['unknown flag', ['https://127.0.0.1:8200', '--bogus'], /--bogus/],
    ['http without --insecure-http', ['http://127.0.0.1:8200'], /http:\/\/127\.0\.0\.1:8200 is plain http:\/\/.*--insecure-http/],
    ['not a URL', ['vault-0:8200x'], /vault-0:8200x/],
    ['ftp URL', ['ftp://127.0.0.1'], /ftp:\/\/127\.0\.0\.1 must be an https/],
    ['bad timeout', ['https://127.0.0.1:8200', '--timeout', '5s'], /--timeout/],
    ['zero timeout', ['https://127.0.0.1:8200', '--timeout', '0'], /--timeout/],
    ['--ca without a value', ['https://127.0.0.1:8200', '--ca'], /--ca/],
  ])('%s', async (_name, argv, message) => {
    const { io, out, err } = fakeIo();
    expect(await probeCommand(argv as string[], io)).toBe(1);
    expect(err()).toMatch(message);
    expect(err()).toContain('usage: sealwatch probe');
    expect(out()).toBe('');
  });

  it('an unreadable --ca file exits 1 naming it', async () => {
    const { io, err } = fakeIo(dir);
    expect(await probeCommand([tlsUrl, '--ca', 'missing.pem'], io)).toBe(1);
    expect(err()).toContain('missing.pem');
  });

  it('a --ca file without a certificate exits 1', async () => {
    await writeFile(join(dir, 'junk.pem'), 'hello');
    const { io, err } = fakeIo(dir);
    expect(await probeCommand([tlsUrl, '--ca', 'junk.pem'], io)).toBe(1);
    expect(err()).toContain('no PEM certificate');
  });

  it('--help prints usage and exits 0', async () => {
    const { io, out } = fakeIo();
    expect(await probeCommand(['--help'], io)).toBe(0);
    expect(out()).toContain('--insecure-http');
  });
});

describe('probe: output', () => {
  it('--json: one object per URL in argument order, fixed keys, exit 2 when one is unreachable', async () => {
    const { io, out } = fakeIo();
    const code = await probeCommand([closedUrl, vaultUrl, '--insecure-http', '--json'], io);
    expect(code).toBe(2);
    const results = JSON.parse(out()) as Record<string, unknown>[];
    expect(results.map((r) => r['url'])).toEqual([closedUrl, vaultUrl]);
    expect(Object.keys(results[1] ?? {})).toEqual([
      'url',
      'state',
      'initialized',
      'sealed',
      'sealType',
      'recoverySeal',
      'threshold',
      'shares',
      'progress',
      'version',
      'clusterId',
      'clusterName',
      'storageType',
      'httpStatus',
      'error',
    ]);
    expect(results[1]).toMatchObject({
      state: 'active',
      sealType: 'shamir',
      threshold: 3,
      shares: 5,
      version: '1.16.3',
      clusterId: 'cid-1',
      httpStatus: 200,
      error: null,
    });
    expect(results[0]).toMatchObject({ state: 'unreachable', httpStatus: null, error: { reason: 'refused' } });
    expect((results[0]?.['error'] as { message: string } | undefined)?.message).toContain('ECONNREFUSED');
  });

  it('exit 0 when every node was reached', async () => {
    const { io } = fakeIo();
    expect(await probeCommand([vaultUrl, '--insecure-http', '--json'], io)).toBe(0);
  });

  it('prints an aligned table without --json', async () => {
    const { io, out } = fakeIo();
    await probeCommand([vaultUrl, closedUrl, '--insecure-http'], io);
    const lines = out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const [header, active, down] = lines as [string, string, string];
    expect(header).toMatch(/^URL\s+STATE\s+SEAL\s+T\/N\s+PROGRESS\s+VERSION\s+STORAGE\s+CLUSTER\s+HTTP\s+ERROR$/);
    const col = header.indexOf('STATE');
    expect(active.slice(col)).toMatch(/^active\s/);
    expect(down.slice(col)).toMatch(/^unreachable\s/);
    expect(active.slice(header.indexOf('T/N'))).toMatch(/^3\/5\s/);
    expect(active.slice(header.indexOf('CLUSTER'))).toMatch(/^vault-cluster-1\s/);
    expect(down.slice(header.indexOf('ERROR'))).toMatch(/^refused: .*ECONNREFUSED/);
  });

  it('--ca makes a node signed by that CA reachable; without it TLS fails', async () => {
    const withCa = fakeIo(dir);
    expect(await probeCommand([tlsUrl, '--ca', 'ca.pem', '--json'], withCa.io)).toBe(0);
    expect(JSON.parse(withCa.out())[0]).toMatchObject({ state: 'active' });

    const without = fakeIo();
    expect(await probeCommand([tlsUrl, '--json'], without.io)).toBe(2);
    expect(JSON.parse(without.out())[0]).toMatchObject({ state: 'unreachable', error: { reason: 'tls' } });
  });

  it('a Vault-shaped error on seal-status counts as bad-response', async () => {
    const { io, out } = fakeIo();
    expect(await probeCommand([noSealStatusUrl, '--insecure-http', '--json'], io)).toBe(2);
    const [result] = JSON.parse(out()) as { state: string; error: { reason: string; message: string } }[];
    expect(result?.state).toBe('unreachable');
    expect(result?.error.reason).toBe('bad-response');
    expect(result?.error.message).toContain('/v1/sys/seal-status');
  });
});

// --- observeNode with an injected client ------------------------------------------------------
const sealStatus: SealStatus = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 3,
  n: 5,
  progress: 0,
  nonce: '',
  version: '1.16.3',
  migration: false,
  recoverySeal: false,
};
const healthOk: HealthResponse = { status: 200, body: { initialized: true, sealed: false, standby: false, version: '1.16.3' } };

function fakeClient(parts: { health?: (o?: CallOptions) => Promise<HealthResponse>; sealStatus?: (o?: CallOptions) => Promise<SealStatus> }): VaultClient {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    target: { url: 'https://fake:8200' },
    health: parts.health ?? (async () => healthOk),
    sealStatus: parts.sealStatus ?? (async () => sealStatus),
    unseal: unused,
    initStatus: unused,
    init: unused,
    seal: unused,
    leader: unused,
    haStatus: unused,
    raftJoin: unused,
    raftConfiguration: unused,
    raftRemovePeer: unused,
    autopilotState: unused,
    autopilotConfiguration: unused,
    setAutopilotConfiguration: unused,
    sealBackendStatus: unused,
  };
}

/** Settles only when the signal aborts, like a hung node behind a client honouring its deadline. */
function hang(o?: CallOptions): Promise<never> {
  return new Promise((_, reject) => {
    o?.signal?.addEventListener('abort', () => reject(new VaultUnreachableError('timeout', 'GET x: no complete answer before the deadline')));
  });
}

describe('observeNode', () => {
  it('records both answers, the start time and the duration from the injected clock', async () => {
    let t = 1_000;
    const observation = await observeNode(fakeClient({}), { timeoutMs: 1000, now: () => (t += 7) });
    expect(observation).toEqual({ at: 1_007, durationMs: 7, health: healthOk, sealStatus });
  });

  it('asks health without overrides so the status code carries the state', async () => {
    const seen: unknown[] = [];
    await observeNode(fakeClient({ health: async (o) => (seen.push(o), healthOk) }), { timeoutMs: 1000, now: () => 0 });
    expect(seen[0]).not.toHaveProperty('query');
    expect(seen[0]).not.toHaveProperty('method');
  });

  it('a VaultApiError on seal-status becomes bad-response; the health answer is kept', async () => {
    const observation = await observeNode(fakeClient({ sealStatus: () => Promise.reject(new VaultApiError(404, [], '/v1/sys/seal-status')) }), {
      timeoutMs: 1000,
      now: () => 0,
    });
    expect(observation.error?.reason).toBe('bad-response');
    expect(observation.health).toEqual(healthOk);
    expect(observation.sealStatus).toBeUndefined();
  });

  it('when both fail, the health failure is reported', async () => {
    const observation = await observeNode(
      fakeClient({
        health: () => Promise.reject(new VaultUnreachableError('tls', 'GET x: certificate is not signed by the cluster CA (X)')),
        sealStatus: () => Promise.reject(new VaultUnreachableError('refused', 'y')),
      }),
      { timeoutMs: 1000, now: () => 0 },
    );
    expect(observation.error).toEqual({ reason: 'tls', message: 'GET x: certificate is not signed by the cluster CA (X)' });
  });

  it('an unexpected exception never escapes', async () => {
    const observation = await observeNode(fakeClient({ health: () => Promise.reject(new TypeError('boom')) }), { timeoutMs: 1000, now: () => 0 });
    expect(observation.error).toEqual({ reason: 'bad-response', message: 'TypeError: boom' });
  });

  it('both calls share one deadline', async () => {
    const started = performance.now();
    const observation = await observeNode(fakeClient({ health: hang, sealStatus: hang }), { timeoutMs: 150, now: () => 0 });
    expect(performance.now() - started).toBeLessThan(600);
    expect(observation.error?.reason).toBe('timeout');
    expect(observation.error?.message).toContain('(150 ms)');
  });
});
