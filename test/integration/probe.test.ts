import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCommand, type ProbeResult } from '../../functions/cli/commands/probe.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { startSimulatedCluster } from '../../shared/simulator/index.ts';
import { getProfile, PROFILE_NAMES, type VaultProfileName } from '../../shared/simulator/profiles.ts';
import { createTestPki } from '../../shared/simulator/test-pki.ts';
import type { SimulatedCluster } from '../../shared/simulator/types.ts';

// Acceptance test of `sealwatch probe --json` against the Vault simulator: every node state the
// simulator can produce, on every version profile, plus the transport faults a sweep meets.
// (perf-standby and dr-secondary are Enterprise states the simulator does not model; they are
// covered by the classification unit tests.)

let dir: string;
const clusters: SimulatedCluster[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-probe-acceptance-'));
});

afterAll(async () => {
  await Promise.all(clusters.map((c) => c.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startSimulatedCluster>[0]): Promise<{ cluster: SimulatedCluster; caFile: string }> {
  const cluster = await startSimulatedCluster(options);
  clusters.push(cluster);
  const caFile = join(dir, `ca-${clusters.length}.pem`);
  await writeFile(caFile, cluster.caPem ?? '');
  return { cluster, caFile };
}

async function probe(argv: string[]): Promise<{ code: number; results: ProbeResult[]; elapsedMs: number; stderr: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readStdin: async () => '',
    env: {},
    cwd: dir,
  };
  const started = performance.now();
  const code = await probeCommand([...argv, '--json'], io);
  const elapsedMs = performance.now() - started;
  return { code, results: out ? (JSON.parse(out) as ProbeResult[]) : [], elapsedMs, stderr: err };
}

function byUrl(results: ProbeResult[], url: string): ProbeResult {
  const found = results.find((r) => r.url === url);
  if (!found) throw new Error(`no result for ${url}`);
  return found;
}

describe.each(PROFILE_NAMES)('probe against simulated %s', (profileName: VaultProfileName) => {
  const profile = getProfile(profileName);
  let cluster: SimulatedCluster;
  let caFile: string;
  let results: ProbeResult[];
  let code: number;
  // vault-0 active, vault-1 standby, vault-2 sealed, vault-3 wiped (uninitialized);
  // on 1.19 also vault-4 standby-unhealthy and vault-5 removed.
  const nodeCount = profile.removal119 ? 6 : 4;

  beforeAll(async () => {
    ({ cluster, caFile } = await start({
      nodes: nodeCount,
      profile: profileName,
      sealType: 'shamir',
      tls: true,
      init: { shares: 5, threshold: 3 },
      unsealed: true,
    }));
    cluster.makeActive('vault-0');
    cluster.nodes[2]?.seal();
    await cluster.wipe('vault-3');
    if (profile.removal119) {
      cluster.nodes[4]?.setHaUnhealthy(true);
      const factory = createVaultHttpClientFactory();
      try {
        const active = factory.client({ url: cluster.nodes[0]?.url ?? '', caPem: cluster.caPem ?? '' });
        await active.raftRemovePeer('vault-5', { token: cluster.rootToken ?? '' });
      } finally {
        await factory.close();
      }
    }
    ({ code, results } = await probe([...cluster.nodes.map((n) => n.url), '--ca', caFile]));
  });

  const url = (i: number): string => cluster.nodes[i]?.url ?? '';

  it('every node was reached, results follow argument order, and exit 2 says a node is sealed (as vault status)', () => {
    expect(results.some((r) => r.state === 'sealed')).toBe(true);
    expect(code).toBe(2);
    expect(results.map((r) => r.url)).toEqual(cluster.nodes.map((n) => n.url));
    expect(results.every((r) => r.error === null)).toBe(true);
  });

  it('active node', () => {
    expect(byUrl(results, url(0))).toEqual({
      url: url(0),
      state: 'active',
      initialized: true,
      sealed: false,
      sealType: 'shamir',
      recoverySeal: false,
      threshold: 3,
      shares: 5,
      progress: 0,
      version: profile.version,
      clusterId: cluster.clusterId,
      clusterName: cluster.clusterName,
      storageType: 'raft',
      httpStatus: 200,
      error: null,
    });
  });

  it('standby node', () => {
    expect(byUrl(results, url(1))).toMatchObject({ state: 'standby', sealed: false, httpStatus: 429, clusterId: cluster.clusterId, version: profile.version });
  });

  it('sealed node', () => {
    expect(byUrl(results, url(2))).toMatchObject({
      state: 'sealed',
      initialized: true,
      sealed: true,
      httpStatus: 503,
      threshold: 3,
      shares: 5,
      progress: 0,
      clusterId: null,
      clusterName: null,
      version: profile.version,
    });
  });

  it('uninitialized node', () => {
    expect(byUrl(results, url(3))).toMatchObject({
      state: 'uninitialized',
      initialized: false,
      sealed: true,
      httpStatus: 501,
      threshold: null,
      shares: null,
      clusterId: null,
      sealType: 'shamir',
    });
  });

  it.runIf(profile.removal119)('standby-unhealthy node (Vault 1.19: 474)', () => {
    expect(byUrl(results, url(4))).toMatchObject({ state: 'standby-unhealthy', httpStatus: 474, sealed: false });
  });

  it.runIf(profile.removal119)('removed node (Vault 1.19: 530)', () => {
    expect(byUrl(results, url(5))).toMatchObject({ state: 'removed', httpStatus: 530, clusterId: null });
  });

  it('auto-unseal node reports its seal type as this version does', async () => {
    const auto = await start({ nodes: 1, profile: profileName, sealType: 'awskms', tls: true, init: { shares: 3, threshold: 2 }, unsealed: true });
    const node = auto.cluster.nodes[0]?.url ?? '';
    const run = await probe([node, '--ca', auto.caFile]);
    expect(run.code).toBe(0);
    expect(byUrl(run.results, node)).toMatchObject({
      state: 'active',
      // Before 1.15.4 (PR #23022) seal-status reports the recovery type after init.
      sealType: profile.barrierTypeAfterInit ? 'awskms' : 'shamir',
      recoverySeal: true,
      threshold: 2,
      shares: 3,
      version: profile.version,
    });
  });
});

describe('probe against faulty nodes', () => {
  const TIMEOUT_MS = 800;
  const MARGIN_MS = 700;
  let cluster: SimulatedCluster;
  let caFile: string;
  const raw: http.Server[] = [];
  const sockets = new Set<net.Socket>();
  let htmlUrl: string;
  let rogueUrl: string;

  async function listen(server: http.Server): Promise<number> {
    raw.push(server);
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  beforeAll(async () => {
    ({ cluster, caFile } = await start({ nodes: 5, profile: 'vault-1.19', sealType: 'shamir', tls: true, init: { shares: 5, threshold: 3 }, unsealed: true }));
    cluster.nodes[1]?.setFaults({ hang: true });
    cluster.nodes[2]?.setFaults({ oversizeBytes: 10 * 1024 * 1024 });
    cluster.nodes[3]?.setFaults({ malformedJson: true });
    await cluster.kill('vault-4');
    const html = http.createServer((req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
    });
    htmlUrl = `http://127.0.0.1:${await listen(html)}`;
    const rogue = await createTestPki({ commonName: 'rogue CA' });
    const leaf = await rogue.issue(['127.0.0.1', 'localhost']);
    const rogueServer = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    rogueUrl = `https://127.0.0.1:${await listen(rogueServer)}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(raw.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('reports every fault precisely, in parallel, within --timeout plus a small margin', async () => {
    const [healthy, hung, huge, garbled, dead] = cluster.nodes.map((n) => n.url) as [string, string, string, string, string];
    const { code, results, elapsedMs } = await probe([
      healthy,
      hung,
      huge,
      garbled,
      dead,
      htmlUrl,
      rogueUrl,
      '--ca',
      caFile,
      '--insecure-http',
      '--timeout',
      String(TIMEOUT_MS),
    ]);
    expect(code).toBe(2);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(results.map((r) => r.url)).toEqual([healthy, hung, huge, garbled, dead, htmlUrl, rogueUrl]);

    expect(byUrl(results, healthy).state).toBe('active');
    const expectations: [string, string, RegExp][] = [
      [hung, 'timeout', /no complete answer before the deadline \(800 ms\)/],
      [huge, 'too-large', /larger than the 1048576-byte limit/],
      [garbled, 'bad-response', /not JSON/],
      [dead, 'refused', /connection refused \(ECONNREFUSED\)/],
      [htmlUrl, 'bad-response', /404 with a non-Vault body \(text\/html\)/],
      [rogueUrl, 'tls', /certificate is not signed by the cluster CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/],
    ];
    for (const [url, reason, message] of expectations) {
      const result = byUrl(results, url);
      expect(result.state, url).toBe('unreachable');
      expect(result.error?.reason, url).toBe(reason);
      expect(result.error?.message, url).toMatch(message);
      expect(result.error?.message, url).toContain(url);
      expect(result.httpStatus).toBeNull();
      expect(result.version).toBeNull();
    }
  });

  it('a hung node alone still returns by the deadline', async () => {
    const hung = cluster.nodes[1]?.url ?? '';
    const { code, results, elapsedMs } = await probe([hung, '--ca', caFile, '--timeout', '300']);
    expect(code).toBe(2);
    expect(results[0]?.error?.reason).toBe('timeout');
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(300 + MARGIN_MS);
  });

  it('a node of this cluster probed with another cluster’s CA is refused as tls', async () => {
    const other = await createTestPki();
    const otherCa = join(dir, 'other-ca.pem');
    await writeFile(otherCa, other.caPem);
    const healthy = cluster.nodes[0]?.url ?? '';
    const { code, results } = await probe([healthy, '--ca', otherCa]);
    expect(code).toBe(2);
    expect(results[0]?.error).toMatchObject({ reason: 'tls' });
    expect(results[0]?.error?.message).toContain('not signed by the cluster CA');
  });
});

// Performance standbys and DR secondaries exist only in Vault Enterprise; the simulator gives
// nodes those roles so the probe's reading of 473/472 is checked against real answers.
describe('probe against simulated Vault Enterprise replication roles', () => {
  let cluster: SimulatedCluster;
  let results: ProbeResult[];
  let code: number;

  beforeAll(async () => {
    let caFile: string;
    ({ cluster, caFile } = await start({ nodes: 3, profile: 'vault-1.16', tls: true }));
    cluster.makeActive('vault-0');
    cluster.nodes[1]?.setEnterpriseRole('perf-standby');
    cluster.nodes[2]?.setEnterpriseRole('dr-secondary');
    ({ code, results } = await probe([...cluster.nodes.map((n) => n.url), '--ca', caFile, '--timeout', '3000']));
  });

  it('reports perf-standby (473) and dr-secondary (472), all reached', () => {
    expect(code).toBe(0);
    expect(results.map((r) => [r.state, r.httpStatus])).toEqual([
      ['active', 200],
      ['perf-standby', 473],
      ['dr-secondary', 472],
    ]);
    expect(byUrl(results, cluster.nodes[1]?.url ?? '')).toMatchObject({
      sealed: false,
      initialized: true,
      clusterId: cluster.clusterId,
      version: getProfile('vault-1.16').version,
    });
  });
});
