import { describe, expect, it } from 'vitest';
import { withoutPeers, type RaftRead } from '../../../shared/app/raft-read.ts';
import type { AutopilotServer } from '../../../shared/core/vault-types.ts';

const server = (id: string): AutopilotServer => ({
  id,
  name: id,
  address: `${id}:8201`,
  nodeStatus: 'alive',
  lastContact: '0s',
  lastTerm: 2,
  lastIndex: 10,
  healthy: true,
  stableSince: '2026-12-07T10:00:00Z',
  status: 'voter',
  version: '1.19.0',
});

const read: RaftRead = {
  kind: 'read',
  leaderId: 'a',
  configuration: {
    index: 10,
    servers: ['a', 'b', 'c'].map((id) => ({ nodeId: id, address: `${id}:8201`, leader: id === 'a', protocolVersion: '3', voter: true })),
  },
  autopilot: { healthy: false, failureTolerance: 0, leader: 'a', voters: ['a', 'b', 'c'], servers: { a: server('a'), b: server('b'), c: server('c') } },
  autopilotConfig: {
    cleanupDeadServers: false,
    lastContactThreshold: '10s',
    deadServerLastContactThreshold: '24h',
    maxTrailingLogs: 1000,
    minQuorum: 3,
    serverStabilizationTime: '10s',
  },
};

describe('withoutPeers', () => {
  it('drops removed peers from the configuration, autopilot servers and voters; keeps the rest as read', () => {
    const after = withoutPeers(read, ['c']);
    if (after.kind !== 'read') throw new Error('not a read');
    expect(after.configuration.servers.map((s) => s.nodeId)).toEqual(['a', 'b']);
    expect(Object.keys(after.autopilot?.servers ?? {})).toEqual(['a', 'b']);
    expect(after.autopilot?.voters).toEqual(['a', 'b']);
    expect(after.autopilot?.failureTolerance).toBe(0);
    expect(after.autopilotConfig).toBe(read.autopilotConfig);
  });

  it('leaves a read alone when nothing was removed, and a failed or refused read as it is', () => {
    expect(withoutPeers(read, [])).toBe(read);
    const failed: RaftRead = { kind: 'failed', leaderId: 'a', error: new Error('x') };
    expect(withoutPeers(failed, ['c'])).toBe(failed);
  });
});
