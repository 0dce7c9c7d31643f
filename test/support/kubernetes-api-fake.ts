import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestPki } from '../../shared/simulator/test-pki.ts';
import { verifyEksToken, type EksVerifierOptions } from './eks-token-verifier.ts';

const FIXTURES = new URL('../fixtures/kubernetes/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
const LIST = fixture('endpointslice-list.json') as { items: { metadata: Record<string, unknown> }[] };
const STATUS = { 401: fixture('status-401.json'), 403: fixture('status-403.json'), 410: fixture('status-410.json') };

export interface FakePod {
  name: string;
  address: string;
  /** The API port of this pod's slice (`https` or `http` named, per `portName`). */
  port: number;
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
  zone?: string;
  /** Pods with different slice numbers land in different EndpointSlices (own ports each). */
  slice?: number;
}

export interface KubernetesApiFake {
  url: string;
  caPem: string | undefined;
  setPods(pods: FakePod[]): void;
  /** Answer every request with this Status (401/403/500), or serve normally (null). */
  failWith(code: 401 | 403 | 500 | null): void;
  /** Continue tokens issued so far answer 410 Expired (an etcd compaction). */
  expireContinueTokens(): void;
  /** Stop listening (API server down) / listen again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  requests: { path: string; auth: string; status: number }[];
  watchers(): number;
  close(): Promise<void>;
}

/**
 * A Kubernetes API server for the two calls sealwatch makes: list (paged) and watch of
 * EndpointSlices by service name, with Status errors, bearer-token auth and EKS token
 * verification. Shapes come from test/fixtures/kubernetes (see its README).
 */
export async function startKubernetesApiFake(options: {
  namespace: string;
  service: string;
  portName?: string;
  tokens?: string[];
  eks?: EksVerifierOptions;
  pki?: TestPki;
  /** Items per page when the client sends no smaller `limit`. */
  pageSize?: number;
  /** Called before each request is answered (e.g. to expire continue tokens mid-list). */
  onRequest?: (path: string) => void;
}): Promise<KubernetesApiFake> {
  let pods: FakePod[] = [];
  let resourceVersion = 1000;
  let failure: 401 | 403 | 500 | null = null;
  let expiredBelow = 0;
  const watches = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  const requests: KubernetesApiFake['requests'] = [];
  const portName = options.portName ?? 'https';

  const slices = () => {
    const groups = new Map<number, FakePod[]>();
    for (const pod of pods) groups.set(pod.slice ?? 0, [...(groups.get(pod.slice ?? 0) ?? []), pod]);
    return [...groups.entries()].map(([n, members]) => sliceOf(n, members));
  };
  const sliceOf = (n: number, members: FakePod[]) => {
    const template = LIST.items[0]!;
    const ipv6 = members.some((p) => p.address.includes(':'));
    return {
      metadata: {
        ...template.metadata,
        name: `${options.service}-s${n}`,
        namespace: options.namespace,
        resourceVersion: String(resourceVersion),
        labels: { ...(template.metadata['labels'] as object), 'kubernetes.io/service-name': options.service },
      },
      addressType: ipv6 ? 'IPv6' : 'IPv4',
      endpoints: members.map((p) => ({
        addresses: [p.address],
        // publishNotReadyAddresses: ready is true for every endpoint; serving follows the pod.
        conditions: { ready: true, serving: p.serving ?? true, terminating: p.terminating ?? false },
        hostname: p.name,
        targetRef: { kind: 'Pod', namespace: options.namespace, name: p.name },
        ...(p.nodeName ? { nodeName: p.nodeName } : {}),
        ...(p.zone ? { zone: p.zone } : {}),
      })),
      ports: [
        { name: `${portName}-internal`, protocol: 'TCP', port: 8201 },
        { name: portName, protocol: 'TCP', port: members[0]?.port ?? 8200 },
      ],
    };
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    options.onRequest?.(req.url ?? '');
    const auth = req.headers.authorization ?? '';
    const status = (code: number, body: unknown) => {
      requests.push({ path: req.url ?? '', auth, status: code });
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const known =
      options.tokens?.includes(token) || (options.eks !== undefined && token.startsWith('k8s-aws-v1.') && (await verifyEksToken(token, options.eks)).ok);
    if (!known) return status(401, STATUS[401]);
    if (failure === 403) return status(403, { ...STATUS[403], message: String(STATUS[403]['message']).replace('"vault"', `"${options.namespace}"`) });
    if (failure === 401) return status(401, STATUS[401]);
    if (failure === 500)
      return status(500, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'etcdserver: request timed out',
        reason: 'InternalError',
        code: 500,
      });
    const path = `/apis/discovery.k8s.io/v1/namespaces/${options.namespace}/endpointslices`;
    if (url.pathname !== path)
      return status(404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        code: 404,
      });
    if (url.searchParams.get('labelSelector') !== `kubernetes.io/service-name=${options.service}`)
      return status(200, { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: String(resourceVersion) }, items: [] });
    if (url.searchParams.get('watch') === 'true') return watch(req, res, url, auth);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 500) || 500, options.pageSize ?? 500);
    const cont = url.searchParams.get('continue');
    let offset = 0;
    let rv = resourceVersion;
    if (cont) {
      const decoded = JSON.parse(Buffer.from(cont, 'base64url').toString()) as { rv: number; offset: number; issued: number };
      if (decoded.issued < expiredBelow) return status(410, STATUS[410]);
      offset = decoded.offset;
      rv = decoded.rv;
    }
    const all = slices();
    const items = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(JSON.stringify({ rv, offset: offset + limit, issued: issued++ })).toString('base64url') : undefined;
    status(200, {
      kind: 'EndpointSliceList',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: { resourceVersion: String(rv), ...(next ? { continue: next } : {}) },
      items,
    });
  };
  let issued = 1;

  const watch = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, auth: string) => {
    requests.push({ path: req.url ?? '', auth, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    if (from < resourceVersion - 50) {
      // Too old for the watch cache: one ERROR event carrying a 410 Status, then the stream ends.
      res.end(`${JSON.stringify({ type: 'ERROR', object: { ...STATUS[410], message: `too old resource version: ${from} (${resourceVersion})` } })}\n`);
      return;
    }
    watches.add(res);
    res.on('close', () => watches.delete(res));
  };

  const server = options.pki
    ? https.createServer(await serverKeyPair(options.pki), (q, s) => void handler(q, s))
    : http.createServer((q, s) => void handler(q, s));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.pki ? 'https' : 'http'}://127.0.0.1:${port}`,
    caPem: options.pki?.caPem,
    setPods(next) {
      const before = slices().map((s) => s.metadata.name);
      pods = next;
      resourceVersion += 1;
      const after = slices();
      const events = [
        ...after.map((s) => ({
          type: before.includes(s.metadata.name) ? 'MODIFIED' : 'ADDED',
          object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', ...s },
        })),
        ...before
          .filter((n) => !after.some((s) => s.metadata.name === n))
          .map((name) => ({
            type: 'DELETED',
            object: { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', metadata: { name, resourceVersion: String(resourceVersion) } },
          })),
      ];
      for (const res of watches) for (const event of events) res.write(`${JSON.stringify(event)}\n`);
    },
    failWith(code) {
      failure = code;
    },
    expireContinueTokens() {
      expiredBelow = issued;
    },
    async stop() {
      for (const res of watches) res.destroy();
      watches.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    async start() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    requests,
    watchers: () => watches.size,
    async close() {
      for (const res of watches) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serverKeyPair(pki: TestPki): Promise<{ cert: string; key: string }> {
  const issued = await pki.issue(['127.0.0.1', 'localhost']);
  return { cert: issued.certPem, key: issued.keyPem };
}
