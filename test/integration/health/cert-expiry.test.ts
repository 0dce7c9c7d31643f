import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probePeerCertificate } from '../../../shared/adapters/tls-certificate-probe.ts';
import { createCertInspector } from '../../../shared/app/inspectors/cert-inspector.ts';
import type { ClusterPlan } from '../../../shared/core/plan-sweep.ts';
import { createTestPki } from '../../../shared/simulator/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';

// node.cert-expiring from the certificate a node presents, read by a bare TLS handshake
// (an already expired certificate must still be readable).

const DAY = 86_400_000;
const servers: Server[] = [];
let caPem: string;
const urls: Record<string, string> = {};
const notAfter = { soon: new Date(Date.now() + 5 * DAY), later: new Date(Date.now() + 60 * DAY), expired: new Date(Date.now() - DAY) };

beforeAll(async () => {
  const pki = await createTestPki();
  caPem = pki.caPem;
  for (const [name, date] of Object.entries(notAfter)) {
    const leaf = await pki.issue(['127.0.0.1'], { notAfter: date, notBefore: new Date(Date.now() - 10 * DAY) });
    const server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('certificate expiry', () => {
  it('reads notAfter, even of an expired certificate', async () => {
    const info = await probePeerCertificate({ url: urls.expired as string, caPem }, AbortSignal.timeout(5_000));
    expect(Math.abs((info?.validTo ?? 0) - notAfter.expired.getTime())).toBeLessThan(1_000);
    expect(await probePeerCertificate({ url: 'http://127.0.0.1:1', insecureHttp: true }, AbortSignal.timeout(1_000))).toBeNull();
  });

  it('raises node.cert-expiring within the configured days, critical once expired', async () => {
    const inspector = createCertInspector({ probe: probePeerCertificate, clock: new FakeClock({ start: Date.now() }), days: () => 14 });
    const names = Object.keys(urls);
    const plan = {
      clusterId: 'c1',
      nodes: names.map((id) => ({ nodeId: id, url: urls[id] as string, state: 'standby' })),
    } as unknown as ClusterPlan;
    const cluster = { id: 'c1', name: 'c1', nodes: names.map((id) => ({ id, url: urls[id] as string })), tls: { caPem } };
    const findings = await inspector.inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(5_000) });
    expect(findings.map((f) => [f.id, f.node, f.severity])).toEqual([
      ['node.cert-expiring', 'expired', 'critical'],
      ['node.cert-expiring', 'soon', 'warning'],
    ]);
  });
  it('takes the certificate the sweep already saw for a first look, and probes afresh on refresh (a rotated certificate is seen)', async () => {
    const clock = new FakeClock({ start: Date.now() });
    // The sweep's kept-alive connection still shows the certificate from its first handshake;
    // the node has since been given a new one, which only a handshake of its own shows.
    const known = { validTo: clock.now() + 5 * DAY };
    const calls = { known: 0, probe: 0 };
    const inspector = createCertInspector({
      known: () => ((calls.known += 1), known),
      probe: async () => ((calls.probe += 1), { validTo: clock.now() + 90 * DAY }),
      clock,
      days: () => 14,
      refreshMs: 6 * 3_600_000,
    });
    const url = urls.later as string;
    const plan = { clusterId: 'c1', nodes: [{ nodeId: 'n1', url, state: 'standby' }] } as unknown as ClusterPlan;
    const cluster = { id: 'c1', name: 'c1', nodes: [{ id: 'n1', url }], tls: { caPem } };
    const inspect = () => inspector.inspect({ cluster, plan, trigger: 'test', signal: AbortSignal.timeout(5_000) });

    expect((await inspect()).map((f) => f.id)).toEqual(['node.cert-expiring']);
    expect(calls).toEqual({ known: 1, probe: 0 });
    clock.advance(6 * 3_600_000);
    expect(await inspect()).toEqual([]);
    expect(calls).toEqual({ known: 1, probe: 1 });
  });
});
