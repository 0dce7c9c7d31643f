// Raw HTTP against simulated nodes (deliberately not sealwatch's Vault client).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedClusterOptions } from '../../../shared/simulator/index.ts';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  /** CA to trust for https URLs. */
  ca?: string;
  /** TLS server name to verify instead of the URL host. */
  servername?: string;
  timeoutMs?: number;
}

/**
 * One request on a fresh connection (no keep-alive pool, so killed and restarted nodes never
 * meet a stale socket), with a 5 s default deadline. Redirects are returned, not followed.
 */
export function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['x-vault-token'] = options.token;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const target = new URL(`${baseUrl}/v1/${path}`);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const tls = { ...(options.ca === undefined ? {} : { ca: options.ca }), ...(options.servername === undefined ? {} : { servername: options.servername }) };
    const req = send(target, { method, headers, agent: false, timeout: options.timeoutMs ?? 5_000, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text === '' ? null : JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** `{"errors":[...]}` of a response, or null when the body is not an error body. */
export function errorsOf(response: RawResponse): string[] | null {
  const body = response.json as { errors?: unknown } | null;
  return Array.isArray(body?.errors) ? (body.errors as string[]) : null;
}

export function body(response: RawResponse): Record<string, unknown> {
  return response.json as Record<string, unknown>;
}

/** A plain-HTTP cluster started before the describe block's tests and closed after them. */
export function useCluster(options: SimulatedClusterOptions = {}): () => SimulatedCluster {
  let cluster: SimulatedCluster | undefined;
  beforeAll(async () => {
    cluster = await startSimulatedCluster({ tls: false, ...options });
  });
  afterAll(async () => {
    await cluster?.close();
  });
  return () => {
    if (cluster === undefined) throw new Error('cluster not started');
    return cluster;
  };
}

/** Runs `fn` against a fresh plain-HTTP cluster, always closing it. */
export async function withCluster<T>(options: SimulatedClusterOptions, fn: (cluster: SimulatedCluster) => Promise<T>): Promise<T> {
  const cluster = await startSimulatedCluster({ tls: false, ...options });
  try {
    return await fn(cluster);
  } finally {
    await cluster.close();
  }
}

export function url(cluster: SimulatedCluster, index: number): string {
  const node = cluster.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  return node.url;
}

export function token(cluster: SimulatedCluster): string {
  if (cluster.rootToken === null) throw new Error('cluster not initialized');
  return cluster.rootToken;
}

export function keys(cluster: SimulatedCluster): string[] {
  if (cluster.init === null) throw new Error('cluster not initialized');
  return cluster.init.keys;
}

/** Feeds `shares` to the node's unseal endpoint; returns the last response. */
export async function unsealWith(baseUrl: string, shares: readonly string[]): Promise<RawResponse> {
  let last: RawResponse | null = null;
  for (const key of shares) last = await call(baseUrl, 'PUT', 'sys/unseal', { body: { key } });
  if (last === null) throw new Error('no shares given');
  return last;
}
