import type { AutopilotServer, AutopilotState, RaftConfiguration } from '../../../../shared/core/vault-types.ts';

/** Autopilot and raft answers of a cluster whose `dead` peers failed; the first id leads. */
export function server(id: string, status: Partial<AutopilotServer> = {}): AutopilotServer {
  return {
    id,
    name: id,
    address: `${id}:8201`,
    nodeStatus: 'alive',
    lastContact: '2ms',
    lastTerm: 1,
    lastIndex: 10,
    healthy: true,
    stableSince: '2025-12-01T00:00:00Z',
    status: 'voter',
    version: '1.19.5',
    ...status,
  };
}

export function cluster(
  ids: string[],
  dead: string[] = [],
  extra: { nonVoters?: string[] } = {},
): { configuration: RaftConfiguration; autopilot: AutopilotState } {
  const voters = ids.filter((id) => !extra.nonVoters?.includes(id));
  const failed = voters.filter((id) => dead.includes(id)).length;
  return {
    configuration: {
      index: 5,
      servers: ids.map((id, i) => ({ nodeId: id, address: `${id}:8201`, leader: i === 0, protocolVersion: '3', voter: voters.includes(id) })),
    },
    autopilot: {
      healthy: dead.length === 0,
      failureTolerance: Math.max(0, Math.floor((voters.length - 1) / 2) - failed),
      leader: ids[0] as string,
      voters,
      servers: Object.fromEntries(
        ids.map((id) => [
          id,
          server(id, {
            ...(dead.includes(id) ? { nodeStatus: 'failed', healthy: false, lastContact: '10m0s' } : {}),
            ...(extra.nonVoters?.includes(id) ? { status: 'non-voter' } : {}),
          }),
        ]),
      ),
    },
  };
}
