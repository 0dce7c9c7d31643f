// The floor a sweep is measured against: a bare keep-alive HTTP(S) client that does only what a
// sweep must do per node — `GET sys/health` and `GET sys/seal-status`, in parallel, bodies read
// and parsed as JSON — with the same concurrency, one connection per node, one TLS context per
// cluster CA (as sealwatch), and nothing else (no schemas, no classification, no state, no
// alerting).
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { FleetCluster } from './fleet.ts';

export interface FloorClient {
  /** One pass over every node; returns its wall time in ms. */
  pass(): Promise<number>;
  /** Drops every connection, so the next pass starts cold. */
  reset(): void;
}

export function createFloorClient(clusters: readonly FleetCluster[], concurrency: number): FloorClient {
  // One parsed CA store per cluster, as sealwatch's transport keeps: handing `ca` alone to an
  // agent makes Node parse the PEM and build a TLS context for every connection, which made the
  // floor slower than sealwatch on a cold TLS sweep (ratio 0.67 on 2026-12-07). Built on first
  // use and dropped by `reset()` with the connections, so a cold pass is a fresh client's, as a
  // cold sweep is a fresh process's: both parse each cluster's CA once.
  let contexts = new Map<string, tls.SecureContext>();
  const contextFor = (ca: string) => {
    let context = contexts.get(ca);
    if (!context) contexts.set(ca, (context = tls.createSecureContext({ ca })));
    return context;
  };
  const targets = clusters.flatMap((c) => c.nodes.map((n) => ({ url: new URL(n.url), ca: c.caPem ?? undefined })));
  let agents = new Map<string, http.Agent>();
  const agentFor = (url: URL, ca: string | undefined) => {
    const key = url.host;
    let agent = agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca ? { ca, secureContext: contextFor(ca) } : {}) })
          : new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.set(key, agent);
    }
    return agent;
  };
  const get = (url: URL, path: string, agent: http.Agent) =>
    new Promise<void>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(
        { host: url.hostname, port: url.port, path, method: 'GET', agent, servername: url.hostname === '127.0.0.1' ? undefined : url.hostname },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  return {
    async pass() {
      const start = performance.now();
      let next = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          const target = targets[i];
          if (!target) return;
          const agent = agentFor(target.url, target.ca);
          await Promise.all([get(target.url, '/v1/sys/health', agent), get(target.url, '/v1/sys/seal-status', agent)]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
      return performance.now() - start;
    },
    reset() {
      for (const agent of agents.values()) agent.destroy();
      agents = new Map();
      contexts = new Map();
    },
  };
}
