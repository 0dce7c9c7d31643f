/**
 * HTTP side of simulated nodes. One http(s) server per cluster does the protocol work and holds
 * the single TLS context; each node only owns a plain TCP listener that hands its connections
 * over, so a thousand nodes cost a thousand listening sockets and one TLS context per cluster.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { goJson } from './go-format.ts';
import { errorResponse, NOT_FOUND, type SimRequest, type SimResponse } from './responses.ts';
import { route } from './router.ts';
import type { SimNode } from './sim-node.ts';

const MAX_BODY_BYTES = 1 << 20;
const SIMULATED_FAILURE = goJson({ errors: ['simulated failure'] });
const TRUNCATED_JSON = '{"type":"shamir","initialized":true,"sealed":fa';

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** The cluster's protocol server; it never listens itself. */
export function createRequestServer(tls: TlsMaterial | null, nodesByPort: Map<number, SimNode>): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const node = nodesByPort.get(req.socket.localPort ?? -1);
    if (node === undefined || !node.alive) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
      handle(node, req, res, body).catch(() => {
        if (!res.headersSent) write(res, errorResponse(500, 'internal simulator error'));
      });
    });
  };
  // Vault's tcp listener keeps idle connections for http_idle_timeout, default "5m" (listener docs).
  const options = { keepAlive: true, keepAliveTimeout: 300_000 };
  return tls === null ? createHttpServer(options, onRequest) : createHttpsServer({ ...options, ...tls }, onRequest);
}

/** Starts (or restarts, on its old port) the node's listener. */
export async function listenNode(node: SimNode, requestServer: Server, port: number): Promise<void> {
  const listener = createNetServer((socket) => {
    node.sockets.add(socket);
    socket.on('close', () => node.sockets.delete(socket));
    requestServer.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, node.ctx.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('simulator listener has no port');
  node.port = address.port;
  node.netServer = listener;
  node.alive = true;
}

/** Stops listening and drops every open connection (clients see refused / reset). */
export async function stopNode(node: SimNode): Promise<void> {
  const listener = node.netServer;
  node.alive = false;
  node.netServer = null;
  for (const socket of node.sockets) socket.destroy();
  node.sockets.clear();
  if (listener !== null) await new Promise<void>((resolve) => listener.close(() => resolve()));
}

function toSimRequest(req: IncomingMessage, pathname: string, rawQuery: string, body: string): SimRequest {
  const vaultToken = req.headers['x-vault-token'];
  const authorization = req.headers.authorization;
  let token: string | null = typeof vaultToken === 'string' && vaultToken !== '' ? vaultToken : null;
  if (token === null && authorization?.startsWith('Bearer ') === true) token = authorization.slice(7);
  return {
    method: req.method ?? 'GET',
    path: pathname.slice(4).replace(/\/+$/, ''),
    rawQuery,
    query: new URLSearchParams(rawQuery),
    body,
    token,
    noForwarding: req.headers['x-vault-no-request-forwarding'] !== undefined,
  };
}

function write(res: ServerResponse, response: SimResponse, namespace?: string): void {
  if (res.destroyed) return;
  if (response.status < 0) {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...response.headers };
  if (response.body !== undefined) headers['content-type'] = 'application/json';
  if (namespace !== undefined) headers['x-vault-namespace'] = namespace;
  res.writeHead(response.status, headers);
  res.end(response.body);
}

/** NodeFaults.echo: a hostile node appends its suffix to every error text it sends. */
function echoErrors(node: SimNode, response: SimResponse): SimResponse {
  const suffix = node.faults.echo?.errorsSuffix;
  if (suffix === undefined || response.body === undefined) return response;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return response;
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return response;
  return { ...response, body: goJson({ errors: errors.map((e) => `${String(e)}${suffix}`) }) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function faultResponse(node: SimNode): SimResponse | null {
  const { status5xx, malformedJson, oversizeBytes } = node.faults;
  if (status5xx !== undefined) return { status: status5xx, body: SIMULATED_FAILURE };
  if (malformedJson === true) return { status: 200, body: TRUNCATED_JSON };
  if (oversizeBytes !== undefined) {
    const padding = Math.max(0, oversizeBytes - '{"padding":""}'.length);
    return { status: 200, body: `{"padding":"${'x'.repeat(padding)}"}` };
  }
  return null;
}

async function handle(node: SimNode, req: IncomingMessage, res: ServerResponse, body: string | null): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const simReq = toSimRequest(req, pathname, rawQuery, body ?? '');
  const at = node.ctx.now();
  node.log({ method: simReq.method, path: pathname, query: rawQuery, body: body ?? '', at, token: simReq.token !== null });
  const { faults } = node;
  if (faults.reset === true) {
    req.socket.destroy();
    return;
  }
  if (faults.hang === true) return;
  if (faults.latencyMs !== undefined && faults.latencyMs > 0) await sleep(faults.latencyMs);
  const namespace = req.headers['x-vault-namespace'];
  const echo = typeof namespace === 'string' ? namespace : undefined;
  const faulty = faultResponse(node);
  if (faulty !== null) return write(res, echoErrors(node, faulty), echo);
  if (body === null) return write(res, echoErrors(node, errorResponse(413, 'http: request body too large')), echo);
  if (!pathname.startsWith('/v1/')) return write(res, echoErrors(node, NOT_FOUND), echo);
  write(res, echoErrors(node, await route(node, simReq)), echo);
}
