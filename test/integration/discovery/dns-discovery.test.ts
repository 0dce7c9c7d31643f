import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsDiscovery } from '../../../shared/adapters/dns-discovery.ts';
import { startDnsServer } from '../../support/dns-server.ts';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
beforeAll(async () => {
  dns = await startDnsServer({
    '_vault._tcp.vault.internal': {
      SRV: [
        { priority: 10, weight: 5, port: 8200, target: 'vault-0.vault.internal' },
        { priority: 10, weight: 5, port: 8210, target: 'vault-1.vault.internal' },
      ],
    },
    'vault-0.vault.internal': { A: ['10.0.0.10'] },
    'vault-1.vault.internal': { AAAA: ['fd00::11'] },
    'vault.internal': { A: ['10.0.0.10', '10.0.0.12'] },
  });
});
afterAll(() => dns.close());

const signal = () => AbortSignal.timeout(5000);

describe('DNS discovery through node:dns against a loopback DNS server', () => {
  it('SRV: one node per target, with its port and address (IPv6 in brackets)', async () => {
    const nodes = await createDnsDiscovery({ srv: '_vault._tcp.vault.internal', scheme: 'https', insecureHttp: false, servers: [dns.server] }).discover(
      signal(),
    );
    expect(nodes.map((n) => [n.id, n.url])).toEqual([
      ['vault-0', 'https://10.0.0.10:8200'],
      ['vault-1', 'https://[fd00::11]:8210'],
    ]);
    expect(nodes[0]?.details).toMatchObject({ target: 'vault-0.vault.internal', priority: 10 });
    expect(dns.queries).toContain('_vault._tcp.vault.internal/33');
  });

  it('A/AAAA of a name with a port', async () => {
    const nodes = await createDnsDiscovery({ name: 'vault.internal', port: 8200, scheme: 'https', insecureHttp: false, servers: [dns.server] }).discover(
      signal(),
    );
    expect(nodes.map((n) => [n.id, n.url])).toEqual([
      ['10-0-0-10', 'https://10.0.0.10:8200'],
      ['10-0-0-12', 'https://10.0.0.12:8200'],
    ]);
  });

  it('an unknown name is a discovery error, not an empty cluster', async () => {
    await expect(
      createDnsDiscovery({ srv: '_vault._tcp.nowhere.internal', scheme: 'https', insecureHttp: false, servers: [dns.server] }).discover(signal()),
    ).rejects.toMatchObject({ failure: 'invalid' });
  });
});
