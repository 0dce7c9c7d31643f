import http from 'node:http';
import https from 'node:https';
import { DiscoveryError } from '../ports/node-discovery.ts';

/** How to reach one API server: its URL, the CA it is pinned to, and how to authenticate. */
export interface KubernetesConnection {
  server: string;
  caPem?: string;
  /** A bearer token (service account, kubeconfig token or EKS token). Never logged. */
  token?: string;
  clientCert?: { certPem: string; keyPem: string };
}

/** Produces a connection for each request (tokens rotate); `invalidate` after a 401. */
export interface KubernetesCredentials {
  connection(signal: AbortSignal): Promise<KubernetesConnection>;
  invalidate(): void;
}

/** The `Status` object the API server answers errors with (k8s.io/apimachinery metav1.Status). */
interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export class GoneError extends Error {}

/**
 * A GET returning JSON; any non-2xx answer becomes a DiscoveryError built from the `Status` body
 * (a 410 `Expired` becomes {@link GoneError}: the caller relists).
 */
export async function getJson<T>(connection: KubernetesConnection, path: string, signal: AbortSignal): Promise<T> {
  const { status, body } = await request(connection, path, signal);
  if (status >= 200 && status < 300) {
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new DiscoveryError('invalid', `${path}: the API server answered ${status} with a body that is not JSON`);
    }
  }
  throw statusError(status, body, path);
}

/** Opens a watch stream; each JSON line goes to `onEvent`. Resolves when the server ends it. */
export function streamLines(connection: KubernetesConnection, path: string, signal: AbortSignal, onEvent: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = send(connection, path, signal, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => reject(statusError(res.statusCode ?? 0, body, path)));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) onEvent(line);
          nl = buffer.indexOf('\n');
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', (e) => reject(signal.aborted ? e : unreachable(connection.server, e)));
  });
}

function request(connection: KubernetesConnection, path: string, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = send(connection, path, signal, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        // EndpointSlice pages are small; a runaway answer is cut rather than buffered.
        if (body.length > 8 * 1024 * 1024) req.destroy(new Error('answer larger than 8 MiB'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(unreachable(connection.server, e)));
  });
}

function send(connection: KubernetesConnection, path: string, signal: AbortSignal, onResponse: (res: http.IncomingMessage) => void) {
  const url = new URL(path, connection.server);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'sealwatch' };
  if (connection.token !== undefined) headers['authorization'] = `Bearer ${connection.token}`;
  const options: https.RequestOptions = { method: 'GET', headers, signal };
  if (url.protocol === 'https:') {
    if (connection.caPem !== undefined) options.ca = connection.caPem;
    if (connection.clientCert) {
      options.cert = connection.clientCert.certPem;
      options.key = connection.clientCert.keyPem;
    }
  }
  const req = (url.protocol === 'http:' ? http : https).request(url, options, onResponse);
  req.end();
  return req;
}

function unreachable(server: string, error: Error): DiscoveryError {
  // Node's TLS and socket errors name the host and the cause, never the token.
  return new DiscoveryError('unreachable', `API server ${new URL(server).host} unreachable: ${error.message}`);
}

function statusError(status: number, body: string, path: string): Error {
  let parsed: StatusBody = {};
  try {
    parsed = JSON.parse(body) as StatusBody;
  } catch {
    /* not a Status: use the code alone */
  }
  const message = parsed.kind === 'Status' && parsed.message ? parsed.message : `HTTP ${status}`;
  if (status === 410) return new GoneError(message);
  if (status === 401) return new DiscoveryError('unauthorized', `the API server refused the credentials (401 ${parsed.reason ?? 'Unauthorized'}): ${message}`);
  if (status === 403) return new DiscoveryError('forbidden', `403 ${parsed.reason ?? 'Forbidden'}: ${message}`, permissionFor(path));
  if (status === 429) return new DiscoveryError('throttled', `the API server is throttling (429): ${message}`);
  if (status >= 500) return new DiscoveryError('unreachable', `the API server failed (${status}): ${message}`);
  return new DiscoveryError('invalid', `the API server answered ${status}: ${message}`);
}

/** The RBAC rule a 403 on an EndpointSlice read calls for. */
function permissionFor(path: string): string {
  const ns = /\/namespaces\/([^/]+)\//.exec(path)?.[1] ?? '<namespace>';
  const verb = path.includes('watch=') ? 'watch' : 'list';
  return `${verb} endpointslices (apiGroups: discovery.k8s.io) in namespace ${ns}`;
}
