import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded answer and where its shape comes from. */
export interface RecordedAnswer {
  source: string;
  status: number;
  body: unknown;
}

/**
 * A file of test/fixtures/vault-answers: the answers of one Vault / OpenBao version for a sealed
 * node and for the active node of a 3-node raft cluster, keyed `METHOD /v1/path` (writes as PUT;
 * `sys/unseal` split into `#key` and `#reset` by request body), and the answer to a request whose
 * token is not the one the test logged in with.
 */
export interface RecordedVersion {
  product: 'vault' | 'openbao';
  version: string;
  denied: RecordedAnswer;
  sealed: Record<string, RecordedAnswer>;
  active: Record<string, RecordedAnswer>;
}

export interface VaultReplayServer {
  /** `http://127.0.0.1:PORT`, a node answering as the sealed node of the recording. */
  sealedUrl: string;
  /** `http://127.0.0.1:PORT`, the active node. */
  activeUrl: string;
  /** The token the authenticated recordings answer to; any other gets `denied`. */
  token: string;
  /** Requests that matched no recording (a contract test must not depend on one). */
  unmatched: string[];
  close(): Promise<void>;
}

export function readRecordedVersion(file: string): RecordedVersion {
  return JSON.parse(readFileSync(new URL(`../fixtures/vault-answers/${file}`, import.meta.url), 'utf8')) as RecordedVersion;
}

const TOKEN = 'hvs.REPLAYTOKEN0123456789abcd';

/**
 * Serves recorded answers of one version on loopback, two listeners (sealed node, active node),
 * the way Vault's `http/handler.go` puts them on the wire: JSON with `Cache-Control: no-store`;
 * `sys/storage/*` paths are authenticated (`X-Vault-Token`).
 */
export async function startVaultReplayServer(recorded: RecordedVersion): Promise<VaultReplayServer> {
  const unmatched: string[] = [];
  const listen = async (answers: Record<string, RecordedAnswer>): Promise<{ server: Server; url: string }> => {
    const server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const path = new URL(req.url ?? '/', 'http://replay').pathname;
        const method = req.method === 'POST' ? 'PUT' : (req.method ?? 'GET');
        let key = `${method} ${path}`;
        if (key === 'PUT /v1/sys/unseal') key += (JSON.parse(raw || '{}') as { reset?: boolean }).reset === true ? '#reset' : '#key';
        const authenticated = path.startsWith('/v1/sys/storage/');
        const answer = authenticated && req.headers['x-vault-token'] !== TOKEN ? recorded.denied : answers[key];
        if (!answer) unmatched.push(key);
        const { status, body } = answer ?? { status: 404, body: { errors: [] } };
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const sealed = await listen(recorded.sealed);
  const active = await listen(recorded.active);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    sealedUrl: sealed.url,
    activeUrl: active.url,
    token: TOKEN,
    unmatched,
    close: async () => {
      await Promise.all([close(sealed.server), close(active.server)]);
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
