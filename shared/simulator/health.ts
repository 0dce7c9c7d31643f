/** `GET|HEAD /v1/sys/health` (Vault `http/sys_health.go` @ v1.14.9): status code selection, query overrides, per-version body. */
import { errorResponse, METHOD_NOT_ALLOWED, type SimRequest, type SimResponse } from './responses.ts';
import { goJson } from './go-format.ts';
import type { SimNode } from './sim-node.ts';

const GO_BOOLS: Record<string, boolean> = {
  '': false, // empty value = false (Vault `http/sys_health.go` getSysHealth @ v1.14.9)
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

// Simulated standby timings: a healthy standby heartbeats about every second; an unhealthy one
// has missed at least two heartbeats (PR #28991).
const HEARTBEAT_MS = 512;
const UNHEALTHY_HEARTBEAT_MS = 5_120;
const STANDBY_CANARY_AGE_MS = 72;

type Parsed = { ok: true; bools: Record<string, boolean>; codes: Record<string, number> } | { ok: false };

/** Only the parameters the profile honours are read; others are ignored even when malformed. */
function parseParams(node: SimNode, query: URLSearchParams): Parsed {
  const bools: Record<string, boolean> = {};
  const codes: Record<string, number> = {};
  for (const name of node.ctx.profile.healthParams) {
    const value = query.get(name);
    if (value === null) continue;
    if (name === 'standbyok' || name === 'perfstandbyok') {
      const parsed = GO_BOOLS[value];
      if (parsed === undefined) return { ok: false };
      bools[name] = parsed;
    } else {
      // strconv.Atoi: optional sign, decimal digits.
      if (!/^[+-]?\d+$/.test(value)) return { ok: false };
      codes[name] = Number(value);
    }
  }
  return { ok: true, bools, codes };
}

function haConnectionUnhealthy(node: SimNode): boolean {
  return node.heartbeated && (node.haUnhealthy || node.activePeer() === null);
}

/** First matching rule wins (Vault `http/sys_health.go` getSysHealth @ v1.14.9). */
function statusCode(node: SimNode, p: { bools: Record<string, boolean>; codes: Record<string, number> }): number {
  const code = (name: string, fallback: number): number => p.codes[name] ?? fallback;
  const { profile } = node.ctx;
  if (!node.initialized()) return code('uninitcode', 501);
  if (profile.removal119 && node.removed) return code('removedcode', 530);
  if (node.sealed) return code('sealedcode', 503);
  if (node.isStandby() && profile.removal119 && haConnectionUnhealthy(node)) return code('haunhealthycode', 474);
  // Rules 5 and 6 are Enterprise-only (Vault `http/sys_health.go` getSysHealth @ v1.14.9): only a node given that role reaches them.
  if (node.enterpriseRole === 'dr-secondary') return code('drsecondarycode', 472);
  if (node.isStandby()) {
    if (node.enterpriseRole === 'perf-standby') {
      return p.bools['perfstandbyok'] === true ? code('activecode', 200) : code('performancestandbycode', 473);
    }
    return p.bools['standbyok'] === true ? code('activecode', 200) : code('standbycode', 429);
  }
  return code('activecode', 200);
}

function healthBody(node: SimNode): Record<string, unknown> {
  const { profile, storageType, now } = node.ctx;
  const barrier = node.group?.barrier ?? null;
  const unsealed = barrier !== null && !node.sealed;
  const standby = !unsealed || node.isStandby();
  const active = node.activePeer();
  // Standbys report the active's replication state once it has heartbeated to them (Vault `http/sys_health.go` HealthResponse @ v1.14.9).
  const known = unsealed && (!standby || active !== null);
  const body: Record<string, unknown> = {
    initialized: barrier !== null,
    sealed: barrier === null ? true : node.sealed,
    standby,
  };
  if (profile.healthPerformanceStandby) {
    body['performance_standby'] = unsealed && standby && node.enterpriseRole === 'perf-standby';
  }
  if (profile.healthReplicationModes) {
    body['replication_performance_mode'] = known ? 'disabled' : 'unknown';
    body['replication_dr_mode'] = known ? (node.enterpriseRole === 'dr-secondary' ? 'secondary' : 'disabled') : 'unknown';
  }
  body['server_time_utc'] = Math.floor(now() / 1000);
  body['version'] = node.reportedVersion();
  if (profile.health116Fields) body['enterprise'] = node.enterpriseRole !== 'none';
  if (unsealed && barrier !== null) {
    body['cluster_name'] = barrier.clusterName;
    body['cluster_id'] = barrier.clusterId;
  }
  if (profile.health116Fields) {
    body['echo_duration_ms'] = 0;
    body['clock_skew_ms'] = 0;
    body['replication_primary_canary_age_ms'] = unsealed && standby && active !== null ? STANDBY_CANARY_AGE_MS : 0;
  }
  if (profile.removal119) {
    if (storageType === 'raft') body['removed_from_cluster'] = node.removed;
    if (unsealed && standby && node.heartbeated) {
      const unhealthy = haConnectionUnhealthy(node);
      body['ha_connection_healthy'] = !unhealthy;
      body['last_request_forwarding_heartbeat_ms'] = unhealthy ? UNHEALTHY_HEARTBEAT_MS : HEARTBEAT_MS;
    }
  }
  return body;
}

export function handleHealth(node: SimNode, req: SimRequest): SimResponse {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) return METHOD_NOT_ALLOWED;
  const params = parseParams(node, req.query);
  if (!params.ok) return head ? { status: 400 } : errorResponse(400);
  const status = statusCode(node, params);
  // Go's WriteHeader panics on codes outside 100..999 and the connection dies (Vault `http/sys_health.go` getSysHealth @ v1.14.9).
  if (status < 100 || status > 999) return { status: -1 };
  if (head) return { status, headers: { 'content-type': 'application/json' } };
  if (status === 204 || status === 304 || status < 200) return { status };
  return { status, body: goJson(healthBody(node)) };
}
