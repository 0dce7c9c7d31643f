import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultApiError } from '../../shared/errors.ts';
import type { VaultClient } from '../../shared/ports/vault-client.ts';

/**
 * Two nodes of one initialised 3-node raft cluster with Shamir seal: `sealed` (no unseal
 * attempt in progress) and `active`, with what the test may expect of their answers.
 */
export interface VaultClientScenario {
  sealed: VaultClient;
  active: VaultClient;
  /** A token the cluster accepts for `sys/storage/raft/*` reads. */
  token: string;
  /** One unseal share of the cluster (the sealed node must accept it as progress, not as a wrong key). */
  share: string;
  expected: { version: string; threshold: number; shares: number; raftServers: number };
  close(): Promise<void>;
}

export type VaultClientScenarioFactory = () => Promise<VaultClientScenario>;

/**
 * The guarantees of the VaultClient port (shared/ports/vault-client.ts) that hold for every
 * server speaking Vault's API: answers decode to sealwatch's types (camelCase, no Vault field
 * names leaking through), documented health statuses are answers, not errors, and refusals are
 * VaultApiErrors carrying Vault's status and texts. Tests run in order on one scenario: the
 * unseal tests change the sealed node's progress and reset it.
 */
export function describeVaultClientContract(name: string, factory: VaultClientScenarioFactory): void {
  describe.sequential(`VaultClient contract: ${name}`, () => {
    let s: VaultClientScenario;
    beforeAll(async () => {
      s = await factory();
    });
    afterAll(async () => {
      await s?.close();
    });
    const noVaultNames = (value: object) => expect(Object.keys(value).filter((k) => k.includes('_'))).toEqual([]);

    it('seal-status of the sealed node: initialised, sealed, its threshold and version', async () => {
      const status = await s.sealed.sealStatus();
      expect(status).toMatchObject({
        initialized: true,
        sealed: true,
        t: s.expected.threshold,
        n: s.expected.shares,
        progress: 0,
        nonce: '',
        version: s.expected.version,
        type: 'shamir',
        recoverySeal: false,
      });
      noVaultNames(status);
    });

    it('seal-status of the active node: unsealed, with cluster name and id', async () => {
      const status = await s.active.sealStatus();
      expect(status).toMatchObject({ initialized: true, sealed: false, progress: 0, version: s.expected.version });
      expect(status.clusterName).toMatch(/\S/);
      expect(status.clusterId).toMatch(/\S/);
      noVaultNames(status);
    });

    it('health of the sealed node is the answer 503, not an error', async () => {
      const health = await s.sealed.health();
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ initialized: true, sealed: true, standby: true, version: s.expected.version });
      noVaultNames(health.body ?? {});
    });

    it('health of the active node is 200, not standby', async () => {
      const health = await s.active.health();
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ initialized: true, sealed: false, standby: false, version: s.expected.version });
      noVaultNames(health.body ?? {});
    });

    it('one share on the sealed node is progress 1 of the threshold, with an attempt nonce', async () => {
      const status = await s.sealed.unseal({ key: s.share });
      expect(status).toMatchObject({ sealed: true, t: s.expected.threshold, progress: 1 });
      expect(status.nonce).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reset clears the attempt', async () => {
      const status = await s.sealed.unseal({ reset: true });
      expect(status).toMatchObject({ sealed: true, progress: 0, nonce: '' });
    });

    it('leader of the active node: HA on, this node, its API address', async () => {
      const leader = await s.active.leader();
      expect(leader).toMatchObject({ haEnabled: true, isSelf: true });
      expect(leader.leaderAddress).toMatch(/^https?:\/\/\S+/);
      noVaultNames(leader);
    });

    it('raft configuration: every server once, exactly one leader, addresses host:port', async () => {
      const config = await s.active.raftConfiguration({ token: s.token });
      expect(config.servers).toHaveLength(s.expected.raftServers);
      expect(config.servers.filter((server) => server.leader)).toHaveLength(1);
      expect(new Set(config.servers.map((server) => server.nodeId)).size).toBe(s.expected.raftServers);
      for (const server of config.servers) {
        expect(server.address).toMatch(/^[^\s:]+:\d+$/);
        expect(server.voter).toBe(true);
        noVaultNames(server);
      }
      expect(config.index).toBeGreaterThan(0);
    });

    it('autopilot state: its leader and voters are among its servers, the leader healthy', async () => {
      const state = await s.active.autopilotState({ token: s.token });
      if (!state) throw new Error('autopilot state missing on a raft cluster');
      const ids = Object.keys(state.servers);
      expect(ids).toHaveLength(s.expected.raftServers);
      // One node of the scenario may be sealed: the cluster's health is whatever autopilot says.
      expect(typeof state.healthy).toBe('boolean');
      expect(ids).toContain(state.leader);
      for (const voter of state.voters) expect(ids).toContain(voter);
      for (const server of Object.values(state.servers)) {
        expect(['alive', 'failed', 'left', 'unknown']).toContain(server.nodeStatus);
        expect(['leader', 'voter', 'non-voter', 'staging']).toContain(server.status);
        noVaultNames(server);
      }
      expect(state.servers[state.leader]).toMatchObject({ status: 'leader', healthy: true, nodeStatus: 'alive' });
    });

    it('autopilot configuration: durations as Go duration strings, counts as numbers', async () => {
      const config = await s.active.autopilotConfiguration({ token: s.token });
      expect(config.lastContactThreshold).toMatch(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
      expect(config.deadServerLastContactThreshold).toMatch(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
      expect(Number.isInteger(config.maxTrailingLogs)).toBe(true);
      expect(typeof config.cleanupDeadServers).toBe('boolean');
    });

    it('a token the cluster does not know is refused: VaultApiError 403 saying permission denied', async () => {
      const error = await s.active.raftConfiguration({ token: 'hvs.NOTAVALIDTOKEN00000000000' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultApiError);
      expect((error as VaultApiError).status).toBe(403);
      expect((error as VaultApiError).errors.join(' ')).toContain('permission denied');
    });

    it('leader of a sealed HA node is refused: VaultApiError 503', async () => {
      const error = await s.sealed.leader().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultApiError);
      expect((error as VaultApiError).status).toBe(503);
    });
  });
}
