import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAwsIamLoginBody, createAwsIamLogin } from '../../shared/adapters/aws-iam-vault-auth.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { createVaultTokenSource } from '../../shared/app/vault-token.ts';
import type { VaultAuthConfig } from '../../shared/config/types.ts';
import { VaultApiError } from '../../shared/errors.ts';
import { startSimulatedCluster, type SimulatedCluster } from '../../shared/simulator/index.ts';
import { sweepClusterOf } from '../support/custody-fixture.ts';
import { FakeClock } from '../support/fake-clock.ts';

// Vault's AWS IAM auth method: a SigV4-signed sts:GetCallerIdentity in the login body, the
// token cached until shortly before its lease ends, then a fresh login.

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
const auth: Extract<VaultAuthConfig, { kind: 'aws-iam' }> = {
  kind: 'aws-iam',
  role: 'sealwatch',
  mount: 'aws',
  region: 'eu-west-1',
  serverIdHeader: 'vault.example.com',
};
let sim: SimulatedCluster;
const vault = createVaultHttpClientFactory({ userAgent: 'sealwatch-test' });

beforeAll(async () => {
  sim = await startSimulatedCluster({ nodes: 2, awsAuth: { roles: ['sealwatch'], ttlSeconds: 600, serverId: 'vault.example.com' } });
});

afterAll(async () => {
  await vault.close();
  await sim?.close();
});

const logins = () => sim.nodes.flatMap((n) => n.requestLog.filter((r) => r.path === '/v1/auth/aws/login'));

describe('AWS IAM login body', () => {
  it('is a signed GetCallerIdentity for the region with the server id header signed', async () => {
    const body = await buildAwsIamLoginBody({
      role: 'r',
      region: 'eu-west-1',
      serverIdHeader: 'vault.example.com',
      credentials,
      signingDate: new Date('2026-01-01T00:00:00Z'),
    });
    const decode = (s: string) => Buffer.from(s, 'base64').toString('utf8');
    expect(decode(body.iam_request_url)).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(decode(body.iam_request_body)).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    const headers = JSON.parse(decode(body.iam_request_headers)) as Record<string, string[]>;
    expect(headers['x-amz-date']).toEqual(['20260101T000000Z']);
    expect(headers['authorization']?.[0]).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260101\/eu-west-1\/sts\/aws4_request, SignedHeaders=[^,]*x-vault-aws-iam-server-id[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.stringify(body)).not.toContain('wJalrXUtnFEMI');
  });
});

describe('token source with aws-iam auth', () => {
  it('logs in once, reuses the token until shortly before its lease ends, and the token reads raft', async () => {
    const clock = new FakeClock();
    const cluster = { ...sweepClusterOf(sim, 'iam'), auth };
    const tokens = createVaultTokenSource({
      custody: createCustodyRepository(createMemoryStateStore({ clock })),
      wrappers: { get: () => undefined, ids: () => [] },
      clock,
      awsIam: createAwsIamLogin({ vault, clusters: [cluster], credentials }),
    });
    const signal = AbortSignal.timeout(10_000);
    const first = await tokens.tokenFor(cluster, signal);
    expect(first).toMatch(/^hvs\./);
    expect(await tokens.tokenFor(cluster, signal)).toBe(first);
    expect(logins()).toHaveLength(1);
    expect(logins()[0]?.token).toBe(false);

    const active = vault.client({ url: sim.activeNode()?.url ?? '', caPem: sim.caPem ?? '' });
    const config = await active.raftConfiguration({ token: first as string, signal });
    expect(config.servers.map((s) => s.nodeId).sort()).toEqual(sim.nodes.map((n) => n.id).sort());

    clock.advance(539_000); // 600 s lease, renewed 60 s early
    expect(await tokens.tokenFor(cluster, signal)).toBe(first);
    clock.advance(2_000);
    const second = await tokens.tokenFor(cluster, signal);
    expect(second).not.toBe(first);
    expect(logins()).toHaveLength(2);
  });

  it('a role Vault does not know is refused, and the error carries no secret', async () => {
    const cluster = { ...sweepClusterOf(sim, 'iam'), auth: { ...auth, role: 'intruder' } };
    const login = createAwsIamLogin({ vault, clusters: [cluster], credentials });
    const error = await login(cluster, cluster.auth, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultApiError);
    expect((error as VaultApiError).status).toBe(400);
    expect(String((error as Error).message)).toMatch(/role intruder not found/);
    expect(String((error as Error).message)).not.toMatch(/AWS4-HMAC|wJalr/);
  });
});
