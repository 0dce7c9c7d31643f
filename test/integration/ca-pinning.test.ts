import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCommand } from '../../functions/cli/commands/init.ts';
import { recoverCommand } from '../../functions/cli/commands/recover.ts';
import { tokenCommand } from '../../functions/cli/commands/token.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createAwsIamLogin } from '../../shared/adapters/aws-iam-vault-auth.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createCustodyService, type CustodyCluster } from '../../shared/app/custody-service.ts';
import { createAuditLog } from '../../shared/app/audit-log.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createRaftInspector } from '../../shared/app/inspectors/raft-inspector.ts';
import { createRaftReader } from '../../shared/app/raft-read.ts';
import type { RecoveryCluster } from '../../shared/app/raft-recovery-service.ts';
import { createVaultTokenSource, type VaultTokenSource } from '../../shared/app/vault-token.ts';
import type { VaultAuthConfig } from '../../shared/config/types.ts';
import type { ClusterPlan } from '../../shared/core/plan-sweep.ts';
import { UnpinnedTargetError } from '../../shared/core/pinned-target.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { FakeClock } from '../support/fake-clock.ts';

// A cluster without tls.caPem whose https nodes answer with a certificate the system CAs trust
// (DNS hijacked, any public certificate): tokens, the IAM login and sys/init must never reach
// them. The "hijacked" factory below trusts the simulator's CA whenever a target carries no CA,
// as the system store would trust a public certificate, so a missing refusal would deliver.

const auth: Extract<VaultAuthConfig, { kind: 'aws-iam' }> = { kind: 'aws-iam', role: 'sealwatch', mount: 'aws', region: 'eu-west-1' };
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
const env = { SW_TEST_KEY: randomBytes(32).toString('base64'), SEALWATCH_LOG_LEVEL: 'info' };

let live: SimulatedCluster;
let fresh: SimulatedCluster;
let dir: string;
let configPath: string;
const real = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });

function hijacked(sim: SimulatedCluster): VaultClientFactory {
  return {
    client: (target) => real.client(target.caPem === undefined && !target.insecureHttp ? { ...target, caPem: sim.caPem ?? '' } : target),
    close: async () => {},
  };
}

const bare = (id: string, sim: SimulatedCluster) => ({ id, name: id, nodes: sim.nodes.map((n) => ({ id: n.id, url: n.url })) });
const pinned = (id: string, sim: SimulatedCluster) => ({ ...bare(id, sim), tls: { caPem: sim.caPem ?? '' } });
const all = (sim: SimulatedCluster) => sim.nodes.flatMap((n) => n.requestLog);
const mark = (sim: SimulatedCluster) => sim.nodes.map((n) => n.requestLog.length);
const since = (sim: SimulatedCluster, at: number[]) => sim.nodes.flatMap((n, i) => n.requestLog.slice(at[i] ?? 0));

beforeAll(async () => {
  [live, fresh] = await Promise.all([
    startSimulatedCluster({ nodes: 3, awsAuth: { roles: ['sealwatch'], ttlSeconds: 600 } }),
    startSimulatedCluster({ nodes: 1, init: false }),
  ]);
  expect(live.nodes[0]?.url).toMatch(/^https:/);
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-ca-pinning-'));
  configPath = join(dir, 'sealwatch.json');
  await writeFile(
    configPath,
    JSON.stringify({
      state: { embedded: { path: './state' } },
      wrappers: [{ id: 'local-1', local: { key: '${env:SW_TEST_KEY}' } }],
      clusters: [
        { id: 'live', nodes: bare('live', live).nodes, auth: { token: {} }, raft: { autoJoin: true } },
        { id: 'fresh', nodes: bare('fresh', fresh).nodes },
      ],
    }),
  );
});

afterAll(async () => {
  await real.close();
  await Promise.all([live?.close(), fresh?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function countingTokens(token: string): VaultTokenSource & { calls: number } {
  const source = {
    calls: 0,
    async tokenFor() {
      source.calls += 1;
      return token;
    },
    invalidate() {},
    cached: () => null,
    async store(): Promise<{ wrapper: string }> {
      throw new Error('not used');
    },
  };
  return source;
}

function planOf(sim: SimulatedCluster): ClusterPlan {
  const active = sim.activeNode()?.id;
  return {
    clusterId: 'live',
    nodes: sim.nodes.map((n) => ({ nodeId: n.id, url: n.url, state: n.id === active ? 'active' : 'standby' })),
  } as unknown as ClusterPlan;
}

/** The sweep's raft read of the cluster, then the raft inspector on it (as a sweep runs them). */
async function inspect(cluster: RecoveryCluster, tokens: VaultTokenSource) {
  const read = createRaftReader({ clusters: new Map([[cluster.id, cluster]]), vault: hijacked(live), tokens });
  const plan = planOf(live);
  const raft = await read({ cluster, plan, signal: AbortSignal.timeout(5_000) });
  return createRaftInspector({ clock: new FakeClock() }).inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(5_000), raft });
}

describe('raft inspector with a token', () => {
  it('sends the token to a pinned cluster (control: the request log sees tokens)', async () => {
    const at = mark(live);
    const tokens = countingTokens(live.rootToken ?? '');
    await inspect({ ...pinned('live', live), auth: { kind: 'token' } }, tokens);
    expect(since(live, at).filter((r) => r.token).length).toBeGreaterThan(0);
  });

  it('without caPem: an auth.ca-required finding, no token fetched, none sent', async () => {
    const at = mark(live);
    const tokens = countingTokens(live.rootToken ?? '');
    const findings = await inspect({ ...bare('live', live), auth: { kind: 'token' } }, tokens);
    expect(findings.map((f) => [f.id, f.severity, f.node])).toEqual([['auth.ca-required', 'warning', live.activeNode()?.id]]);
    expect(findings[0]?.message).toMatch(/cluster live has no tls\.caFile\/caPem/);
    expect(tokens.calls).toBe(0);
    expect(since(live, at).filter((r) => r.token)).toEqual([]);
  });
});

describe('AWS IAM login', () => {
  it('without caPem: refused before signing, no auth/aws/login request', async () => {
    const at = mark(live);
    const cluster = { ...bare('live', live), auth };
    const tokens = createVaultTokenSource({
      custody: createCustodyRepository(createMemoryStateStore({ clock: new FakeClock() })),
      wrappers: { get: () => undefined, ids: () => [] },
      clock: new FakeClock(),
      awsIam: createAwsIamLogin({ vault: hijacked(live), clusters: [cluster], credentials }),
    });
    const error = await tokens.tokenFor(cluster, AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnpinnedTargetError);
    expect((error as Error).message).toMatch(/cluster live has no tls\.caFile\/caPem/);
    expect(since(live, at).filter((r) => r.path.includes('/auth/aws/login'))).toEqual([]);
  });

  it('with caPem the same login goes through (control)', async () => {
    const at = mark(live);
    const cluster = { ...pinned('live', live), auth };
    const login = createAwsIamLogin({ vault: hijacked(live), clusters: [cluster], credentials });
    expect((await login(cluster, auth, AbortSignal.timeout(5_000))).token).toMatch(/^hvs\./);
    expect(since(live, at).filter((r) => r.path === '/v1/auth/aws/login')).toHaveLength(1);
  });
});

describe('custody init', () => {
  it('without caPem: refused, no sys/init request, the node stays uninitialised', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const wrapper = createLocalKeyWrapper({ id: 'local-1', key: randomBytes(32) });
    const cluster: CustodyCluster = { id: 'fresh', nodes: bare('fresh', fresh).nodes };
    const store = createMemoryStateStore({ clock });
    const service = createCustodyService({
      clusters: [cluster],
      wrappers: { get: (id) => (id === 'local-1' ? wrapper : undefined), ids: () => ['local-1'], facts: () => [] },
      store,
      leases: createLeaseManager({ store, clock }),
      audit: createAuditLog({ store, clock }),
      vault: hijacked(fresh),
      clock,
      logger: silentLogger,
      nodeTimeoutMs: 2_000,
    });
    const error = await service.initialize({ clusterId: 'fresh', shares: 3, threshold: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnpinnedTargetError);
    expect(all(fresh).filter((r) => r.path === '/v1/sys/init' && r.method !== 'GET')).toEqual([]);
    expect(fresh.nodes[0]?.state().initialized).toBe(false);
  });
});

function cliIo(stdin = ''): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => stdin, env, cwd: dir },
    out: () => out,
    err: () => err,
  };
}

describe('CLI without caPem', () => {
  it('token set: exit 1, clear error, the token is sent to no node', async () => {
    const at = mark(live);
    const token = live.rootToken ?? '';
    const run = cliIo(`${token}\n`);
    expect(await tokenCommand(['set', '--cluster', 'live', '--config', configPath], run.io)).toBe(1);
    expect(run.err()).toMatch(/token set: not stored, token not sent: cluster live has no tls\.caFile\/caPem/);
    expect(run.err() + run.out()).not.toContain(token);
    expect(since(live, at)).toEqual([]);
  });

  it('init: exit 1, clear error, no sys/init', async () => {
    const run = cliIo();
    expect(await initCommand(['--cluster', 'fresh', '--shares', '3', '--threshold', '2', '--config', configPath], run.io)).toBe(1);
    expect(run.err()).toMatch(/sealwatch init: cluster fresh has no tls\.caFile\/caPem/);
    expect(all(fresh).filter((r) => r.path === '/v1/sys/init' && r.method !== 'GET')).toEqual([]);
  });

  it('recover: exit 1, clear error, nothing sent', async () => {
    const at = mark(live);
    const run = cliIo();
    expect(await recoverCommand(['--cluster', 'live', '--config', configPath], run.io)).toBe(1);
    expect(run.err()).toMatch(/sealwatch recover: nothing done: cluster live has no tls\.caFile\/caPem/);
    expect(since(live, at)).toEqual([]);
  });
});
