/** Path → handler table of the simulated `/v1/` API. Unknown paths → 404 `{"errors":[]}`. */
import { AUTOPILOT_CONFIGURATION, AUTOPILOT_STATE } from './autopilot.ts';
import { handleAwsLogin } from './aws-auth.ts';
import { handleHealth } from './health.ts';
import { handleInit } from './init.ts';
import { handleLogical, type LogicalRoute } from './logical.ts';
import { handleRaftJoin, RAFT_CONFIGURATION, RAFT_REMOVE_PEER } from './raft-endpoints.ts';
import { NOT_FOUND, type SimRequest, type SimResponse } from './responses.ts';
import { handleSealStatus } from './seal-status.ts';
import type { SimNode } from './sim-node.ts';
import { HA_STATUS, handleLeader, handleSeal, handleSealBackendStatus, handleStepDown, KEY_STATUS } from './status-endpoints.ts';
import { handleUnseal } from './unseal.ts';

type Handler = (node: SimNode, req: SimRequest) => SimResponse | Promise<SimResponse>;

const logical =
  (route: LogicalRoute): Handler =>
  (node, req) =>
    handleLogical(route, node, req);

const ROUTES = new Map<string, Handler>([
  // Raw handlers, served locally (Vault `http/handler.go`, `vault/request_handling.go` @ v1.14.9).
  ['sys/seal-status', handleSealStatus],
  ['sys/unseal', handleUnseal],
  ['sys/init', handleInit],
  ['sys/seal', handleSeal],
  ['sys/leader', handleLeader],
  ['sys/health', handleHealth],
  ['sys/seal-backend-status', handleSealBackendStatus],
  ['sys/storage/raft/join', handleRaftJoin],
  ['auth/aws/login', handleAwsLogin],
  // Forwarded to the active node.
  ['sys/step-down', handleStepDown],
  ['sys/ha-status', logical(HA_STATUS)],
  ['sys/key-status', logical(KEY_STATUS)],
  ['sys/storage/raft/configuration', logical(RAFT_CONFIGURATION)],
  ['sys/storage/raft/remove-peer', logical(RAFT_REMOVE_PEER)],
  ['sys/storage/raft/autopilot/state', logical(AUTOPILOT_STATE)],
  ['sys/storage/raft/autopilot/configuration', logical(AUTOPILOT_CONFIGURATION)],
]);

export function route(node: SimNode, req: SimRequest): SimResponse | Promise<SimResponse> {
  const handler = ROUTES.get(req.path);
  return handler === undefined ? NOT_FOUND : handler(node, req);
}
