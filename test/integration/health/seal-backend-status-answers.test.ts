import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultHttpClientFactory } from '../../../shared/adapters/vault-http.ts';
import { VaultApiError, VaultUnreachableError } from '../../../shared/errors.ts';
import type { VaultClient, VaultClientFactory } from '../../../shared/ports/vault-client.ts';

// What `GET sys/seal-backend-status` answers per version, and what sealwatch's client makes of it:
// the endpoint missing must read as "not available" (null) whatever status says so, never as a
// failure and never as a finding. Served by a raw node:http server on 127.0.0.1.

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const DENIED = json({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
const UNSUPPORTED = json({ errors: ['1 error occurred:\n\t* unsupported path\n\n'] });

type Expected = 'not-available' | { healthy: boolean } | { throws: 'vault' | 'bad-response' };

const ROWS: [label: string, answer: Answer, expected: Expected][] = [
  // `http/handler.go` @ v1.14.9 registers no seal-backend-status: the `/v1/sys/` prefix goes to the
  // logical handler, whose token check fails in a go-multierror (`vault/request_handling.go` @ v1.14.9).
  ['Vault 1.14.9, unsealed, no token', { status: 403, body: DENIED }, 'not-available'],
  // Same handler chain at 1.12 (`vault/request_handling.go` @ git 4891122917^).
  ['Vault 1.12, unsealed, no token', { status: 403, body: DENIED }, 'not-available'],
  // OpenBao forked 1.14.9 and never added the endpoint (`http/handler.go` @ v2.6.2; request_handling.go multierror @ v2.5.0 / v2.6.2).
  ['OpenBao 2.5 / 2.6, unsealed, no token', { status: 403, body: DENIED }, 'not-available'],
  // With a valid token the system backend has no such path: ErrUnsupportedPath → 404 (`sdk/logical/response_util.go` @ v1.14.9).
  ['Vault 1.14.9, unsealed, root token', { status: 404, body: UNSUPPORTED }, 'not-available'],
  ['older client expectation: bare 404', { status: 404, body: json({ errors: [] }) }, 'not-available'],
  // The real endpoint (hashicorp/vault git d8c6d28ec7, 1.15+): unauthenticated, 200.
  ['Vault 1.15.4+, healthy', { status: 200, body: json({ healthy: true, backends: [{ name: 'awskms', healthy: true }] }) }, { healthy: true }],
  [
    'Vault 1.15.4+, KMS unhealthy',
    {
      status: 200,
      body: json({
        healthy: false,
        unhealthy_since: '2025-01-01T00:00:00Z',
        backends: [{ name: 'awskms', healthy: false, unhealthy_since: '2025-01-01T00:00:00Z' }],
      }),
    },
    { healthy: false },
  ],
  // Sealed node before 1.15: the logical handler answers 503 first (ErrSealed). Not "missing": an error.
  ['Vault 1.14.9, sealed', { status: 503, body: json({ errors: ['Vault is sealed'] }) }, { throws: 'vault' }],
  // A proxy's 403 page is not Vault saying the endpoint is missing.
  ['HTML 403 from a proxy', { status: 403, body: '<html>forbidden</html>', contentType: 'text/html' }, { throws: 'bad-response' }],
];

let current: Answer = { status: 500, body: '' };
let server: http.Server;
const sockets = new Set<net.Socket>();
let factory: VaultClientFactory;
let client: VaultClient;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(current.status, { 'content-type': current.contentType ?? 'application/json' });
      res.end(current.body);
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-test/1' });
  client = factory.client({ url: `http://127.0.0.1:${port}`, insecureHttp: true });
});

afterAll(async () => {
  await factory?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('sealBackendStatus per version', () => {
  it.each(ROWS)('%s', async (_label, answer, expected) => {
    current = answer;
    const outcome = await client.sealBackendStatus().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    if (expected === 'not-available') {
      expect(outcome).toEqual({ value: null });
    } else if ('healthy' in expected) {
      expect('value' in outcome && outcome.value?.healthy).toBe(expected.healthy);
    } else if (expected.throws === 'vault') {
      expect('error' in outcome && outcome.error).toBeInstanceOf(VaultApiError);
    } else {
      const error = 'error' in outcome ? outcome.error : null;
      expect(error).toBeInstanceOf(VaultUnreachableError);
      expect((error as VaultUnreachableError).reason).toBe('bad-response');
    }
  });
});
