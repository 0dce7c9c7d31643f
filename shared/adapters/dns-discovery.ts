import { Resolver } from 'node:dns/promises';
import type { DnsDiscoveryConfig } from '../config/types-discovery.ts';
import { DiscoveryError, type DiscoveredNode, type NodeDiscovery } from '../ports/node-discovery.ts';

/**
 * Nodes from DNS: SRV records (target + port each), or the A/AAAA records of a name with the
 * configured port. Node id = the SRV target's first label, or the address for A/AAAA.
 */
export function createDnsDiscovery(config: DnsDiscoveryConfig): NodeDiscovery {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (config.servers && config.servers.length > 0) resolver.setServers(config.servers);
  return {
    source: 'dns',
    async discover(signal) {
      const onAbort = () => resolver.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return config.srv !== undefined ? await bySrv(resolver, config.srv, config) : await byAddress(resolver, config.name ?? '', config);
      } catch (error) {
        if (error instanceof DiscoveryError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        // NXDOMAIN / no records: the name exists in config but not in DNS.
        if (code === 'ENOTFOUND' || code === 'ENODATA') throw new DiscoveryError('invalid', `DNS ${config.srv ?? config.name}: no records (${code})`);
        throw new DiscoveryError('unreachable', `DNS ${config.srv ?? config.name}: ${code}`);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

async function bySrv(resolver: Resolver, name: string, config: DnsDiscoveryConfig): Promise<DiscoveredNode[]> {
  const records = await resolver.resolveSrv(name);
  const nodes: DiscoveredNode[] = [];
  for (const record of records) {
    // The target's addresses are looked up with the same resolver, so TLS can use the name.
    const addresses = await lookup(resolver, record.name);
    const address = addresses[0];
    if (address === undefined) continue;
    nodes.push(
      node(record.name.split('.')[0] ?? record.name, address, record.port, config, { target: record.name, priority: record.priority, weight: record.weight }),
    );
  }
  return nodes;
}

async function byAddress(resolver: Resolver, name: string, config: DnsDiscoveryConfig): Promise<DiscoveredNode[]> {
  const addresses = await lookup(resolver, name);
  return addresses.map((address) => node(address.replace(/[.:]/g, '-'), address, config.port ?? 8200, config, { name }));
}

async function lookup(resolver: Resolver, name: string): Promise<string[]> {
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  if (found.length === 0 && v4.status === 'rejected') throw v4.reason;
  return found;
}

function node(id: string, address: string, port: number, config: DnsDiscoveryConfig, details: DiscoveredNode['details']): DiscoveredNode {
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    id: id.toLowerCase(),
    url: `${config.scheme}://${host}:${port}`,
    ...(config.scheme === 'http' ? { insecureHttp: config.insecureHttp } : {}),
    details: { address, ...details },
  };
}
