import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { VaultApiError, VaultUnreachableError } from '../../shared/errors.ts';
import type { VaultClient, VaultClientFactory } from '../../shared/ports/vault-client.ts';

// Endpoint encoding and decoding of the Vault HTTP adapter against a raw node:http server that
// answers with bodies as Vault's `http/sys_*.go` @ v1.14.9/v1.19.0 writes them (plain HTTP: TLS is covered in the transport test).

interface Answer {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  contentType?: string;
}
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  token: string | undefined;
  userAgent: string | undefined;
  body: unknown;
}

const TOKEN = 'hvs.TESTTOKENaaaaaaaaaaaaaaaa';
let answers = new Map<string, Answer>();
let seen: Seen[] = [];
let server: http.Server;
const sockets = new Set<net.Socket>();
let factory: VaultClientFactory;
let client: VaultClient;
let base: string;

function answer(method: string, path: string, a: Answer): void {
  answers.set(`${method} ${path}`, a);
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = Buffer.concat(chunks).toString('utf8');
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        token: req.headers['x-vault-token'] as string | undefined,
        userAgent: req.headers['user-agent'],
        body: raw ? (JSON.parse(raw) as unknown) : undefined,
      });
      const a = answers.get(`${req.method} ${url.pathname}`) ?? { status: 404, body: { errors: [] } };
      if (a.status === 204) {
        res.writeHead(204).end();
        return;
      }
      const text = a.text ?? (a.body === undefined ? '' : JSON.stringify(a.body));
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  base = `http://127.0.0.1:${address.port}`;
  factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-test/1' });
  client = factory.client({ url: base, insecureHttp: true });
});

beforeEach(() => {
  answers = new Map();
  seen = [];
});

afterAll(async () => {
  await factory?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

// --- seal-status across versions (Vault `vault/logical_system.go` GetSealStatus, OpenBao 2.6 commit_date) -----------------------------------
const sealStatusProfiles: [string, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'Vault 1.12 sealed shamir with hcp link fields',
    {
      type: 'shamir',
      initialized: true,
      sealed: true,
      t: 3,
      n: 5,
      progress: 2,
      nonce: 'n-1',
      version: '1.12.11',
      build_date: '2023-10-27T00:00:00Z',
      migration: false,
      recovery_seal: false,
      storage_type: 'dynamodb',
      hcp_link_status: 'connected',
      hcp_link_resource_ID: 'r',
    },
    { type: 'shamir', sealed: true, t: 3, n: 5, progress: 2, nonce: 'n-1', buildDate: '2023-10-27T00:00:00Z', storageType: 'dynamodb' },
  ],
  [
    'Vault 1.13 with warnings',
    {
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 1,
      n: 1,
      progress: 0,
      nonce: '',
      version: '1.13.2',
      build_date: 'x',
      migration: false,
      cluster_name: 'c',
      cluster_id: 'id',
      recovery_seal: false,
      storage_type: 'raft',
      warnings: ['ssc disabled'],
    },
    { clusterName: 'c', clusterId: 'id', version: '1.13.2' },
  ],
  [
    'Vault 1.15.4 awskms with recovery_seal_type',
    {
      type: 'awskms',
      initialized: true,
      sealed: false,
      t: 1,
      n: 1,
      progress: 0,
      nonce: '',
      version: '1.15.4',
      build_date: '2023-12-04T17:45:28Z',
      migration: false,
      cluster_name: 'vault-cluster-6c15b226',
      cluster_id: '56311cd5',
      recovery_seal: true,
      recovery_seal_type: 'shamir',
      storage_type: 'raft',
    },
    { type: 'awskms', recoverySeal: true, recoverySealType: 'shamir' },
  ],
  [
    'Vault 1.19 removed_from_cluster',
    {
      type: 'shamir',
      initialized: true,
      sealed: true,
      t: 2,
      n: 3,
      progress: 0,
      nonce: '',
      version: '1.19.0',
      build_date: 'x',
      migration: false,
      recovery_seal: false,
      storage_type: 'raft',
      removed_from_cluster: true,
    },
    { removedFromCluster: true },
  ],
  [
    'OpenBao 2.6 commit_date instead of build_date',
    {
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 3,
      n: 5,
      progress: 0,
      nonce: '',
      version: '2.6.0',
      commit_date: '2026-01-01T00:00:00Z',
      migration: false,
      cluster_name: 'c',
      cluster_id: 'i',
      recovery_seal: false,
      storage_type: 'raft',
    },
    { version: '2.6.0', commitDate: '2026-01-01T00:00:00Z' },
  ],
];

describe('sealStatus', () => {
  it.each(sealStatusProfiles)('%s', async (_name, wire, expected) => {
    answer('GET', '/v1/sys/seal-status', { status: 200, body: wire });
    const status = await client.sealStatus();
    expect(status).toMatchObject(expected);
    // snake_case never leaks through; unknown fields are not carried around.
    expect(Object.keys(status).some((k) => k.includes('_'))).toBe(false);
    expect(status).not.toHaveProperty('warnings');
  });

  it('omits absent optional fields instead of setting them undefined', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 200, body: sealStatusProfiles[0]?.[1] });
    const status = await client.sealStatus();
    expect('clusterId' in status).toBe(false);
    expect('removedFromCluster' in status).toBe(false);
  });

  it('a JSON body that is not a seal status → bad-response naming the fields, not the values', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 200, body: { type: 12345, secret: 'swordfish' } });
    const error = await failure(client.sealStatus());
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect((error as VaultUnreachableError).reason).toBe('bad-response');
    expect((error as Error).message).toMatch(/type: invalid_type/);
    expect((error as Error).message).not.toMatch(/12345|swordfish/);
  });

  it('invalid JSON → bad-response', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 200, text: '{"type":"shamir",' });
    const error = (await failure(client.sealStatus())) as VaultUnreachableError;
    expect(error.reason).toBe('bad-response');
    expect(error.message).toContain('not JSON');
  });

  it('an HTML 404 from a non-Vault server → bad-response', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 404, text: '<html><body>Not Found</body></html>', contentType: 'text/html' });
    const error = (await failure(client.sealStatus())) as VaultUnreachableError;
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect(error.reason).toBe('bad-response');
    expect(error.message).toContain('unexpected status 404 with a non-Vault body (text/html)');
  });

  it('a Vault error answer → VaultApiError with status and texts', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 500, body: { errors: ['failed to check for initialization: timeout'] } });
    const error = (await failure(client.sealStatus())) as VaultApiError;
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error.status).toBe(500);
    expect(error.errors).toEqual(['failed to check for initialization: timeout']);
    expect(error.message).toContain('/v1/sys/seal-status');
  });

  it('sends the user agent', async () => {
    answer('GET', '/v1/sys/seal-status', { status: 200, body: sealStatusProfiles[1]?.[1] });
    await client.sealStatus();
    expect(seen[0]?.userAgent).toBe('sealwatch-test/1');
  });
});

// --- health (Vault `http/sys_health.go` @ v1.14.9) --------------------------------------------------------------------------
const vault119Active = {
  initialized: true,
  sealed: false,
  standby: false,
  performance_standby: false,
  replication_performance_mode: 'disabled',
  replication_dr_mode: 'disabled',
  server_time_utc: 1740000000,
  version: '1.19.0',
  enterprise: false,
  cluster_name: 'vault-cluster-f090409a',
  cluster_id: 'ebdd80fb',
  echo_duration_ms: 0,
  clock_skew_ms: 0,
  replication_primary_canary_age_ms: 0,
  removed_from_cluster: false,
};
const sealedBody = {
  initialized: true,
  sealed: true,
  standby: true,
  performance_standby: false,
  replication_performance_mode: 'unknown',
  replication_dr_mode: 'unknown',
  server_time_utc: 1680932620,
  version: '1.13.1',
};

describe('health', () => {
  it.each([200, 429, 472, 473, 474, 501, 503, 530])('status %i is an answer, not an error', async (status) => {
    answer('GET', '/v1/sys/health', { status, body: status === 200 ? vault119Active : sealedBody });
    const res = await client.health();
    expect(res.status).toBe(status);
    expect(res.body?.initialized).toBe(true);
  });

  it('maps 1.19 fields to camelCase', async () => {
    answer('GET', '/v1/sys/health', {
      status: 429,
      body: { ...vault119Active, standby: true, ha_connection_healthy: true, last_request_forwarding_heartbeat_ms: 512 },
    });
    const { body } = await client.health();
    expect(body).toMatchObject({
      standby: true,
      haConnectionHealthy: true,
      lastRequestForwardingHeartbeatMs: 512,
      removedFromCluster: false,
      clusterId: 'ebdd80fb',
      echoDurationMs: 0,
    });
  });

  it('accepts the trimmed OpenBao 2.6 body', async () => {
    answer('GET', '/v1/sys/health', {
      status: 200,
      body: { initialized: true, sealed: false, standby: false, server_time_utc: 1, version: '2.6.0', cluster_name: 'c', cluster_id: 'i' },
    });
    const { body } = await client.health();
    expect(body).toMatchObject({ version: '2.6.0', standby: false });
    expect(body && 'performanceStandby' in body).toBe(false);
  });

  it('HEAD returns the status with a null body', async () => {
    answer('HEAD', '/v1/sys/health', { status: 503, body: sealedBody });
    await expect(client.health({ method: 'HEAD' })).resolves.toEqual({ status: 503, body: null });
    expect(seen[0]?.method).toBe('HEAD');
  });

  it('sends query overrides and accepts the custom codes they ask for', async () => {
    answer('GET', '/v1/sys/health', { status: 299, body: sealedBody });
    const res = await client.health({ query: { sealedcode: '299', standbyok: 'true' } });
    expect(res.status).toBe(299);
    expect(seen[0]?.query.get('sealedcode')).toBe('299');
    expect(seen[0]?.query.get('standbyok')).toBe('true');
  });

  it('a custom code nobody asked for is not an answer', async () => {
    answer('GET', '/v1/sys/health', { status: 299, body: sealedBody });
    const error = (await failure(client.health())) as VaultUnreachableError;
    expect(error.reason).toBe('bad-response');
  });

  it('an undocumented status with a Vault body → VaultApiError', async () => {
    answer('GET', '/v1/sys/health', { status: 400, body: { errors: [] } });
    const error = (await failure(client.health({ query: { standbycode: 'abc' } }))) as VaultApiError;
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error.status).toBe(400);
  });

  it('a documented status with a non-Vault body → bad-response (e.g. a proxy 503 page)', async () => {
    answer('GET', '/v1/sys/health', { status: 503, text: '<h1>Service Unavailable</h1>', contentType: 'text/html' });
    const error = (await failure(client.health())) as VaultUnreachableError;
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect(error.reason).toBe('bad-response');
  });
});

// --- unseal, init, seal (Vault `http/sys_seal.go`, `http/sys_init.go` @ v1.14.9) ---------------------------------------
const SHARE = 'a'.repeat(64) + '01';

describe('unseal', () => {
  it('submits the key and parses the new seal status', async () => {
    answer('PUT', '/v1/sys/unseal', { status: 200, body: { ...sealStatusProfiles[0]?.[1], progress: 3 } });
    const status = await client.unseal({ key: SHARE });
    expect(status.progress).toBe(3);
    expect(seen[0]?.body).toEqual({ key: SHARE });
  });

  it('resets', async () => {
    answer('PUT', '/v1/sys/unseal', { status: 200, body: sealStatusProfiles[0]?.[1] });
    await client.unseal({ reset: true });
    expect(seen[0]?.body).toEqual({ reset: true });
  });

  it("keeps Vault's exact error text and never the key", async () => {
    const text = 'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed';
    answer('PUT', '/v1/sys/unseal', { status: 400, body: { errors: [text] } });
    const error = (await failure(client.unseal({ key: SHARE }))) as VaultApiError;
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error.errors).toEqual([text]);
    expect(error.status).toBe(400);
    expect(error.message).not.toContain(SHARE);
  });

  it('redacts a key echoed by a hostile server', async () => {
    answer('PUT', '/v1/sys/unseal', { status: 400, body: { errors: [`bad key ${SHARE}`] } });
    const error = (await failure(client.unseal({ key: SHARE }))) as VaultApiError;
    expect(error.errors).toEqual(['bad key [redacted]']);
    expect(error.message).not.toContain(SHARE);
  });

  it('redacts the key echoed in any other encoding: upper-case hex, base64, unpadded base64, base64url', async () => {
    const bytes = Buffer.from(SHARE, 'hex');
    const echoes = [SHARE.toUpperCase(), bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url')];
    answer('PUT', '/v1/sys/unseal', { status: 400, body: { errors: echoes.map((e) => `bad key ${e}`) } });
    const error = (await failure(client.unseal({ key: SHARE }))) as VaultApiError;
    expect(error.errors).toEqual(echoes.map(() => 'bad key [redacted]'));
  });
});

describe('init', () => {
  it('sends snake_case fields, only those given, and maps the answer', async () => {
    answer('PUT', '/v1/sys/init', { status: 200, body: { keys: ['k1', 'k2'], keys_base64: ['b1', 'b2'], root_token: 'hvs.root' } });
    const res = await client.init({ secretShares: 2, secretThreshold: 2 });
    expect(seen[0]?.body).toEqual({ secret_shares: 2, secret_threshold: 2 });
    expect(res).toEqual({ keys: ['k1', 'k2'], keysBase64: ['b1', 'b2'], rootToken: 'hvs.root' });
  });

  it('auto-unseal: recovery fields both ways', async () => {
    answer('PUT', '/v1/sys/init', {
      status: 200,
      body: { keys: [], keys_base64: [], recovery_keys: ['r1'], recovery_keys_base64: ['rb1'], root_token: 'hvs.root' },
    });
    const res = await client.init({ recoveryShares: 1, recoveryThreshold: 1, recoveryPgpKeys: ['pgp'], rootTokenPgpKey: 'rpgp' });
    expect(seen[0]?.body).toEqual({ recovery_shares: 1, recovery_threshold: 1, recovery_pgp_keys: ['pgp'], root_token_pgp_key: 'rpgp' });
    expect(res).toMatchObject({ keys: [], recoveryKeys: ['r1'], recoveryKeysBase64: ['rb1'] });
  });

  it('a malformed init answer never puts the secrets in the error', async () => {
    answer('PUT', '/v1/sys/init', { status: 200, body: { keys: ['SECRETSHARE'], keys_base64: 7, root_token: 'hvs.SECRETROOT' } });
    const error = (await failure(client.init({ secretShares: 1, secretThreshold: 1 }))) as Error;
    expect(error.message).not.toMatch(/SECRETSHARE|SECRETROOT/);
  });

  it('initStatus', async () => {
    answer('GET', '/v1/sys/init', { status: 200, body: { initialized: false } });
    await expect(client.initStatus()).resolves.toEqual({ initialized: false });
  });
});

describe('token handling and 204 answers', () => {
  it('seal sends X-Vault-Token and resolves on 204', async () => {
    answer('PUT', '/v1/sys/seal', { status: 204 });
    await expect(client.seal({ token: TOKEN })).resolves.toBeUndefined();
    expect(seen[0]?.token).toBe(TOKEN);
  });

  it('a 403 is a VaultApiError and the token appears nowhere in it', async () => {
    answer('PUT', '/v1/sys/seal', { status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } });
    const error = (await failure(client.seal({ token: TOKEN }))) as VaultApiError;
    expect(error.status).toBe(403);
    expect(JSON.stringify({ m: error.message, e: error.errors, s: error.stack })).not.toContain(TOKEN);
  });

  it('a token echoed back by the server is redacted', async () => {
    answer('PUT', '/v1/sys/seal', { status: 403, body: { errors: [`token ${TOKEN} denied`] } });
    const error = (await failure(client.seal({ token: TOKEN }))) as VaultApiError;
    expect(error.errors.join()).not.toContain(TOKEN);
  });

  it('raftRemovePeer posts server_id and resolves on 204', async () => {
    answer('POST', '/v1/sys/storage/raft/remove-peer', { status: 204 });
    await expect(client.raftRemovePeer('node3', { token: TOKEN })).resolves.toBeUndefined();
    expect(seen[0]?.body).toEqual({ server_id: 'node3' });
  });

  it('setAutopilotConfiguration posts only the given fields, snake_case', async () => {
    answer('POST', '/v1/sys/storage/raft/autopilot/configuration', { status: 204 });
    await client.setAutopilotConfiguration({ cleanupDeadServers: true, minQuorum: 3, deadServerLastContactThreshold: '10m' }, { token: TOKEN });
    expect(seen[0]?.body).toEqual({ cleanup_dead_servers: true, min_quorum: 3, dead_server_last_contact_threshold: '10m' });
  });
});

// --- leader, ha-status, raft, autopilot, seal backends (Vault `http/sys_leader.go`, `vault/logical_system*.go` @ v1.14.9) -----------
describe('status endpoints', () => {
  it('leader: Vault active raft node', async () => {
    answer('GET', '/v1/sys/leader', {
      status: 200,
      body: {
        ha_enabled: true,
        is_self: true,
        active_time: '2024-04-29T10:10:43Z',
        leader_address: 'https://10.0.0.1:8200',
        leader_cluster_address: 'https://10.0.0.1:8201',
        performance_standby: false,
        performance_standby_last_remote_wal: 0,
        raft_committed_index: 315,
        raft_applied_index: 315,
      },
    });
    await expect(client.leader()).resolves.toEqual({
      haEnabled: true,
      isSelf: true,
      activeTime: '2024-04-29T10:10:43Z',
      leaderAddress: 'https://10.0.0.1:8200',
      leaderClusterAddress: 'https://10.0.0.1:8201',
      performanceStandby: false,
      raftCommittedIndex: 315,
      raftAppliedIndex: 315,
    });
  });

  it('leader: trimmed OpenBao 2.6 standby answer', async () => {
    answer('GET', '/v1/sys/leader', {
      status: 200,
      body: { ha_enabled: true, leader_address: 'https://10.0.0.1:8200', leader_cluster_address: 'https://10.0.0.1:8201' },
    });
    await expect(client.leader()).resolves.toEqual({
      haEnabled: true,
      isSelf: false,
      leaderAddress: 'https://10.0.0.1:8200',
      leaderClusterAddress: 'https://10.0.0.1:8201',
    });
  });

  it('leader on a sealed HA node → VaultApiError 503', async () => {
    answer('GET', '/v1/sys/leader', { status: 503, body: { errors: ['Vault is sealed'] } });
    const error = (await failure(client.leader())) as VaultApiError;
    expect(error.errors).toEqual(['Vault is sealed']);
  });

  it('haStatus reads the envelope (with mount_type) and sends the token', async () => {
    const nodes = [
      {
        hostname: 'node1',
        api_address: 'http://10.0.0.2:8200',
        cluster_address: 'https://10.0.0.2:8201',
        active_node: true,
        last_echo: null,
        version: '1.14.9',
      },
    ];
    answer('GET', '/v1/sys/ha-status', {
      status: 200,
      body: {
        nodes,
        request_id: 'r',
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: { nodes },
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: 'system',
      },
    });
    await expect(client.haStatus({ token: TOKEN })).resolves.toEqual([
      { hostname: 'node1', apiAddress: 'http://10.0.0.2:8200', clusterAddress: 'https://10.0.0.2:8201', activeNode: true, lastEcho: null, version: '1.14.9' },
    ]);
    expect(seen[0]?.token).toBe(TOKEN);
  });

  it('raftJoin sends leader_api_addr and friends', async () => {
    answer('POST', '/v1/sys/storage/raft/join', { status: 200, body: { joined: true } });
    await expect(
      client.raftJoin({ leaderApiAddr: 'https://vault-0:8200', leaderCaCert: 'PEM', leaderTlsServername: 'vault-0', retry: false }),
    ).resolves.toEqual({ joined: true });
    expect(seen[0]?.body).toEqual({ leader_api_addr: 'https://vault-0:8200', leader_ca_cert: 'PEM', leader_tls_servername: 'vault-0', retry: false });
  });

  it('raftConfiguration', async () => {
    answer('GET', '/v1/sys/storage/raft/configuration', {
      status: 200,
      body: {
        request_id: 'r',
        data: { config: { index: 24, servers: [{ node_id: 'raft1', address: '10.0.0.1:8201', leader: true, protocol_version: '3', voter: true }] } },
        mount_type: 'system',
      },
    });
    await expect(client.raftConfiguration({ token: TOKEN })).resolves.toEqual({
      index: 24,
      servers: [{ nodeId: 'raft1', address: '10.0.0.1:8201', leader: true, protocolVersion: '3', voter: true }],
    });
  });

  it('autopilotState, and null on a Vault 404', async () => {
    const server = {
      id: 'raft1',
      name: 'raft1',
      address: '10.0.0.1:8201',
      node_status: 'alive',
      last_contact: '0s',
      last_term: 3,
      last_index: 459,
      healthy: true,
      stable_since: '2024-03-19T20:14:11.831678Z',
      status: 'leader',
      version: '1.14.9',
      node_type: 'voter',
      meta: null,
    };
    answer('GET', '/v1/sys/storage/raft/autopilot/state', {
      status: 200,
      body: { request_id: 'r', data: { healthy: true, failure_tolerance: 1, leader: 'raft1', voters: ['raft1'], servers: { raft1: server } } },
    });
    await expect(client.autopilotState({ token: TOKEN })).resolves.toEqual({
      healthy: true,
      failureTolerance: 1,
      leader: 'raft1',
      voters: ['raft1'],
      servers: {
        raft1: {
          id: 'raft1',
          name: 'raft1',
          address: '10.0.0.1:8201',
          nodeStatus: 'alive',
          lastContact: '0s',
          lastTerm: 3,
          lastIndex: 459,
          healthy: true,
          stableSince: '2024-03-19T20:14:11.831678Z',
          status: 'leader',
          version: '1.14.9',
          nodeType: 'voter',
        },
      },
    });
    answer('GET', '/v1/sys/storage/raft/autopilot/state', { status: 404, body: { errors: [] } });
    await expect(client.autopilotState({ token: TOKEN })).resolves.toBeNull();
  });

  it('autopilotConfiguration', async () => {
    answer('GET', '/v1/sys/storage/raft/autopilot/configuration', {
      status: 200,
      body: {
        data: {
          cleanup_dead_servers: false,
          last_contact_threshold: '10s',
          dead_server_last_contact_threshold: '24h0m0s',
          max_trailing_logs: 1000,
          min_quorum: 0,
          server_stabilization_time: '10s',
          disable_upgrade_migration: false,
        },
      },
    });
    await expect(client.autopilotConfiguration({ token: TOKEN })).resolves.toEqual({
      cleanupDeadServers: false,
      lastContactThreshold: '10s',
      deadServerLastContactThreshold: '24h0m0s',
      maxTrailingLogs: 1000,
      minQuorum: 0,
      serverStabilizationTime: '10s',
    });
  });

  it('sealBackendStatus, null on a Vault 404, bad-response on an HTML 404', async () => {
    answer('GET', '/v1/sys/seal-backend-status', {
      status: 200,
      body: {
        healthy: false,
        unhealthy_since: '2025-01-01T00:00:00Z',
        backends: [{ name: 'awskms', healthy: false, unhealthy_since: '2025-01-01T00:00:00Z' }],
      },
    });
    await expect(client.sealBackendStatus()).resolves.toEqual({
      healthy: false,
      unhealthySince: '2025-01-01T00:00:00Z',
      backends: [{ name: 'awskms', healthy: false, unhealthySince: '2025-01-01T00:00:00Z' }],
    });

    answer('GET', '/v1/sys/seal-backend-status', { status: 404, body: { errors: ['1 error occurred:\n\t* unsupported path\n\n'] } });
    await expect(client.sealBackendStatus()).resolves.toBeNull();

    answer('GET', '/v1/sys/seal-backend-status', { status: 404, text: '<html>nope</html>', contentType: 'text/html' });
    const error = (await failure(client.sealBackendStatus())) as VaultUnreachableError;
    expect(error.reason).toBe('bad-response');
  });

  it('keeps a reverse-proxy path prefix of the target URL', async () => {
    const prefixed = factory.client({ url: `${base}/vault/`, insecureHttp: true });
    answer('GET', '/vault/v1/sys/init', { status: 200, body: { initialized: true } });
    await expect(prefixed.initStatus()).resolves.toEqual({ initialized: true });
    expect(seen[0]?.path).toBe('/vault/v1/sys/init');
  });
});
