import type { KubernetesDiscoveryConfig } from '../config/types-discovery.ts';
import { DiscoveryError, type DiscoveredNode, type NodeDiscovery } from '../ports/node-discovery.ts';
import { getJson, GoneError, streamLines, type KubernetesCredentials } from './kubernetes-api.ts';

/** discovery.k8s.io/v1 EndpointSlice, the fields sealwatch reads (k8s.io/api/discovery/v1/types.go). */
export interface EndpointSlice {
  metadata: { name: string; resourceVersion?: string };
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints:
    | {
        addresses: string[];
        conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
        hostname?: string;
        targetRef?: { kind?: string; name?: string; namespace?: string };
        nodeName?: string;
        zone?: string;
      }[]
    | null;
  ports: { name?: string; port?: number; protocol?: string }[] | null;
}

interface EndpointSliceList {
  metadata: { resourceVersion?: string; continue?: string };
  items: EndpointSlice[];
}

const PAGE = 100;
const MAX_NODES = 99;

/**
 * The pods behind a service, from its EndpointSlices: node id = pod name, URL = scheme://podIP:port.
 * Pages with `limit`/`continue`; a 410 (continue token expired) restarts the list once.
 */
export function createEndpointSliceDiscovery(config: KubernetesDiscoveryConfig, credentials: KubernetesCredentials): NodeDiscovery {
  const base = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(config.namespace)}/endpointslices`;
  const selector = `labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${config.service}`)}`;
  let resourceVersion: string | undefined;

  async function list(signal: AbortSignal): Promise<EndpointSlice[]> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const slices: EndpointSlice[] = [];
        let token: string | undefined;
        do {
          const page = await withAuth((connection) =>
            getJson<EndpointSliceList>(connection, `${base}?${selector}&limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`, signal),
          );
          slices.push(...(page.items ?? []));
          token = page.metadata?.continue || undefined;
          resourceVersion = page.metadata?.resourceVersion;
        } while (token !== undefined);
        return slices;
      } catch (error) {
        // The continue token outlived the API server's compaction: the list starts over.
        if (error instanceof GoneError && attempt < 2) continue;
        if (error instanceof GoneError) throw new DiscoveryError('unreachable', `listing EndpointSlices kept expiring: ${error.message}`);
        throw error;
      }
    }
  }

  /** One retry with fresh credentials after a 401 (a rotated or expired token). */
  async function withAuth<T>(call: (c: Awaited<ReturnType<KubernetesCredentials['connection']>>) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(30_000);
    try {
      return await call(await credentials.connection(signal));
    } catch (error) {
      if (!(error instanceof DiscoveryError) || error.failure !== 'unauthorized') throw error;
      credentials.invalidate();
      return call(await credentials.connection(signal));
    }
  }

  return {
    source: 'kubernetes',
    async discover(signal) {
      return slicesToNodes(await list(signal), config);
    },
    watch(onChange, signal) {
      void watchLoop(onChange, signal);
    },
  };

  async function watchLoop(onChange: () => void, signal: AbortSignal): Promise<void> {
    let backoff = 250;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) await list(signal);
        const path = `${base}?${selector}&watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion ?? '')}`;
        await withAuth((connection) =>
          streamLines(connection, path, signal, (line) => {
            const event = parseEvent(line);
            if (!event) return;
            if (event.object?.metadata?.resourceVersion) resourceVersion = event.object.metadata.resourceVersion;
            if (event.type === 'ERROR') {
              // A 410 inside the stream: our resourceVersion is too old; relist, then watch again.
              resourceVersion = undefined;
              return;
            }
            if (event.type !== 'BOOKMARK') onChange();
          }),
        );
        backoff = 250;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof GoneError) resourceVersion = undefined;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }
}

function parseEvent(line: string): { type: string; object?: { metadata?: { resourceVersion?: string } } } | undefined {
  try {
    return JSON.parse(line) as { type: string; object?: { metadata?: { resourceVersion?: string } } };
  } catch {
    return undefined;
  }
}

/** Pure: slices → nodes, one per pod; a live endpoint wins over a terminating one of the same pod. */
export function slicesToNodes(slices: readonly EndpointSlice[], config: Pick<KubernetesDiscoveryConfig, 'port' | 'scheme' | 'insecureHttp'>): DiscoveredNode[] {
  const byId = new Map<string, DiscoveredNode>();
  for (const slice of slices) {
    const port = slicePort(slice, config.port);
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const address = endpoint.addresses[0];
      if (address === undefined) continue;
      const host = slice.addressType === 'IPv6' ? `[${address}]` : address;
      const id = endpoint.targetRef?.name ?? endpoint.hostname ?? address;
      const terminating = endpoint.conditions?.terminating === true;
      const node: DiscoveredNode = {
        id,
        url: `${config.scheme}://${host}:${port}`,
        ...(config.scheme === 'http' ? { insecureHttp: config.insecureHttp } : {}),
        ...(terminating ? { terminating } : {}),
        details: {
          address,
          addressType: slice.addressType,
          slice: slice.metadata.name,
          ready: endpoint.conditions?.ready ?? null,
          serving: endpoint.conditions?.serving ?? null,
          terminating,
          nodeName: endpoint.nodeName ?? null,
          zone: endpoint.zone ?? null,
        },
      };
      const seen = byId.get(id);
      if (!seen || (seen.terminating && !terminating)) byId.set(id, node);
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).slice(0, MAX_NODES + 1);
}

/** The slice's API port: the configured name or number, else the one named https, else http. */
function slicePort(slice: EndpointSlice, wanted: string | number | undefined): number | undefined {
  const ports = slice.ports ?? [];
  if (typeof wanted === 'number') return wanted;
  const names = wanted === undefined ? ['https', 'http'] : [wanted];
  for (const name of names) {
    const match = ports.find((p) => p.name === name && p.port !== undefined);
    if (match?.port !== undefined) return match.port;
  }
  return undefined;
}
