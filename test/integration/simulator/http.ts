// Raw HTTP against simulated nodes (deliberately not sealwatch's Vault client).
import { afterAll } from 'vitest';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedClusterOptions } from '../../../shared/simulator/index.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** One request with a 5 s deadline; redirects are returned, not followed. */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['x-vault-token'] = options.token;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${baseUrl}/v1/${path}`, {
    method,
    headers,
    redirect: 'manual',
    signal: AbortSignal.timeout(5_000),
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** `{"errors":[...]}` of a response, or null when the body is not an error body. */
export function errorsOf(response: RawResponse): string[] | null {
  const body = response.json as { errors?: unknown } | null;
  return Array.isArray(body?.errors) ? (body.errors as string[]) : null;
}

export function body(response: RawResponse): Record<string, unknown> {
  return response.json as Record<string, unknown>;
}

/** Starts a plain-HTTP cluster that is closed after the file's tests. */
export async function plainCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const cluster = await startSimulatedCluster({ tls: false, ...options });
  afterAll(() => cluster.close());
  return cluster;
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
