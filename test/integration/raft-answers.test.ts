import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createVaultHttpClientFactory } from '../../shared/adapters/vault-http.ts';
import { createAuditLog, type AuditLog } from '../../shared/app/audit-log.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { createRaftRecoveryService, type RaftRecoveryService, type RecoveryCluster } from '../../shared/app/raft-recovery-service.ts';
import type { UnsealService } from '../../shared/app/unseal-service.ts';
import type { UnsealNodeResult } from '../../shared/app/unseal-types.ts';
import type { VaultTokenSource } from '../../shared/app/vault-token.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import type { VaultClientFactory } from '../../shared/ports/vault-client.ts';
import { cluster as raftCluster } from '../unit/core/findings/raft-fixtures.ts';

// Raft join and remove-peer decide from what Vault answers. Each row is a real answer of a
// version (status and text, citing the Go source) served by a raw node:http server on 127.0.0.1,
// and the outcome sealwatch must take from it: success only on Vault's success answer, a failure
// report carrying Vault's text otherwise, whatever the wording.

interface Answer {
  status: number;
  body?: unknown;
}

const multierror = (text: string) => `1 error occurred:\n\t* ${text}\n\n`;

let joinAnswer: Answer = { status: 500 };
let removeAnswer: Answer = { status: 500 };
let requests: string[] = [];
let server: http.Server;
const sockets = new Set<net.Socket>();
let base: string;
let factory: VaultClientFactory;
let store: StateStore;
let audit: AuditLog;
let unsealCalls: string[] = [];
let invalidated: string[] = [];
let service: RaftRecoveryService;

function send(res: http.ServerResponse, answer: Answer): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = `${req.method} ${req.url}`;
      requests.push(key);
      if (key === 'GET /v1/sys/init') return send(res, { status: 200, body: { initialized: false } });
      if (key === 'POST /v1/sys/storage/raft/join' || key === 'PUT /v1/sys/storage/raft/join') return send(res, joinAnswer);
      if (key === 'POST /v1/sys/storage/raft/remove-peer' || key === 'PUT /v1/sys/storage/raft/remove-peer') return send(res, removeAnswer);
      send(res, { status: 404, body: { errors: [] } });
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  factory = createVaultHttpClientFactory({ userAgent: 'sealwatch-test/1' });
  store = createMemoryStateStore({ clock: systemClock });
  audit = createAuditLog({ store, clock: systemClock });
  const unseal = {
    async unsealNode({ nodeId }: { nodeId: string }): Promise<UnsealNodeResult> {
      unsealCalls.push(nodeId);
      const timings = { unwrapMs: 0, submitMs: 0, totalMs: 0 };
      const report = { kind: 'unseal', nodeId, outcome: 'unsealed', message: 'unsealed', durationMs: 0 };
      return { nodeId, outcome: 'unsealed', message: 'unsealed', shareIndexes: [], wrappers: [], timings, findings: [], report } as unknown as UnsealNodeResult;
    },
  } as unknown as UnsealService;
  const tokens: VaultTokenSource = {
    tokenFor: async () => 'hvs.TESTTOKENaaaaaaaaaaaaaaaa',
    invalidate: (clusterId) => void invalidated.push(clusterId),
    cached: () => 'hvs.TESTTOKENaaaaaaaaaaaaaaaa',
    store: async () => ({ wrapper: 'none' }),
  };
  service = createRaftRecoveryService({
    store,
    leases: createLeaseManager({ store, clock: systemClock }),
    vault: factory,
    unseal,
    tokens,
    audit,
    clock: systemClock,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await factory?.close();
  await store?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let clusterSeq = 0;
let recovery: RecoveryCluster;
beforeEach(() => {
  requests = [];
  unsealCalls = [];
  invalidated = [];
  clusterSeq += 1;
  const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, url: base, insecureHttp: true }));
  recovery = { id: `raft-${clusterSeq}`, name: 'raft', nodes, raft: { autoJoin: true, removeDeadPeers: { after: 0, minQuorum: 3 } } };
});

type JoinRow = [label: string, answer: Answer, outcome: 'joined' | 'join-failed', text?: string];

const JOIN_ROWS: JoinRow[] = [
  // `http/sys_raft.go` handleSysRaftJoinPost @ v1.14.9 (same @ git 4891122917^, OpenBao @ v2.6.2): 200 {"joined":true}.
  ['success', { status: 200, body: { joined: true } }, 'joined'],
  // JoinRaftCluster returns (true, nil) for an already initialized raft node (`vault/raft.go` @ v1.14.9):
  // sealwatch asks sys/init first, so this 200 only comes from a node it saw uninitialized.
  ['retry:true answered in the background', { status: 200, body: { joined: false } }, 'join-failed', 'joined: false'],
  [
    'non-raft storage (`vault/raft.go` @ v1.14.9, @ v2.6.2)',
    { status: 500, body: { errors: ['raft backend not in use'] } },
    'join-failed',
    'raft backend not in use',
  ],
  [
    'unsealed raft node (`vault/raft.go` @ v1.14.9, @ v2.6.2)',
    { status: 500, body: { errors: ['node must be sealed before joining'] } },
    'join-failed',
    'node must be sealed before joining',
  ],
  [
    'leader unreachable (`vault/raft.go` @ v1.14.9)',
    { status: 500, body: { errors: ['failed to join raft cluster: failed to get raft challenge'] } },
    'join-failed',
    'failed to get raft challenge',
  ],
  [
    'non_voter on CE (`http/sys_raft.go` @ v1.14.9)',
    { status: 400, body: { errors: ['non-voting nodes not allowed'] } },
    'join-failed',
    'non-voting nodes not allowed',
  ],
  [
    're-join with raft data (observed hashicorp/vault#8854)',
    { status: 500, body: { errors: ['raft storage is already initialized'] } },
    'join-failed',
    'raft storage is already initialized',
  ],
  ['an unknown future wording', { status: 500, body: { errors: ['something new entirely'] } }, 'join-failed', 'something new entirely'],
];

describe('raft join: outcome per Vault answer', () => {
  it.each(JOIN_ROWS)('%s', async (_label, answer, outcome, text) => {
    joinAnswer = answer;
    const nodes = [
      { nodeId: 'a', state: 'active' as const },
      { nodeId: 'b', state: 'uninitialized' as const },
    ];
    const [report] = await service.join({ cluster: recovery, nodes, trigger: 'test', signal: AbortSignal.timeout(5_000) });
    expect(report?.outcome).toBe(outcome);
    if (text !== undefined) expect(report?.message).toContain(text);
    // Shares follow only a successful join.
    expect(unsealCalls).toEqual(outcome === 'joined' ? ['b'] : []);
    expect(requests).toEqual(['GET /v1/sys/init', 'POST /v1/sys/storage/raft/join']);
    const events = await audit.list(recovery.id);
    expect(events.map((e) => [e.action, e.node, e.outcome])).toEqual([['raft-join', 'b', outcome]]);
  });
});

type RemoveRow = [label: string, answer: Answer, outcome: 'removed' | 'remove-failed', text?: string];

const REMOVE_ROWS: RemoveRow[] = [
  // handleRaftRemovePeerUpdate returns (nil, nil) → respondOk 204 (`vault/logical_system_raft.go`, `http/handler.go` @ v1.14.9; @ v2.6.2).
  ['success', { status: 204 }, 'removed'],
  [
    'missing id (`vault/logical_system_raft.go` @ v1.14.9, @ v2.6.2)',
    { status: 400, body: { errors: ['no server id provided'] } },
    'remove-failed',
    'no server id provided',
  ],
  [
    'non-raft storage (`vault/logical_system_raft.go` @ v1.14.9)',
    { status: 400, body: { errors: ['raft storage is not in use'] } },
    'remove-failed',
    'raft storage is not in use',
  ],
  // A backend error (not an ErrorResponse) is appended to handleRequest's multierror (`vault/request_handling.go` @ v1.14.9).
  [
    'autopilot not running (`physical/raft/raft.go` @ v1.14.9)',
    { status: 500, body: { errors: [multierror('raft storage autopilot is not initialized')] } },
    'remove-failed',
    'raft storage autopilot is not initialized',
  ],
  [
    'token refused (`vault/request_handling.go` @ v1.14.9 multierror)',
    { status: 403, body: { errors: [multierror('permission denied')] } },
    'remove-failed',
    'permission denied',
  ],
  ['leader sealed meanwhile (`http/handler.go` @ v1.14.9)', { status: 503, body: { errors: ['Vault is sealed'] } }, 'remove-failed', 'Vault is sealed'],
];

describe('raft remove-peer: outcome per Vault answer', () => {
  it.each(REMOVE_ROWS)('%s', async (_label, answer, outcome, text) => {
    removeAnswer = answer;
    const snapshot = raftCluster(['a', 'b', 'c', 'd', 'e'], ['e']);
    const leader = factory.client({ url: base, insecureHttp: true });
    // Decided as the sweep's raft planner decides it, applied as the sweep's executor applies it.
    const decision = await service.decideRemoval({ cluster: recovery, snapshot, reachable: new Set(['a', 'b', 'c', 'd']) });
    if (decision.remove === null) throw new Error('e should be removable');
    const removal = await service.applyRemoval({
      cluster: recovery,
      peer: decision.remove,
      leader,
      token: 'hvs.TESTTOKENaaaaaaaaaaaaaaaa',
      why: decision.why,
      trigger: 'test',
      signal: AbortSignal.timeout(5_000),
    });
    expect(removal.nodeId).toBe('e');
    expect(removal.outcome).toBe(outcome);
    if (text !== undefined) expect(removal.message).toContain(text);
    // A refused token is fetched afresh next time; other failures keep it.
    expect(invalidated).toEqual(answer.status === 403 ? [recovery.id] : []);
    const events = await audit.list(recovery.id);
    expect(events.map((e) => [e.action, e.node, e.outcome])).toEqual([['raft-remove-peer', 'e', outcome]]);
  });
});
