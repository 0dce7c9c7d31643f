import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { ValidationError, VaultUnreachableError } from '../../shared/errors.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { createTestPki, type TestPki } from '../../shared/simulator/test-pki.ts';

// Transport behaviour of the Vault HTTP adapter against raw node:http(s)/net servers on loopback:
// TLS verification, SNI, pooling, deadlines, size limits and connection faults.

const SEAL_STATUS = {
  type: 'shamir',
  initialized: true,
  sealed: false,
  t: 3,
  n: 5,
  progress: 0,
  nonce: '',
  version: '1.19.0',
  build_date: '2025-03-04T12:00:00Z',
  migration: false,
  cluster_name: 'vault-cluster-f090409a',
  cluster_id: 'ebdd80fb-0c7f-bce9-f9b9-a0fa86aa3249',
  recovery_seal: false,
  storage_type: 'raft',
  removed_from_cluster: false,
};

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: (http.Server | net.Server)[] = [];
const sockets = new Set<net.Socket>();

function track<S extends http.Server | net.Server>(server: S): S {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return server;
}

async function listen(server: http.Server | net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function startHttps(tls: { certPem: string; keyPem: string }, handler: Handler): Promise<{ port: number; server: https.Server }> {
  const server = track(https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler));
  return { port: await listen(server), server };
}

async function expectUnreachable(promise: Promise<unknown>): Promise<VaultUnreachableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultUnreachableError);
  return error as VaultUnreachableError;
}

let clusterPki: TestPki;
let otherPki: TestPki;
let factory: VaultClientFactory;
let vaultPort: number;
let sniPort: number;
let otherCaPort: number;
const sniSeen: (string | false | null)[] = [];
let connections = 0;

beforeAll(async () => {
  [clusterPki, otherPki] = await Promise.all([createTestPki(), createTestPki({ commonName: 'rogue CA' })]);
  const [loopbackCert, sniCert, foreignCert] = await Promise.all([
    clusterPki.issue(['127.0.0.1', 'localhost']),
    clusterPki.issue(['vault.internal']),
    otherPki.issue(['127.0.0.1']),
  ]);
  factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });

  const vault = await startHttps(loopbackCert, (req, res) => json(res, 200, SEAL_STATUS));
  vaultPort = vault.port;
  vault.server.on('secureConnection', () => connections++);

  const sni = await startHttps(sniCert, (req, res) => {
    sniSeen.push((req.socket as TLSSocket).servername);
    json(res, 200, SEAL_STATUS);
  });
  sniPort = sni.port;
  otherCaPort = (await startHttps(foreignCert, (req, res) => json(res, 200, SEAL_STATUS))).port;
});

afterAll(async () => {
  await factory?.close();
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

describe('TLS verification', () => {
  it('talks to a node whose certificate chains to the cluster CA', async () => {
    const client = factory.client({ url: `https://127.0.0.1:${vaultPort}`, caPem: clusterPki.caPem });
    const status = await client.sealStatus();
    expect(status.clusterId).toBe(SEAL_STATUS.cluster_id);
  });

  it('refuses a certificate signed by another CA, saying so', async () => {
    const client = factory.client({ url: `https://127.0.0.1:${otherCaPort}`, caPem: clusterPki.caPem });
    const error = await expectUnreachable(client.sealStatus());
    expect(error.reason).toBe('tls');
    expect(error.message).toContain('certificate is not signed by the cluster CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(error.message).toContain(`https://127.0.0.1:${otherCaPort}/v1/sys/seal-status`);
  });

  it('refuses a certificate that Node’s default CAs do not trust when no CA is given', async () => {
    const error = await expectUnreachable(factory.client({ url: `https://127.0.0.1:${vaultPort}` }).sealStatus());
    expect(error.reason).toBe('tls');
    expect(error.message).toContain('not signed by a trusted CA');
  });

  it('verifies against serverName (and sends it as SNI) instead of the URL host', async () => {
    const client = factory.client({
      url: `https://127.0.0.1:${sniPort}`,
      caPem: clusterPki.caPem,
      serverName: 'vault.internal',
    });
    await expect(client.sealStatus()).resolves.toMatchObject({ initialized: true });
    expect(sniSeen.at(-1)).toBe('vault.internal');
  });

  it('rejects the same certificate when the URL host is checked', async () => {
    const client = factory.client({ url: `https://127.0.0.1:${sniPort}`, caPem: clusterPki.caPem });
    const error = await expectUnreachable(client.sealStatus());
    expect(error.reason).toBe('tls');
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('without serverName, the URL’s host name is sent as SNI and checked against the certificate', async () => {
    // Node's agent works the server name out of the Host header (or the URL's host name without
    // one); an IP address gets no SNI.
    const names: string[] = [];
    const cert = await clusterPki.issue(['localhost']);
    const context = tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem });
    const server = track(
      https.createServer({ SNICallback: (name, done) => (names.push(name), done(null, context)) }, (req, res) => json(res, 200, SEAL_STATUS)),
    );
    const port = await listen(server);
    await expect(factory.client({ url: `https://localhost:${port}`, caPem: clusterPki.caPem }).sealStatus()).resolves.toMatchObject({ initialized: true });
    expect(names).toEqual(['localhost']);
    // And the name is what the certificate is checked against.
    const error = await expectUnreachable(factory.client({ url: `https://localhost:${sniPort}`, caPem: clusterPki.caPem }).sealStatus());
    expect(error.reason).toBe('tls');
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a wrong serverName is refused too', async () => {
    const client = factory.client({ url: `https://127.0.0.1:${sniPort}`, caPem: clusterPki.caPem, serverName: 'evil.internal' });
    expect((await expectUnreachable(client.sealStatus())).reason).toBe('tls');
  });

  it('reports a handshake failure when the node speaks plain HTTP on an https URL', async () => {
    const server = track(http.createServer((req, res) => json(res, 200, SEAL_STATUS)));
    const port = await listen(server);
    const error = await expectUnreachable(factory.client({ url: `https://127.0.0.1:${port}`, caPem: clusterPki.caPem }).sealStatus());
    expect(error.reason).toBe('tls');
    expect(error.message).toMatch(/TLS handshake failed \((ERR_SSL_WRONG_VERSION_NUMBER|EPROTO)\)/);
  });
});

describe('connection pooling', () => {
  it('reuses one kept-alive connection for every client of the same node', async () => {
    const before = connections;
    const target = { url: `https://127.0.0.1:${vaultPort}`, caPem: clusterPki.caPem };
    // A fresh client (and a fresh but equal target object) per call, as a sweep would make.
    for (let i = 0; i < 5; i++) await factory.client({ ...target }).sealStatus();
    // The earlier TLS test may have left one pooled socket already; at most one new one now.
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('past its agent limit it lets idle agents go, never one carrying a call', async () => {
    // One slow node and three quick ones, with room for two agents.
    let release: () => void = () => undefined;
    const slow = track(
      http.createServer((req, res) => {
        release = () => json(res, 200, SEAL_STATUS);
      }),
    );
    // Each quick node counts its connections closed (by sealwatch letting its agent go).
    const closed = [0, 0, 0];
    const quick = await Promise.all(
      [0, 1, 2].map((i) => {
        const server = track(http.createServer((req, res) => json(res, 200, SEAL_STATUS)));
        server.on('connection', (socket: net.Socket) => socket.on('close', () => (closed[i] = (closed[i] ?? 0) + 1)));
        return listen(server);
      }),
    );
    const small = createVaultHttpClientFactory({ maxAgents: 2 });
    try {
      const pending = small.client({ url: `http://127.0.0.1:${await listen(slow)}`, insecureHttp: true }).sealStatus({ signal: AbortSignal.timeout(5_000) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const port of quick) await small.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus();
      // The first two quick nodes' idle agents were let go to make room (their kept-alive
      // connections closed); the last one's is kept.
      await vi.waitFor(() => expect(closed).toEqual([1, 1, 0]));
      release();
      // The slow node's call was in flight while three more agents were made: it still completes.
      expect((await pending).sealed).toBe(false);
    } finally {
      await small.close();
    }
  });

  it('reuses a connection idle for up to two minutes, and opens a new one after longer', async () => {
    let opened = 0;
    const server = track(http.createServer((req, res) => json(res, 200, SEAL_STATUS)));
    server.on('connection', () => opened++);
    const port = await listen(server);
    const own = createVaultHttpClientFactory();
    const start = performance.now();
    const clock = vi.spyOn(performance, 'now');
    try {
      const client = own.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true });
      clock.mockReturnValue(start);
      await client.sealStatus();
      // A minute later (the default sweep interval): the same connection.
      clock.mockReturnValue(start + 60_000);
      await client.sealStatus();
      expect(opened).toBe(1);
      // Idle for more than two minutes: closed, and the call goes out on a new one.
      clock.mockReturnValue(start + 60_000 + 120_001);
      await client.sealStatus();
      expect(opened).toBe(2);
    } finally {
      clock.mockRestore();
      await own.close();
    }
  });

  /**
   * A node that answers the first request on each connection and closes the connection when a
   * second one comes on it: what a kept-alive socket the server closed while idle looks like.
   */
  async function closingAfterOneAnswer(): Promise<{ port: number; seen: string[]; resets: () => number }> {
    const counts = new WeakMap<net.Socket, number>();
    const seen: string[] = [];
    let resets = 0;
    const server = track(
      http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        req.resume();
        const n = (counts.get(req.socket) ?? 0) + 1;
        counts.set(req.socket, n);
        if (n > 1) {
          resets++;
          req.socket.destroy();
          return;
        }
        json(res, 200, SEAL_STATUS);
      }),
    );
    return { port: await listen(server), seen, resets: () => resets };
  }

  it('retries an idempotent read once when a pooled socket was closed by the server', async () => {
    const node = await closingAfterOneAnswer();
    const client = factory.client({ url: `http://127.0.0.1:${node.port}`, insecureHttp: true });
    await client.sealStatus();
    await expect(client.sealStatus()).resolves.toMatchObject({ sealed: false });
    expect(node.resets()).toBe(1);
  });

  it('never sends a write again: a share whose pooled socket was closed reaches the node once, and the error does not carry it', async () => {
    const node = await closingAfterOneAnswer();
    const client = factory.client({ url: `http://127.0.0.1:${node.port}`, insecureHttp: true });
    await client.sealStatus();
    const error = await expectUnreachable(client.unseal({ key: 'c2hhcmUtdGhhdC1tdXN0LW5vdC1sZWFr' }));
    expect(error.reason).toBe('refused');
    expect(error.message).not.toContain('c2hhcmUtdGhhdC1tdXN0LW5vdC1sZWFr');
    expect(node.seen.filter((line) => line.startsWith('PUT'))).toEqual(['PUT /v1/sys/unseal']);
    expect(node.resets()).toBe(1);
  });

  it('the deadline still ends a read while its retry on a fresh connection waits', async () => {
    const counts = new WeakMap<net.Socket, number>();
    let requests = 0;
    const server = track(
      http.createServer((req, res) => {
        requests++;
        const n = (counts.get(req.socket) ?? 0) + 1;
        counts.set(req.socket, n);
        if (requests === 1) json(res, 200, SEAL_STATUS);
        else if (n > 1) req.socket.destroy();
        // The retry, on its fresh connection, gets no answer.
      }),
    );
    const port = await listen(server);
    const client = factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true });
    await client.sealStatus();
    const controller = new AbortController();
    const waiting = expectUnreachable(client.sealStatus({ signal: controller.signal }));
    await vi.waitFor(() => expect(requests).toBe(3));
    controller.abort();
    expect((await waiting).reason).toBe('timeout');
  }, 5_000);
});

describe('clients kept per target', () => {
  it('a client kept for an insecureHttp target is not handed to the same URL without it', () => {
    const own = createVaultHttpClientFactory();
    own.client({ url: 'http://127.0.0.1:1', insecureHttp: true });
    expect(() => own.client({ url: 'http://127.0.0.1:1' })).toThrow(ValidationError);
  });

  it('targets that differ by server name or CA get clients of their own; the same target gets the same client', () => {
    const own = createVaultHttpClientFactory();
    const url = 'https://10.0.0.5:8200';
    const plain = own.client({ url });
    const named = own.client({ url, serverName: 'vault-0.internal' });
    const pinned = own.client({ url, caPem: clusterPki.caPem });
    expect(new Set([plain, named, pinned]).size).toBe(3);
    expect(own.client({ url, serverName: 'vault-0.internal' })).toBe(named);
    expect(own.client({ url, caPem: clusterPki.caPem })).toBe(pinned);
    expect(named.target).toEqual({ url, serverName: 'vault-0.internal' });
  });

  it('a caller changing its target object afterwards changes neither the client nor which one it finds', () => {
    const own = createVaultHttpClientFactory();
    const target: { url: string; serverName?: string } = { url: 'https://10.0.0.6:8200' };
    const client = own.client(target);
    target.serverName = 'elsewhere.internal';
    expect(client.target).toEqual({ url: 'https://10.0.0.6:8200' });
    expect(own.client({ url: 'https://10.0.0.6:8200' })).toBe(client);
    expect(own.client(target)).not.toBe(client);
  });

  it('past 10,000 kept clients it starts over, and keeps clients again', () => {
    const own = createVaultHttpClientFactory();
    const first = own.client({ url: 'https://n0.example:8200' });
    for (let i = 1; i < 10_000; i++) own.client({ url: `https://n${i}.example:8200` });
    expect(own.client({ url: 'https://n0.example:8200' })).toBe(first);
    const late = own.client({ url: 'https://late.example:8200' });
    expect(own.client({ url: 'https://late.example:8200' })).toBe(late);
    expect(own.client({ url: 'https://n0.example:8200' })).not.toBe(first);
  });
});

describe('what goes on the wire', () => {
  // Every header a call needs is there, once; a PUT without a body says its length is 0 instead of
  // going out chunked (a proxy in front of Vault may refuse that); the Host header names the node
  // as its URL does. The exact lists are compared, sorted: order means nothing.
  async function recordingServer(host: string): Promise<{ port: number; seen: { method: string; headers: [string, string][]; body: string }[] }> {
    const seen: { method: string; headers: [string, string][]; body: string }[] = [];
    const server = track(
      http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const headers: [string, string][] = [];
          for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([(req.rawHeaders[i] ?? '').toLowerCase(), req.rawHeaders[i + 1] ?? '']);
          seen.push({ method: req.method ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
          if (req.url === '/v1/sys/seal') {
            res.writeHead(204);
            res.end();
          } else json(res, 200, SEAL_STATUS);
        });
      }),
    );
    return { port: await listen(server, host), seen };
  }

  it('a read carries Host, the user agent and accept, nothing else of ours', async () => {
    const { port, seen } = await recordingServer('127.0.0.1');
    await factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus();
    expect(seen.map((s) => ({ ...s, headers: [...s.headers].sort() }))).toEqual([
      {
        method: 'GET',
        headers: [
          ['accept', 'application/json'],
          ['connection', 'keep-alive'],
          ['host', `127.0.0.1:${port}`],
          ['user-agent', 'sealwatch-test'],
        ],
        body: '',
      },
    ]);
  });

  it('a call with a token and one with a body carry them, each with its length (an empty PUT is not chunked)', async () => {
    const { port, seen } = await recordingServer('127.0.0.1');
    const client = factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true });
    await client.seal({ token: 'hvs.wire-test-token' });
    await client.unseal({ key: 'a2V5LXNoYXJl' });
    const body = '{"key":"a2V5LXNoYXJl"}';
    expect(seen.map((s) => ({ ...s, headers: [...s.headers].sort() }))).toEqual([
      {
        method: 'PUT',
        headers: [
          ['accept', 'application/json'],
          ['connection', 'keep-alive'],
          ['content-length', '0'],
          ['host', `127.0.0.1:${port}`],
          ['user-agent', 'sealwatch-test'],
          ['x-vault-token', 'hvs.wire-test-token'],
        ],
        body: '',
      },
      {
        method: 'PUT',
        headers: [
          ['accept', 'application/json'],
          ['connection', 'keep-alive'],
          ['content-length', String(Buffer.byteLength(body))],
          ['content-type', 'application/json'],
          ['host', `127.0.0.1:${port}`],
          ['user-agent', 'sealwatch-test'],
        ],
        body,
      },
    ]);
  });

  it('keeps its headers, token included, when tracing wraps http.request and copies them', async () => {
    // What OpenTelemetry's instrumentation-http does to every outgoing request before handing it
    // on: `optionsParsed.headers = Object.assign({}, optionsParsed.headers)`, then it adds its
    // trace headers. Headers given as Node's raw list would come out as headers named 0, 1, 2...
    const { port, seen } = await recordingServer('127.0.0.1');
    const original = http.request;
    const traced = ((options: http.RequestOptions, ...rest: unknown[]) =>
      (original as (...a: unknown[]) => http.ClientRequest)(
        { ...options, headers: Object.assign({}, options.headers, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }) },
        ...rest,
      )) as typeof http.request;
    http.request = traced;
    try {
      await factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).seal({ token: 'hvs.traced-token' });
    } finally {
      http.request = original;
    }
    expect([...(seen[0]?.headers ?? [])].sort()).toEqual([
      ['accept', 'application/json'],
      ['connection', 'keep-alive'],
      ['content-length', '0'],
      ['host', `127.0.0.1:${port}`],
      ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
      ['user-agent', 'sealwatch-test'],
      ['x-vault-token', 'hvs.traced-token'],
    ]);
  });

  it('an IPv6 node is named in brackets in the Host header', async () => {
    const { port, seen } = await recordingServer('::1');
    await factory.client({ url: `http://[::1]:${port}`, insecureHttp: true }).sealStatus();
    expect(seen[0]?.headers.filter(([name]) => name === 'host')).toEqual([['host', `[::1]:${port}`]]);
  });

  it('a token with a line break is refused before anything is sent', async () => {
    const { port, seen } = await recordingServer('127.0.0.1');
    const error = await factory
      .client({ url: `http://127.0.0.1:${port}`, insecureHttp: true })
      .seal({ token: 'hvs.x\r\nX-Injected: 1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).not.toContain('hvs.x');
    expect(seen).toEqual([]);
  });
});

describe('target validation', () => {
  it('rejects plain http:// unless the target is insecureHttp', () => {
    expect(() => factory.client({ url: 'http://127.0.0.1:8200' })).toThrow(ValidationError);
    expect(() => factory.client({ url: 'http://127.0.0.1:8200' })).toThrow(/http:\/\/127\.0\.0\.1:8200.*insecureHttp/);
    expect(() => factory.client({ url: 'http://127.0.0.1:8200', insecureHttp: true })).not.toThrow();
  });

  it('rejects other schemes, credentials in the URL and garbage', () => {
    expect(() => factory.client({ url: 'ftp://127.0.0.1' })).toThrow(ValidationError);
    expect(() => factory.client({ url: 'https://user:hunter2@127.0.0.1' })).toThrow(ValidationError);
    expect(() => factory.client({ url: 'https://user:hunter2@127.0.0.1' })).not.toThrow(/hunter2/);
    expect(() => factory.client({ url: 'not a url' })).toThrow(ValidationError);
  });

  it('validates factory options once', () => {
    expect(() => createVaultHttpClientFactory({ maxResponseBytes: 0 })).toThrow(ValidationError);
    expect(() => createVaultHttpClientFactory({ userAgent: 'a\r\nX-Vault-Token: t' })).toThrow(ValidationError);
  });
});

describe('faults', () => {
  it('closed port → refused (ECONNREFUSED)', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await expectUnreachable(factory.client({ url: `https://127.0.0.1:${port}`, caPem: clusterPki.caPem }).sealStatus());
    expect(error.reason).toBe('refused');
    expect(error.message).toContain('connection refused (ECONNREFUSED)');
  });

  it('connection reset → refused (ECONNRESET)', async () => {
    const server = track(net.createServer((socket) => socket.resetAndDestroy()));
    const port = await listen(server);
    const error = await expectUnreachable(factory.client({ url: `https://127.0.0.1:${port}`, caPem: clusterPki.caPem }).sealStatus());
    expect(error.reason).toBe('refused');
    expect(error.message).toContain('ECONNRESET');
  });

  it('unknown host → refused (ENOTFOUND)', async () => {
    const error = await expectUnreachable(
      factory.client({ url: 'https://sealwatch-no-such-host.invalid:8200' }).sealStatus({ signal: AbortSignal.timeout(3000) }),
    );
    expect(['refused', 'timeout']).toContain(error.reason);
    if (error.reason === 'refused') expect(error.message).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('server that never completes the TLS handshake → timeout at the deadline', async () => {
    const port = await listen(track(net.createServer(() => undefined)));
    const started = performance.now();
    const error = await expectUnreachable(
      factory.client({ url: `https://127.0.0.1:${port}`, caPem: clusterPki.caPem }).sealStatus({ signal: AbortSignal.timeout(300) }),
    );
    const elapsed = performance.now() - started;
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('no complete answer before the deadline');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
  });

  it('server that sends headers but never finishes the body → timeout', async () => {
    const server = track(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"type":"shamir",');
      }),
    );
    const port = await listen(server);
    const started = performance.now();
    const error = await expectUnreachable(
      factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus({ signal: AbortSignal.timeout(300) }),
    );
    expect(error.reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('calls sharing one signal: those answered are kept, every one still waiting ends when it aborts', async () => {
    // Nodes answer or hang by port: the calls that finish leave the signal's list from its front,
    // middle and end (two answered ones before a hung one, too), and the abort must still end
    // each call left. A lost waiter would hang: the short test timeout makes that a failure.
    const hung = await listen(track(net.createServer(() => undefined)));
    const answering = await listen(track(http.createServer((req, res) => json(res, 200, SEAL_STATUS))));
    const controller = new AbortController();
    const ports = [answering, answering, hung, answering, hung, answering, hung, hung, answering];
    const calls = ports.map((port) =>
      factory
        .client({ url: `http://127.0.0.1:${port}`, insecureHttp: true })
        .sealStatus({ signal: controller.signal })
        .then(
          (answer) => ({ outcome: answer.sealed === false ? 'answer' : 'wrong answer' }),
          (error: unknown) => ({ outcome: error instanceof VaultUnreachableError ? error.reason : String(error) }),
        ),
    );
    await Promise.all(calls.filter((_, i) => ports[i] === answering));
    controller.abort();
    expect(await Promise.all(calls)).toEqual(ports.map((port) => ({ outcome: port === answering ? 'answer' : 'timeout' })));
    // Calls made under the signal after it aborted fail at once, as before.
    await expectUnreachable(factory.client({ url: `http://127.0.0.1:${answering}`, insecureHttp: true }).sealStatus({ signal: controller.signal }));
  }, 5_000);

  it('an already aborted signal fails at once without connecting', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await expectUnreachable(
      factory.client({ url: `https://127.0.0.1:${vaultPort}`, caPem: clusterPki.caPem }).sealStatus({ signal: controller.signal }),
    );
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain('cancelled');
  });

  it('without a signal, a hung server is given up after the default 5 s', async () => {
    const port = await listen(track(net.createServer(() => undefined)));
    const started = performance.now();
    const error = await expectUnreachable(factory.client({ url: `https://127.0.0.1:${port}`, caPem: clusterPki.caPem }).sealStatus());
    const elapsed = performance.now() - started;
    expect(error.reason).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(4900);
    expect(elapsed).toBeLessThan(6500);
  }, 10_000);

  it('a 10 MB streamed body is cut off → too-large', async () => {
    let bytesSent = 0;
    const server = track(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (bytesSent < 10 * 1024 * 1024) {
            bytesSent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => undefined);
        pump();
      }),
    );
    const port = await listen(server);
    const error = await expectUnreachable(factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus());
    expect(error.reason).toBe('too-large');
    expect(error.message).toContain('1048576-byte limit');
  });

  it('an announced Content-Length over the limit is refused before reading the body', async () => {
    const server = track(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024 });
        res.write('{');
      }),
    );
    const port = await listen(server);
    const started = performance.now();
    const error = await expectUnreachable(factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus());
    expect(error.reason).toBe('too-large');
    expect(error.message).toContain('10485760 bytes');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads Content-Length and Content-Type in any letter case, the first of each as Node does', async () => {
    // Raw answers, so the header names go out exactly as written here.
    const rawServer = (answer: string) =>
      track(
        net.createServer((socket) => {
          socket.once('data', () => socket.end(answer));
        }),
      );
    const big = await listen(rawServer('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCONTENT-LENGTH: 10485760\r\n\r\n{'));
    const tooLarge = await expectUnreachable(factory.client({ url: `http://127.0.0.1:${big}`, insecureHttp: true }).sealStatus());
    expect(tooLarge.reason).toBe('too-large');
    expect(tooLarge.message).toContain('10485760 bytes');

    const html = await listen(rawServer('HTTP/1.1 200 OK\r\nCONTENT-TYPE: text/html\r\ncontent-type: application/json\r\nContent-Length: 5\r\n\r\nhello'));
    const error = await factory
      .client({ url: `http://127.0.0.1:${html}`, insecureHttp: true })
      .sealStatus()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('a body that is not JSON (text/html)');
  });

  it('the size limit is configurable', async () => {
    const small = createVaultHttpClientFactory({ maxResponseBytes: 100 });
    try {
      const error = await expectUnreachable(small.client({ url: `https://127.0.0.1:${vaultPort}`, caPem: clusterPki.caPem }).sealStatus());
      expect(error.reason).toBe('too-large');
    } finally {
      await small.close();
    }
  });

  it('the peer closing mid-body is not mistaken for a complete answer', async () => {
    const server = track(
      http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 500 });
        res.write('{"type":"shamir"', () => req.socket.destroy());
      }),
    );
    const port = await listen(server);
    const error = await expectUnreachable(factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true }).sealStatus());
    expect(error.reason).toBe('refused');
  });
});
