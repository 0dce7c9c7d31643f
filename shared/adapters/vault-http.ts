import { z } from 'zod';
import type { AutopilotConfiguration, HealthResponse, InitRequest, RaftJoinRequest } from '../core/vault-types.ts';
import { ValidationError } from '../errors.ts';
import type { AwsIamLoginBody, CallOptions, HealthOptions, VaultClient, VaultClientFactory, VaultTarget } from '../ports/vault-client.ts';
import { autopilotConfigurationSchema, autopilotStateSchema, raftConfigurationSchema, sealBackendStatusSchema } from './vault-http-raft-schemas.ts';
import { decodeHealthBody, decodeSealStatus } from './vault-http-hot-answers.ts';
import { errorForAnswer, isSuccess, parseAnswer, vaultErrors, type AnswerContext, type FastDecoder } from './vault-http-response.ts';
import {
  haStatusSchema,
  healthBodySchema,
  initResponseSchema,
  initStatusSchema,
  leaderSchema,
  raftJoinSchema,
  sealStatusSchema,
} from './vault-http-schemas.ts';
import {
  createTransport,
  transportOrigin,
  type Transport,
  type TransportOrigin,
  type TransportRequest,
  type TransportResponse,
} from './vault-http-transport.ts';

export interface VaultHttpClientFactoryOptions {
  /** Sent as User-Agent. Default `sealwatch`. */
  userAgent?: string;
  /** Answers larger than this are aborted (`too-large`). Default 1 MiB. */
  maxResponseBytes?: number;
  /** Keep-alive agents (one per node) kept at most before idle ones are let go; default 10,000. */
  maxAgents?: number;
}

const DEFAULT_DEADLINE_MS = 5_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_CACHED_CLIENTS = 10_000;

/** Status codes sys/health uses to carry the node's state (`http/sys_health.go` @ v1.19.0). */
const HEALTH_STATUSES: ReadonlySet<number> = new Set([200, 429, 472, 473, 474, 501, 503, 530]);

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST';

interface Call {
  method: Method;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  options?: CallOptions | undefined;
  /** Values sent in this call that must never come back in an error message. */
  secrets?: string[];
  /** The answer is a secret by design (init, login): returned unfiltered. */
  keepSecrets?: boolean;
}

/**
 * Creates the node:http(s) implementation of {@link VaultClientFactory}.
 *
 * Each target's certificate is verified against its `caPem` (or Node's default CAs), with SNI and
 * host-name check on `serverName` when given; each node (origin, CA, server name) has one kept-alive
 * connection. `client()` throws {@link ValidationError} for a URL that is not http(s), that
 * carries credentials, or that is plain `http://` without `insecureHttp`. Calls without a signal
 * get a 5 s deadline. Errors follow the {@link VaultClient} contract.
 */
export function createVaultHttpClientFactory(options: VaultHttpClientFactoryOptions = {}): VaultClientFactory {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes <= 0) {
    throw new ValidationError('maxResponseBytes must be a positive integer', [`maxResponseBytes: ${String(maxResponseBytes)}`]);
  }
  const userAgent = options.userAgent ?? 'sealwatch';
  if (!userAgent || /[\r\n]/.test(userAgent)) {
    throw new ValidationError('userAgent must be a non-empty single line');
  }
  const transport = createTransport({ userAgent, maxResponseBytes, ...(options.maxAgents === undefined ? {} : { maxAgents: options.maxAgents }) });
  // Clients hold nothing but their target, so one per target is kept: a sweep asks for every
  // node's client every minute, and building one parses its URL. Keyed by CA first (the same
  // string object for every node of a cluster), then by URL; the clients of one URL (one per
  // server name, rarely more than one) are told apart by the rest of the target. No key string
  // is built: that made a new string per node in every sweep.
  const clients = new Map<string | undefined, Map<string, VaultHttpClient[]>>();
  let cached = 0;
  const clientFor = (target: VaultTarget): VaultHttpClient => {
    let byUrl = clients.get(target.caPem);
    if (!byUrl) clients.set(target.caPem, (byUrl = new Map()));
    const insecure = target.insecureHttp === true;
    const same = byUrl.get(target.url);
    if (same) for (const known of same) if (known.target.serverName === target.serverName && (known.target.insecureHttp === true) === insecure) return known;
    const client = new VaultHttpClient(target, transport);
    // Bounded for fleets whose nodes keep moving (discovery): start over past the limit.
    if (cached >= MAX_CACHED_CLIENTS) {
      clients.clear();
      clients.set(target.caPem, (byUrl = new Map()));
      cached = 0;
    }
    const list = byUrl.get(target.url);
    if (list) list.push(client);
    else byUrl.set(target.url, [client]);
    cached += 1;
    return client;
  };
  return {
    client: clientFor,
    peerCertificate: (target) => transport.peerCertificate(parseBaseUrl(target).origin),
    close: async () => transport.close(),
  };
}

function parseBaseUrl(target: VaultTarget): URL {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new ValidationError(`Vault URL is not a valid URL: ${target.url}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`Vault URL must be https:// (got ${url.protocol}//${url.host})`);
  }
  if (url.protocol === 'http:' && !target.insecureHttp) {
    throw new ValidationError(`Vault URL ${url.origin} is plain http:// and the node is not marked insecureHttp: shares and tokens would travel in clear text`);
  }
  if (url.username || url.password) {
    throw new ValidationError(`Vault URL ${url.protocol}//${url.host} must not carry credentials`);
  }
  if (url.search || url.hash) {
    throw new ValidationError(`Vault URL ${url.origin} must not carry a query or fragment`);
  }
  return url;
}

/** A call a client makes: its label, and its answer context once asked for when it sends nothing secret. */
interface KnownCall {
  readonly label: string;
  plain: AnswerContext | undefined;
}

class VaultHttpClient implements VaultClient {
  readonly target: VaultTarget;
  readonly #base: string;
  readonly #prefix: string;
  readonly #origin: TransportOrigin;
  readonly #transport: Transport;
  /** Per path, then method: a client calls a fixed few (see {@link #known}). */
  readonly #calls = new Map<string, Map<string, KnownCall>>();

  constructor(target: VaultTarget, transport: Transport) {
    const url = parseBaseUrl(target);
    // A frozen copy: the factory finds kept clients by these fields, so a caller changing its own
    // target object afterwards must not change which client it is.
    this.target = Object.freeze({ ...target });
    // A path prefix (reverse proxy) is kept; `/v1/...` is appended to it.
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.#base = url.origin + this.#prefix;
    this.#origin = transportOrigin(url);
    this.#transport = transport;
  }

  // Not async: the transport's promise is handed back as it is (every sweep makes two of these
  // calls per node, and each async layer adds its own promise and turns of the microtask queue).
  #send(call: Call, known: KnownCall = this.#known(call)): Promise<TransportResponse> {
    const query = call.query && Object.keys(call.query).length > 0 ? `?${new URLSearchParams(call.query).toString()}` : '';
    // Built field by field: every sweep sends two of these per node.
    const request: TransportRequest = {
      method: call.method,
      origin: this.#origin,
      path: this.#prefix + call.path + query,
      label: known.label,
      body: call.body,
      signal: call.options?.signal ?? AbortSignal.timeout(DEFAULT_DEADLINE_MS),
    };
    const token = call.options?.token;
    if (token !== undefined) request.token = token;
    if (this.target.caPem !== undefined) request.caPem = this.target.caPem;
    if (this.target.serverName !== undefined) request.serverName = this.target.serverName;
    return this.#transport.send(request);
  }

  /**
   * What is kept of a call (its label, `METHOD URL` without the query: it adds nothing and may
   * grow long), by path and then method, not by the two joined: joining them made a new string on
   * every call (two per node in every sweep) only to look it up.
   */
  #known(call: Call): KnownCall {
    let byMethod = this.#calls.get(call.path);
    if (!byMethod) this.#calls.set(call.path, (byMethod = new Map()));
    let known = byMethod.get(call.method);
    if (!known) byMethod.set(call.method, (known = { label: `${call.method} ${this.#base}${call.path}`, plain: undefined }));
    return known;
  }

  #context(call: Call, known: KnownCall = this.#known(call)): AnswerContext {
    const token = call.options?.token;
    const redact = call.options?.redact;
    if (call.secrets === undefined && redact === undefined && token === undefined && !call.keepSecrets) {
      // A call that sends nothing secret (every sweep's health and seal-status): one context per
      // method and path, kept.
      known.plain ??= { label: known.label, path: call.path, secrets: [] };
      return known.plain;
    }
    const secrets = [...(call.secrets ?? []), ...(redact ?? [])];
    if (token !== undefined) secrets.push(token);
    return { label: known.label, path: call.path, secrets, ...(call.keepSecrets ? { keepSecrets: true } : {}) };
  }

  /** Parses a 2xx JSON answer with `schema` (or `fast`); any other answer becomes the matching error. */
  async #json<S extends z.ZodType>(call: Call, schema: S, fast?: FastDecoder<z.output<S>>): Promise<z.output<S>> {
    // Looked up once for the request and the answer (every sweep's seal-status comes through here).
    const known = this.#known(call);
    const res = await this.#send(call, known);
    const ctx = this.#context(call, known);
    if (!isSuccess(res)) throw errorForAnswer(ctx, res);
    return parseAnswer(ctx, res, schema, fast);
  }

  /** For endpoints answering 204 (or 200 with a body nobody needs). */
  async #noContent(call: Call): Promise<void> {
    const res = await this.#send(call);
    if (!isSuccess(res)) throw errorForAnswer(this.#context(call), res);
  }

  /** Like {@link #json} but a Vault-shaped 404 means "no such state" (autopilot, seal backends). */
  async #jsonOrNull<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S> | null> {
    const res = await this.#send(call);
    const ctx = this.#context(call);
    if (res.status === 404 && vaultErrors(ctx, res) !== undefined) return null;
    if (!isSuccess(res)) throw errorForAnswer(ctx, res);
    return parseAnswer(ctx, res, schema);
  }

  sealStatus(options?: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/seal-status', options }, sealStatusSchema, decodeSealStatus);
  }

  async health(options?: HealthOptions): Promise<HealthResponse> {
    const call: Call = { method: options?.method ?? 'GET', path: '/v1/sys/health', options };
    if (options?.query !== undefined) call.query = options.query;
    const known = this.#known(call);
    const res = await this.#send(call, known);
    let expected: ReadonlySet<number> = HEALTH_STATUSES;
    if (options?.query !== undefined) {
      // Custom codes asked for through the query (e.g. sealedcode=299) carry the state too.
      const codes = new Set(HEALTH_STATUSES);
      for (const [k, v] of Object.entries(options.query)) if (k.endsWith('code') && /^\d+$/.test(v)) codes.add(Number(v));
      expected = codes;
    }
    const ctx = this.#context(call, known);
    if (!expected.has(res.status)) throw errorForAnswer(ctx, res);
    if (call.method === 'HEAD') return { status: res.status, body: null };
    return { status: res.status, body: parseAnswer(ctx, res, healthBodySchema, decodeHealthBody) };
  }

  unseal(request: { key: string } | { reset: true }, options?: CallOptions) {
    const body = 'reset' in request ? { reset: true } : { key: request.key };
    const secrets = 'key' in request ? [request.key] : [];
    return this.#json({ method: 'PUT', path: '/v1/sys/unseal', body, options, secrets }, sealStatusSchema, decodeSealStatus);
  }

  initStatus(options?: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/init', options }, initStatusSchema);
  }

  init(request: InitRequest, options?: CallOptions) {
    const body = dropUndefined({
      secret_shares: request.secretShares,
      secret_threshold: request.secretThreshold,
      pgp_keys: request.pgpKeys,
      recovery_shares: request.recoveryShares,
      recovery_threshold: request.recoveryThreshold,
      recovery_pgp_keys: request.recoveryPgpKeys,
      root_token_pgp_key: request.rootTokenPgpKey,
    });
    return this.#json({ method: 'PUT', path: '/v1/sys/init', body, options, keepSecrets: true }, initResponseSchema);
  }

  seal(options: CallOptions) {
    return this.#noContent({ method: 'PUT', path: '/v1/sys/seal', options });
  }

  leader(options?: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/leader', options }, leaderSchema);
  }

  haStatus(options: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/ha-status', options }, haStatusSchema);
  }

  raftJoin(request: RaftJoinRequest, options?: CallOptions) {
    const body = dropUndefined({
      leader_api_addr: request.leaderApiAddr,
      retry: request.retry,
      leader_ca_cert: request.leaderCaCert,
      leader_tls_servername: request.leaderTlsServername,
      non_voter: request.nonVoter,
    });
    return this.#json({ method: 'POST', path: '/v1/sys/storage/raft/join', body, options }, raftJoinSchema);
  }

  raftConfiguration(options: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/storage/raft/configuration', options }, raftConfigurationSchema);
  }

  raftRemovePeer(serverId: string, options: CallOptions) {
    return this.#noContent({
      method: 'POST',
      path: '/v1/sys/storage/raft/remove-peer',
      body: { server_id: serverId },
      options,
    });
  }

  autopilotState(options: CallOptions) {
    return this.#jsonOrNull({ method: 'GET', path: '/v1/sys/storage/raft/autopilot/state', options }, autopilotStateSchema);
  }

  autopilotConfiguration(options: CallOptions) {
    return this.#json({ method: 'GET', path: '/v1/sys/storage/raft/autopilot/configuration', options }, autopilotConfigurationSchema);
  }

  setAutopilotConfiguration(config: Partial<AutopilotConfiguration>, options: CallOptions) {
    const body = dropUndefined({
      cleanup_dead_servers: config.cleanupDeadServers,
      last_contact_threshold: config.lastContactThreshold,
      dead_server_last_contact_threshold: config.deadServerLastContactThreshold,
      max_trailing_logs: config.maxTrailingLogs,
      min_quorum: config.minQuorum,
      server_stabilization_time: config.serverStabilizationTime,
    });
    return this.#noContent({
      method: 'POST',
      path: '/v1/sys/storage/raft/autopilot/configuration',
      body,
      options,
    });
  }

  /**
   * Null where the endpoint does not exist. Vault < 1.15 and OpenBao have no raw handler for it
   * (`http/handler.go` @ v1.14.9, OpenBao @ v2.6.2), so the path falls through to the logical
   * `sys/` handler: 403 `permission denied` without a token, 404 `unsupported path` with one. The
   * real endpoint is unauthenticated and never answers either, so a Vault-shaped 403 or 404 both
   * mean "not available".
   */
  async sealBackendStatus(options?: CallOptions) {
    const call: Call = { method: 'GET', path: '/v1/sys/seal-backend-status', options };
    const res = await this.#send(call);
    const ctx = this.#context(call);
    if ((res.status === 403 || res.status === 404) && vaultErrors(ctx, res) !== undefined) return null;
    if (!isSuccess(res)) throw errorForAnswer(ctx, res);
    return parseAnswer(ctx, res, sealBackendStatusSchema);
  }

  awsIamLogin(mount: string, body: AwsIamLoginBody, options?: CallOptions) {
    if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(mount)) throw new ValidationError(`invalid auth mount path: ${mount}`);
    const call: Call = { method: 'POST', path: `/v1/auth/${mount}/login`, body: { ...body }, options, secrets: [body.iam_request_headers], keepSecrets: true };
    return this.#json(call, loginSchema);
  }
}

/** `auth` block of a login answer (Vault `sdk/logical/translate_response.go` HTTPResponse @ v1.14.9): the token and its lease. */
const loginSchema = z
  .object({ auth: z.object({ client_token: z.string().min(1), lease_duration: z.number().nonnegative() }) })
  .transform((e) => ({ token: e.auth.client_token, leaseDurationSeconds: e.auth.lease_duration }));

/** Vault persists only the fields supplied (autopilot) and rejects some combinations (init). */
function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
