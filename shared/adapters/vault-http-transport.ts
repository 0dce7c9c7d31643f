import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { VaultUnreachableError } from '../errors.ts';
import type { PeerCertificateInfo } from '../ports/certificate-probe.ts';
import { unwatch, watch, type Waiter } from './signal-waiters.ts';
import { describeTransportError } from './vault-http-errors.ts';

/** One HTTP exchange with a Vault node. */
export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST';
  /** The node, parsed once per client instead of once per call. */
  origin: TransportOrigin;
  /** Path and query, e.g. `/v1/sys/health?standbyok=true`. */
  path: string;
  /** Where the URL is shown in messages (no query: it adds nothing and may grow long). */
  label: string;
  body?: unknown;
  token?: string;
  signal: AbortSignal;
  caPem?: string;
  serverName?: string;
}

/** A node's address as node:http(s) wants it. */
export interface TransportOrigin {
  protocol: 'http:' | 'https:';
  /** Without the brackets of an IPv6 literal. */
  hostname: string;
  port: number;
  /** `https://host:port`, the key for the certificate a node presented. */
  origin: string;
}

/** The parts of a parsed http(s) URL the transport needs. */
export function transportOrigin(url: URL): TransportOrigin {
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : protocol === 'http:' ? 80 : 443;
  return { protocol, hostname, port, origin: url.origin };
}

export interface TransportResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /**
   * The certificate this origin presented at the last full handshake of a verified connection, if
   * any: connections are kept alive and their sessions resumed, so it may be older than the one
   * the node serves now.
   */
  peerCertificate(origin: string): PeerCertificateInfo | null;
  close(): void;
}

export interface TransportOptions {
  userAgent: string;
  maxResponseBytes: number;
  /** Keep-alive agents (one per node) kept at most; default 10,000. */
  maxAgents?: number;
}

/**
 * A node's connection idle for longer than this is not reused: it is closed and a new one opened.
 * Longer than the default sweep interval (60 s), so scheduled sweeps reuse their connections (and
 * skip the TLS handshakes); well below Vault's `http_idle_timeout` (5 min by default), so the
 * server has not closed what is reused.
 */
const IDLE_SOCKET_MS = 120_000;

/** Agents kept at most (one per node); past it they are dropped and built again as needed. */
const MAX_AGENTS = 10_000;

/**
 * node:http(s) transport with a keep-alive agent per node (origin, CA, server name): one
 * connection per node, its TLS session resumed across sweeps, and the cluster's parsed CA store
 * (secure context) shared by every node of the cluster. One agent per node rather than one for all:
 * Node's agent keeps its sockets and queued requests in objects keyed by host, and with a thousand
 * hosts in one agent that bookkeeping cost more than the requests themselves.
 */
export function createTransport(options: TransportOptions): Transport {
  // Certificates seen on new TLS connections: the certificate-expiry check reads them here
  // instead of opening a second connection to every node.
  const certificates = new Map<string, PeerCertificateInfo>();
  const rememberCertificate = (origin: string, cert: tls.PeerCertificate) => {
    const validTo = cert.valid_to ? Date.parse(cert.valid_to) : Number.NaN;
    const subject = typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
    if (Number.isFinite(validTo)) certificates.set(origin, { validTo, ...(subject ? { subject } : {}) });
  };

  // By CA text first (the same string object for every node of a cluster, so its hash is
  // computed once), then by origin and server name.
  const agents = new Map<string | undefined, Map<string, PooledAgent>>();
  const contexts = new Map<string, tls.SecureContext>();
  let agentCount = 0;

  function agentFor(request: TransportRequest): http.Agent {
    let byNode = agents.get(request.caPem);
    if (!byNode) agents.set(request.caPem, (byNode = new Map()));
    const key = request.serverName === undefined ? request.origin.origin : `${request.origin.origin}\0${request.serverName}`;
    const now = performance.now();
    const pooled = byNode.get(key);
    if (pooled) {
      // Idle connections are let go when next needed, not by a timer per socket: Node's agent
      // `timeout` option re-arms a socket timer on every read and write, which cost a 1,000-node
      // sweep about a tenth of its time (bench:sweep, 2026-12-07).
      if (now - pooled.lastUsed > IDLE_SOCKET_MS) closeFreeSockets(pooled.agent);
      pooled.lastUsed = now;
      return pooled.agent;
    }
    let agent: http.Agent;
    if (agentCount >= (options.maxAgents ?? MAX_AGENTS)) {
      dropIdleAgents();
      if (!agents.has(request.caPem)) agents.set(request.caPem, (byNode = new Map()));
    }
    if (request.origin.protocol === 'http:') {
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    } else {
      let secureContext: tls.SecureContext | undefined;
      if (request.caPem !== undefined) {
        secureContext = contexts.get(request.caPem);
        if (!secureContext) contexts.set(request.caPem, (secureContext = tls.createSecureContext({ ca: request.caPem })));
      }
      const origin = request.origin.origin;
      agent = new https.Agent({
        // The certificate Node has just parsed to check the host name is the one the expiry check
        // wants: kept here rather than asking the socket for it again, which parsed it a second
        // time on every new connection (Node skips this call when a session is resumed, and the
        // certificate of that node is then known from its first connection).
        checkServerIdentity: (host, cert) => {
          const error = tls.checkServerIdentity(host, cert);
          if (!error) rememberCertificate(origin, cert);
          return error;
        },
        keepAlive: true,
        // One connection per node: health and seal-status queue on it instead of paying a second
        // TLS handshake, which costs more than the extra round trip.
        maxSockets: 1,
        rejectUnauthorized: true,
        // One parsed CA store per cluster: passing `ca` alone makes Node parse the PEM and build a
        // new context for every connection, which dominated the cost of a 1000-node sweep. The
        // context alone is what TLS verifies against (`ca` beside it would only lengthen the
        // agent's lookup key, built on every request).
        ...(secureContext !== undefined && { secureContext }),
        // Node uses servername for SNI and for the certificate host-name check.
        ...(request.serverName !== undefined && { servername: request.serverName }),
      });
    }
    byNode.set(key, { agent, lastUsed: now });
    agentCount += 1;
    return agent;
  }

  /**
   * Past the limit (nodes that keep moving: discovery), the agents with nothing in flight are let
   * go; an agent still carrying a request is kept, so no call is cut off.
   */
  function dropIdleAgents(): void {
    for (const [ca, byNode] of agents) {
      for (const [key, { agent }] of byNode) {
        if (Object.keys(agent.sockets).length > 0 || Object.keys(agent.requests).length > 0) continue;
        agent.destroy();
        byNode.delete(key);
        agentCount -= 1;
      }
      if (byNode.size === 0) agents.delete(ca);
    }
  }

  function destroyAll(): void {
    for (const byNode of agents.values()) for (const { agent } of byNode.values()) agent.destroy();
    agents.clear();
    agentCount = 0;
  }

  // The headers of a call without token or body are the same for every call: built once (Node
  // copies them into each request and never changes the object). An object, not Node's raw list
  // form: that list made the requests a little cheaper (observing 1,000 nodes alone: 1.19–1.22×
  // the bench floor against 1.25–1.31×), but tracing that wraps `http.request` copies the headers
  // into an object (OpenTelemetry's instrumentation-http: `Object.assign({}, options.headers)`),
  // which turns a list into headers named 0, 1, 2... and loses the Vault token.
  const plainHeaders: Readonly<http.OutgoingHttpHeaders> = Object.freeze({ 'user-agent': options.userAgent, accept: 'application/json' });

  // The second try at a read whose kept-alive connection the node had closed (see Exchange):
  // on a fresh connection, and only once (it is made without this).
  const retrier: Retrier = {
    again: (request) => attempt(request, agentFor(request), plainHeaders, options, null),
  };

  function send(request: TransportRequest): Promise<TransportResponse> {
    // What throws before the request is made (a CA that does not parse) comes back as a rejection.
    try {
      return attempt(request, agentFor(request), plainHeaders, options, retrier);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return {
    send,
    peerCertificate: (origin) => certificates.get(origin) ?? null,
    close() {
      destroyAll();
      contexts.clear();
    },
  };
}

/** A node's agent and when it was last asked for (performance.now() ms). */
interface PooledAgent {
  agent: http.Agent;
  lastUsed: number;
}

/** Closes the agent's kept-alive connections that carry nothing; calls in flight keep theirs. */
function closeFreeSockets(agent: http.Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

/** Starts an exchange again on a fresh connection. */
interface Retrier {
  again(request: TransportRequest): Promise<TransportResponse>;
}

function attempt(
  request: TransportRequest,
  agent: http.Agent,
  plainHeaders: Readonly<http.OutgoingHttpHeaders>,
  options: TransportOptions,
  retrier: Retrier | null,
): Promise<TransportResponse> {
  const { signal, label } = request;
  if (signal.aborted) return Promise.reject(deadlineError(label, signal));

  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  let headers = plainHeaders as http.OutgoingHttpHeaders;
  if (payload || request.token !== undefined) {
    headers = { ...plainHeaders };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (request.token !== undefined) headers['x-vault-token'] = request.token;
  }

  const { origin } = request;
  const lib = origin.protocol === 'https:' ? https : http;

  return new Promise<TransportResponse>((resolve, reject) => {
    // An options object, not a URL: Node would convert the URL into these on every call.
    const req = lib.request({
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port,
      path: request.path,
      method: request.method,
      headers,
      agent,
    });
    const exchange = new Exchange(request, req, options.maxResponseBytes, retrier, resolve, reject);
    watch(signal, exchange);
    req.on('error', (error: NodeJS.ErrnoException) => exchange.failed(error));
    req.on('response', (res: http.IncomingMessage) => exchange.answered(res));
    req.end(payload);
  });
}

/**
 * One request and its answer, from the request sent to the promise settled (once, by whichever
 * comes first: the answer, an error, the deadline). Its steps are methods of one object rather
 * than closures made for every call: a sweep makes two exchanges per node, and under tsx (which
 * runs the CLI) a closure given a name is also renamed with a property definition each time.
 */
class Exchange implements Waiter {
  list: Waiter[] | null = null;
  at = -1;
  #settled = false;
  #status = 0;
  #contentType = '';
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #request: TransportRequest;
  readonly #req: http.ClientRequest;
  readonly #limit: number;
  readonly #retrier: Retrier | null;
  readonly #resolve: (response: TransportResponse) => void;
  readonly #reject: (error: unknown) => void;

  constructor(
    request: TransportRequest,
    req: http.ClientRequest,
    limit: number,
    retrier: Retrier | null,
    resolve: (response: TransportResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#request = request;
    this.#req = req;
    this.#limit = limit;
    this.#retrier = retrier;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  onAbort(): void {
    this.#fail(deadlineError(this.#request.label, this.#request.signal));
  }

  failed(error: NodeJS.ErrnoException): void {
    const request = this.#request;
    const req = this.#req;
    // A keep-alive socket the server closed while idle fails on reuse; Node's docs recommend
    // retrying idempotent requests once on a fresh socket. Once: the second try is made without
    // a retrier, so a second stale socket is reported as what it is, a connection the node reset.
    // (An exchange whose signal aborted is settled already: #end() below says so.)
    const idempotent = request.method === 'GET' || request.method === 'HEAD';
    if (this.#retrier && idempotent && req.reusedSocket && error.code === 'ECONNRESET') {
      if (!this.#end()) return;
      req.destroy();
      let again: Promise<TransportResponse>;
      try {
        again = this.#retrier.again(request);
      } catch (thrown) {
        again = Promise.reject(thrown);
      }
      again.then(this.#resolve, this.#reject);
      return;
    }
    this.#fail(describeTransportError(error, request.label, request.caPem !== undefined));
  }

  answered(res: http.IncomingMessage): void {
    const { contentType, announced } = framingHeaders(res.rawHeaders);
    if (Number.isFinite(announced) && announced > this.#limit) {
      res.destroy();
      this.#fail(tooLarge(this.#request.label, announced, this.#limit));
      return;
    }
    this.#status = res.statusCode ?? 0;
    this.#contentType = contentType;
    res.on('data', (chunk: Buffer) => this.#data(res, chunk));
    res.on('end', () => this.#done());
    res.on('error', (error: NodeJS.ErrnoException) => this.#fail(describeTransportError(error, this.#request.label, this.#request.caPem !== undefined)));
    // The peer closing mid-body ends with 'aborted'/'close' and no 'end'.
    res.on('close', () => {
      if (!res.complete) this.#fail(new VaultUnreachableError('refused', `${this.#request.label}: connection closed before the answer was complete`));
    });
  }

  #data(res: http.IncomingMessage, chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      res.destroy();
      this.#fail(tooLarge(this.#request.label, this.#size, this.#limit));
      return;
    }
    this.#chunks.push(chunk);
  }

  #done(): void {
    if (this.#end()) this.#resolve({ status: this.#status, contentType: this.#contentType, body: Buffer.concat(this.#chunks) });
  }

  #fail(error: Error): void {
    if (!this.#end()) return;
    this.#req.destroy();
    this.#reject(error);
  }

  /** True the first time: this exchange is settled now and stops waiting on its signal. */
  #end(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    unwatch(this);
    return true;
  }
}

/**
 * Content-Type and Content-Length of an answer, from the header list as received: asking for
 * `res.headers` makes Node build an object of every header of every answer (a 1,000-node sweep
 * reads 2,000): about 1 MB of allocation and under 1 % of a profiled sweep's CPU. The first of
 * each wins, as in Node's object (Node drops later Content-Type lines; its parser refuses an
 * answer that has Content-Length twice).
 */
function framingHeaders(raw: readonly string[]): { contentType: string; announced: number } {
  let contentType: string | undefined;
  let announced: number | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (contentType === undefined && name.length === 12 && name.toLowerCase() === 'content-type') contentType = raw[i + 1];
    else if (announced === undefined && name.length === 14 && name.toLowerCase() === 'content-length') announced = Number(raw[i + 1]);
  }
  return { contentType: contentType ?? '', announced: announced ?? Number.NaN };
}

function deadlineError(label: string, signal: AbortSignal): VaultUnreachableError {
  const reason: unknown = signal.reason;
  const why =
    reason instanceof Error && reason.name === 'TimeoutError' ? 'no complete answer before the deadline' : 'request cancelled before a complete answer';
  return new VaultUnreachableError('timeout', `${label}: ${why}`);
}

function tooLarge(label: string, bytes: number, limit: number): VaultUnreachableError {
  return new VaultUnreachableError('too-large', `${label}: answer is larger than the ${limit}-byte limit (at least ${bytes} bytes)`);
}
