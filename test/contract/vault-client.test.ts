import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { getProfile, PROFILE_NAMES, startSimulatedCluster } from '../../shared/simulator/index.ts';
import { readRecordedVersion, startVaultReplayServer } from '../support/vault-replay-server.ts';
import { describeVaultClientContract } from './vault-client.contract.ts';

// The Vault HTTP adapter against the simulator in every version profile...
for (const profile of PROFILE_NAMES) {
  describeVaultClientContract(`vault-http against the simulator (${profile})`, async () => {
    const cluster = await startSimulatedCluster({ profile, nodes: 3, tls: false });
    const active = cluster.activeNode();
    const standby = cluster.nodes.find((node) => node !== active);
    if (!active || !standby || !cluster.init || !cluster.rootToken) throw new Error('simulated cluster did not come up initialised');
    standby.seal();
    const factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-contract' });
    return {
      sealed: factory.client({ url: standby.url, insecureHttp: true }),
      active: factory.client({ url: active.url, insecureHttp: true }),
      token: cluster.rootToken,
      share: cluster.init.keys[0] as string,
      expected: { version: getProfile(profile).version, threshold: 3, shares: 5, raftServers: 3 },
      close: async () => {
        await factory.close();
        await cluster.close();
      },
    };
  });
}

// ...and against recorded answers of real versions (test/fixtures/vault-answers/README.md).
for (const file of ['vault-1.14.9.json', 'vault-1.19.0.json', 'openbao-2.6.0.json']) {
  describeVaultClientContract(`vault-http against recorded answers (${file})`, async () => {
    const recorded = readRecordedVersion(file);
    const replay = await startVaultReplayServer(recorded);
    const sealStatus = recorded.sealed['GET /v1/sys/seal-status']?.body as { t: number; n: number };
    const raft = recorded.active['GET /v1/sys/storage/raft/configuration']?.body as { data: { config: { servers: unknown[] } } };
    const factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-contract' });
    return {
      sealed: factory.client({ url: replay.sealedUrl, insecureHttp: true }),
      active: factory.client({ url: replay.activeUrl, insecureHttp: true }),
      token: replay.token,
      // The recording accepts any share; this one has Vault's length (32 bytes + x-coordinate).
      share: 'a1'.repeat(33),
      expected: { version: recorded.version, threshold: sealStatus.t, shares: sealStatus.n, raftServers: raft.data.config.servers.length },
      close: async () => {
        await factory.close();
        await replay.close();
        if (replay.unmatched.length > 0) throw new Error(`requests without a recorded answer: ${replay.unmatched.join(', ')}`);
      },
    };
  });
}
