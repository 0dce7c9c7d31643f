import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEksToken } from '../../../shared/adapters/eks-token.ts';
import { createKubernetesCredentials } from '../../../shared/adapters/kubernetes-credentials.ts';
import { createEndpointSliceDiscovery } from '../../../shared/adapters/kubernetes-endpoint-slices.ts';
import type { KubernetesDiscoveryConfig } from '../../../shared/config/types-discovery.ts';
import { createTestPki } from '../../../shared/simulator/test-pki.ts';
import { verifyEksToken } from '../../support/eks-token-verifier.ts';
import { startKubernetesApiFake, type KubernetesApiFake } from '../../support/kubernetes-api-fake.ts';

const KEYS = { accessKeyId: 'AKIDEXAMPLEEKS000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);
let fake: KubernetesApiFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('EKS bearer tokens', () => {
  it('are k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL with x-k8s-aws-id signed', async () => {
    const token = await createEksToken({ cluster: 'prod-eks', region: 'eu-west-1', credentials: KEYS, now: new Date(T0) });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(token.slice(11)).not.toMatch(/[=+/]/);
    const url = new URL(Buffer.from(token.slice(11), 'base64url').toString());
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    const verify = (now: number, cluster = 'prod-eks') => verifyEksToken(token, { cluster, region: 'eu-west-1', ...KEYS, now: () => now });
    expect(await verify(T0 + 60_000)).toEqual({ ok: true });
    expect(await verify(T0 + 16 * 60_000)).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
    expect(await verify(T0, 'other-cluster')).toMatchObject({ ok: false, reason: expect.stringContaining('signature') });
    const wrongKey = await createEksToken({
      cluster: 'prod-eks',
      region: 'eu-west-1',
      credentials: { ...KEYS, secretAccessKey: 'not-the-key' },
      now: new Date(T0),
    });
    expect(await verifyEksToken(wrongKey, { cluster: 'prod-eks', region: 'eu-west-1', ...KEYS, now: () => T0 })).toMatchObject({ ok: false });
  });

  it('are accepted by the API server fake; an expired one is refused (401) and a fresh one sent', async () => {
    let serverNow = T0;
    let clientNow = T0;
    fake = await startKubernetesApiFake({
      namespace: 'vault',
      service: 'vault-internal',
      pki: await createTestPki(),
      eks: { cluster: 'prod-eks', region: 'eu-west-1', ...KEYS, now: () => serverNow },
    });
    fake.setPods([{ name: 'vault-0', address: '10.0.0.1', port: 8200 }]);
    const config: KubernetesDiscoveryConfig = {
      namespace: 'vault',
      service: 'vault-internal',
      scheme: 'https',
      insecureHttp: false,
      api: { kind: 'eks', cluster: 'prod-eks', region: 'eu-west-1', server: fake.url, caPem: fake.caPem as string },
    };
    const credentials = createKubernetesCredentials(config.api, { env: {}, now: () => clientNow, awsCredentials: async () => KEYS });
    const discovery = createEndpointSliceDiscovery(config, credentials);
    expect((await discovery.discover(AbortSignal.timeout(5000))).map((n) => n.id)).toEqual(['vault-0']);
    const first = fake.requests[0]?.auth;
    // Lambda frozen for a while: the cached token (5 min old on our clock) is 16 min old for the server.
    clientNow = T0 + 5 * 60_000;
    serverNow = T0 + 16 * 60_000;
    expect((await discovery.discover(AbortSignal.timeout(5000))).map((n) => n.id)).toEqual(['vault-0']);
    expect(fake.requests.slice(1).map((r) => r.status)).toEqual([401, 200]);
    expect(fake.requests[1]?.auth).toBe(first);
    expect(fake.requests[2]?.auth).not.toBe(first);
    // Past 14 minutes the token is renewed before use: no 401 at all.
    clientNow = T0 + 20 * 60_000;
    serverNow = T0 + 20 * 60_000;
    await discovery.discover(AbortSignal.timeout(5000));
    expect(fake.requests.at(-1)?.status).toBe(200);
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('a kubeconfig user with an exec plugin is refused with the alternatives named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealwatch-kubeconfig-'));
    const path = join(dir, 'config');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: eks',
        'contexts: [{name: eks, context: {cluster: c, user: u}}]',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token, --cluster-name, prod]}}}]',
      ].join('\n'),
    );
    const credentials = createKubernetesCredentials({ kind: 'kubeconfig', path }, { env: {}, now: Date.now });
    await expect(credentials.connection(AbortSignal.timeout(1000))).rejects.toMatchObject({
      failure: 'unsupported',
      message: expect.stringContaining('eks: {cluster, region}'),
    });
  });

  it('inCluster re-reads the service-account token on every use (it rotates)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealwatch-sa-'));
    writeFileSync(join(dir, 'token'), 'first\n');
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    const credentials = createKubernetesCredentials(
      { kind: 'in-cluster' },
      { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, now: Date.now, serviceAccountDir: dir },
    );
    expect(await credentials.connection(AbortSignal.timeout(1000))).toEqual({ server: 'https://10.96.0.1:443', token: 'first', caPem: 'CA' });
    writeFileSync(join(dir, 'token'), 'rotated\n');
    expect((await credentials.connection(AbortSignal.timeout(1000))).token).toBe('rotated');
  });
});
