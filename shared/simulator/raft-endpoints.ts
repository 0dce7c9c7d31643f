/** Raft join, configuration and remove-peer (Vault `http/sys_raft.go`, `vault/raft.go`, `vault/logical_system_raft.go` @ v1.14.9). */
import { decodeGoJson, bool, str, type GoStruct } from './go-json.ts';
import type { LogicalRoute } from './logical.ts';
import { envelope, errorResponse, METHOD_NOT_ALLOWED, noContent, ok, type SimRequest, type SimResponse } from './responses.ts';
import type { SimNode } from './sim-node.ts';

const JOIN_REQUEST: GoStruct = {
  goName: 'JoinRequest',
  qualifiedName: 'http.JoinRequest',
  fields: [
    { name: 'auto_join', type: 'string' },
    { name: 'auto_join_scheme', type: 'string' },
    { name: 'auto_join_port', type: 'uint' },
    { name: 'leader_api_addr', type: 'string' },
    { name: 'leader_ca_cert', type: 'string' },
    { name: 'leader_client_cert', type: 'string' },
    { name: 'leader_client_key', type: 'string' },
    { name: 'leader_tls_servername', type: 'string' },
    { name: 'retry', type: 'bool' },
    { name: 'non_voter', type: 'bool' },
  ],
};

const REMOVE_PEER_REQUEST: GoStruct = {
  goName: 'RemovePeerRequest',
  qualifiedName: 'map[string]interface {}',
  // Logical bodies decode into a map; the framework coerces types later.
  fields: [
    { name: 'server_id', type: 'any' },
    { name: 'dr_operation_token', type: 'any' },
  ],
};

const RAFT_NOT_IN_USE = errorResponse(400, 'raft storage is not in use');

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Joins `node` to the raft cluster led by the node at `leaderApiAddr`; an error text or null. */
function join(node: SimNode, leaderApiAddr: string): string | null {
  const leader = node.ctx.nodes.find((n) => n.isActive() && trimSlash(n.url) === trimSlash(leaderApiAddr));
  if (leader === undefined || leader.group === null || !leader.group.raft) {
    return 'failed to join raft cluster: failed to get raft challenge';
  }
  node.attempt = null;
  node.sealed = true;
  leader.group.add(node);
  // A Shamir joiner waits for the cluster's shares; an auto-unseal joiner unseals on its own.
  node.tryAutoUnseal();
  return null;
}

/** Join: unauthenticated, never forwarded (Vault `http/sys_raft.go` @ v1.14.9). */
export function handleRaftJoin(node: SimNode, req: SimRequest): SimResponse {
  if (req.method !== 'PUT' && req.method !== 'POST') return METHOD_NOT_ALLOWED;
  const decoded = decodeGoJson(req.body, JOIN_REQUEST, node.ctx.profile.jsonErrorPrefix);
  if (!decoded.ok) return errorResponse(400, decoded.error);
  const { values } = decoded;
  // V114 CE refuses non-voters (nonVotersAllowed = false).
  if (bool(values, 'non_voter')) return errorResponse(400, 'non-voting nodes not allowed');
  const scheme = str(values, 'auto_join_scheme');
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    return errorResponse(400, `invalid scheme "${scheme}"; must either be http or https`);
  }
  if (node.ctx.storageType !== 'raft') return errorResponse(500, 'raft backend not in use');
  if (node.removed && node.ctx.profile.removal119) return errorResponse(500, node.ctx.removedNodeJoinError);
  // Already initialized raft storage: a no-op that still says joined (even if cut out of raft).
  if (node.initialized()) return ok({ joined: true });
  const leaderApiAddr = str(values, 'leader_api_addr');
  if (bool(values, 'retry')) {
    // Background join every 2 s in Vault; the simulator tries once, right after answering.
    setImmediate(() => {
      if (!node.initialized() && node.alive) join(node, leaderApiAddr);
    });
    return ok({ joined: false });
  }
  const failure = join(node, leaderApiAddr);
  return failure === null ? ok({ joined: true }) : errorResponse(500, failure);
}

function raftConfiguration(node: SimNode): SimResponse {
  const group = node.group;
  if (group === null || !group.raft) return RAFT_NOT_IN_USE;
  const servers = group.voters().map((member) => ({
    node_id: member.id,
    address: (member as SimNode).clusterAddress,
    leader: member.id === group.activeId,
    protocol_version: '3',
    voter: true,
  }));
  return envelope(node.ctx.profile, { config: { index: group.raftIndex, servers } });
}

/** GET; DR secondaries POST the same read with a `dr_operation_token`. */
export const RAFT_CONFIGURATION: LogicalRoute = {
  operations: { read: raftConfiguration, update: raftConfiguration },
};

/** Remove-peer (Vault `vault/logical_system_raft.go` @ v1.14.9); on 1.19 the removed node seals itself and reports `removed_from_cluster`. */
export const RAFT_REMOVE_PEER: LogicalRoute = {
  body: REMOVE_PEER_REQUEST,
  operations: {
    update: (node, values) => {
      const serverId = str(values, 'server_id');
      if (serverId === '') return errorResponse(400, 'no server id provided');
      const group = node.group;
      if (group === null || !group.raft) return RAFT_NOT_IN_USE;
      const removed = group.members.get(serverId);
      if (removed === undefined) return noContent();
      group.remove(serverId);
      const removedNode = removed as SimNode;
      if (removedNode.group === group) {
        removedNode.removed = true;
        if (removedNode.ctx.profile.removal119) removedNode.seal();
      }
      group.elect();
      return noContent();
    },
  },
};
