import { mkdir, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import { chromiumSkipReason, pngSize, runChromium } from './chromium.ts';
import { startServedSealwatch, type ServedSealwatch } from './served-sealwatch.ts';

// The dashboard in a real browser, served exactly as `sealwatch serve` serves it, in the three
// views an operator meets: healthy (after a seal that sealwatch repaired within one sweep),
// sealed (auto-unseal off: a node stays sealed and its incident is open) and stale (no sweep for
// more than 2 × the interval). Headless Chromium renders `GET /` with a read-scoped API key; the
// DOM is checked and the PNGs are kept under test-artifacts/ for people to look at.

const ARTIFACTS = 'test-artifacts';

if (chromiumSkipReason) console.warn(chromiumSkipReason);

/** The system clock, moved forward on demand: "sweeps stopped N minutes ago" without waiting. */
function offsetClock(): Clock & { skip(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal), skip: (ms) => void (offset += ms) };
}

async function screenshot(url: string, name: string): Promise<void> {
  const file = `${ARTIFACTS}/${name}`;
  await runChromium(`--screenshot=${file}`, url);
  expect(pngSize(await readFile(file))).toEqual({ width: 1280, height: 800 });
  // A blank or error page compresses to a few KB; the dashboard with colours and tables does not.
  expect((await stat(file)).size).toBeGreaterThan(20_000);
}

async function viewerUrl(sealwatch: ServedSealwatch): Promise<string> {
  const { key } = await sealwatch.runtime.apiKeys.create({ name: 'dashboard-e2e', scopes: ['read'] });
  // Basic auth, key as password: Chromium answers the 401 challenge with these credentials.
  return `${sealwatch.url.replace('http://', `http://viewer:${key}@`)}/`;
}

const stateOf = (dom: string, node: string) => new RegExp(`data-node="${node}" data-state="([a-z-]+)" data-stale="(true|false)"`).exec(dom)?.slice(1, 3);

describe.skipIf(chromiumSkipReason !== null)('dashboard in headless Chromium', () => {
  let healthy: ServedSealwatch;
  let sealed: ServedSealwatch;
  const clock = offsetClock();
  let healthyUrl: string;
  let sealedUrl: string;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    [healthy, sealed] = await Promise.all([
      startServedSealwatch({ clusterId: 'demo', clock, api: {} }),
      startServedSealwatch({ clusterId: 'demo', clock: systemClock, api: {}, autoUnseal: false }),
    ]);

    // Healthy: vault-2 sealed and unsealed by sealwatch within one sweep.
    await healthy.runtime.sweep.run({ trigger: 'e2e' });
    healthy.sim.nodes[2]?.seal();
    const repaired = await healthy.runtime.sweep.run({ trigger: 'e2e' });
    expect(repaired.totals.repaired).toBe(1);
    healthyUrl = await viewerUrl(healthy);

    // Sealed: earlier vault-2 was unsealed through a webhook (an audited unseal); now vault-1 is sealed.
    const cluster = sealed.runtime.clusters[0];
    if (!cluster) throw new Error('no cluster');
    sealed.sim.nodes[2]?.seal();
    expect((await sealed.runtime.unseal.unsealNode({ cluster, nodeId: 'vault-2', trigger: 'webhook' })).outcome).toBe('unsealed');
    sealed.sim.nodes[1]?.seal();
    const report = await sealed.runtime.sweep.run({ trigger: 'e2e' });
    expect(report.clusters[0]?.nodes.find((n) => n.id === 'vault-1')?.state).toBe('sealed');
    sealedUrl = await viewerUrl(sealed);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([healthy?.close(), sealed?.close()]);
  });

  it('healthy: every node serving, the seal repaired in the last sweep visible on its tile, no banner', async () => {
    const dom = await runChromium('--dump-dom', healthyUrl);
    for (const node of ['vault-0', 'vault-1', 'vault-2']) expect(stateOf(dom, node), node).toEqual([expect.stringMatching(/^(active|standby)$/), 'false']);
    expect(dom).toMatch(/data-transition="sealed-&gt;(active|standby)">was sealed <time[^>]*>\d+ s ago<\/time> → unsealed by sealwatch/);
    expect(dom).not.toContain('id="stale-banner"');
    expect(dom).toContain('0 sealed, 0 open incidents');
    expect(dom).toMatch(/last sweep: <time datetime="[^"]+" title="[^"]+">\d+ s ago<\/time>/);
    await screenshot(healthyUrl, 'dashboard-healthy.png');
  });

  it('sealed: the sealed node, its open incident and the earlier unseal', async () => {
    const dom = await runChromium('--dump-dom', sealedUrl);
    expect(stateOf(dom, 'vault-0')?.[0]).toMatch(/^(active|standby)$/);
    expect(stateOf(dom, 'vault-1')).toEqual(['sealed', 'false']);
    expect(stateOf(dom, 'vault-2')?.[0]).toMatch(/^(active|standby)$/);
    expect(dom).toContain('1 sealed, 1 open incident');
    const incidents = dom.slice(dom.indexOf('id="incidents"'), dom.indexOf('id="findings"'));
    expect(incidents).toContain('data-finding="node.sealed"');
    expect(incidents).toContain('demo/vault-1');
    const findings = dom.slice(dom.indexOf('id="findings"'), dom.indexOf('id="recoveries"'));
    expect(findings).toContain('data-finding="node.sealed"');
    // Every share sits under one local wrapper: the custody warnings of `keys status`.
    expect(findings).toContain('data-finding="custody.single-provider-compromise"');
    const actions = dom.slice(dom.indexOf('id="actions"'));
    expect(actions).toMatch(/demo\/vault-2<\/td><td>unseal<\/td><td class="ok">unsealed<\/td><td>webhook/);
    await screenshot(sealedUrl, 'dashboard-sealed.png');
  });

  it('stale: with sweeps stopped for 3 intervals, a banner and greyed tiles', async () => {
    clock.skip(3 * 60_000);
    const dom = await runChromium('--dump-dom', healthyUrl);
    expect(dom).toContain('id="stale-banner"');
    expect(dom).toMatch(/Stale: demo last swept 3 min ago/);
    for (const node of ['vault-0', 'vault-1', 'vault-2']) expect(stateOf(dom, node)?.[1], node).toBe('true');
    await screenshot(healthyUrl, 'dashboard-stale.png');
  });

  it('is not shown without a key: the served app answers 401 with a Basic challenge', async () => {
    const res = await fetch(`${sealed.url}/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await res.text()).not.toContain('data-node=');
  });
});
