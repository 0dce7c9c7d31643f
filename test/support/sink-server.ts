import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer. Missing `body` sends an empty body; missing `headers` sends none. */
export interface SinkAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** One request the sink received, in arrival order. */
export interface SinkRequest {
  method: string;
  /** Path and query, e.g. `/hooks/abc?x=1`. */
  path: string;
  /** Lower-case header names, as node parses them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SinkServerOptions {
  /**
   * Answers given in order, one per request. When the script is used up, the sink answers
   * `fallback` (default 200 with an empty body) for every further request.
   */
  script?: SinkAnswer[];
  fallback?: SinkAnswer;
  /** Largest body recorded (bytes); larger bodies get 413 and are recorded truncated. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface SinkServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  requests: SinkRequest[];
  /** Replaces the remaining script (answers not yet given are dropped). */
  setScript(script: SinkAnswer[], fallback?: SinkAnswer): void;
  close(): Promise<void>;
}

/**
 * A recording HTTP sink on 127.0.0.1 for alert-channel tests: it records every request
 * (method, path, headers, body) and answers from a script, so a test can play "429 with
 * Retry-After, then 500, then 202" against a real socket.
 */
export async function startSinkServer(options: SinkServerOptions = {}): Promise<SinkServer> {
  let script = [...(options.script ?? [])];
  let fallback: SinkAnswer = options.fallback ?? { status: 200 };
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const requests: SinkRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
      else tooLarge = true;
    });
    req.on('end', () => {
      requests.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer: SinkAnswer = tooLarge ? { status: 413 } : (script.shift() ?? fallback);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
    req.on('error', () => res.destroy());
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setScript(next, nextFallback) {
      script = [...next];
      if (nextFallback) fallback = nextFallback;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
