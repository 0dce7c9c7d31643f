import { mkdir, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { chromiumSkipReason, pngSize, runChromium } from './chromium.ts';
import { startServedSealwatch, type ServedSealwatch } from './served-sealwatch.ts';

// The dashboard in a real browser, served exactly as `sealwatch serve` serves it: a demo cluster
// (3 simulated nodes, TLS) where sealwatch unsealed one node earlier and one node is sealed now
// (auto-unseal off), so the sweep's alerting opened a critical incident. Headless Chromium
// renders `GET /` with a read-scoped API key; the DOM must show every node's state and the PNG
// is kept under test-artifacts/ for people to look at.

const ARTIFACTS = 'test-artifacts';
const SCREENSHOT = `${ARTIFACTS}/dashboard.png`;

if (chromiumSkipReason) console.warn(chromiumSkipReason);

describe.skipIf(chromiumSkipReason !== null)('dashboard in headless Chromium', () => {
  let sealwatch: ServedSealwatch;
  let url: string;

  beforeAll(async () => {
    sealwatch = await startServedSealwatch({ clusterId: 'demo', clock: systemClock, api: {}, autoUnseal: false });
    const { sim, runtime } = sealwatch;
    const cluster = runtime.clusters[0];
    if (!cluster) throw new Error('no cluster');

    // Earlier: vault-2 sealed and unsealed by sealwatch (an audited unseal). Now: vault-1 sealed.
    sim.nodes[2]?.seal();
    const unsealed = await runtime.unseal.unsealNode({ cluster, nodeId: 'vault-2', trigger: 'webhook' });
    expect(unsealed.outcome).toBe('unsealed');
    sim.nodes[1]?.seal();
    const report = await runtime.sweep.run({ trigger: 'e2e' });
    expect(report.clusters[0]?.nodes.find((n) => n.id === 'vault-1')?.state).toBe('sealed');

    const { key } = await runtime.apiKeys.create({ name: 'dashboard-e2e', scopes: ['read'] });
    // Basic auth, key as password: Chromium answers the 401 challenge with these credentials.
    url = `${sealwatch.url.replace('http://', `http://viewer:${key}@`)}/`;
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await sealwatch?.close();
  });

  it('shows every node with its state, the open incident and the earlier unseal', async () => {
    const dom = await runChromium('--dump-dom', url);
    for (const [node, state] of [
      ['vault-0', /^(active|standby)$/],
      ['vault-1', /^sealed$/],
      ['vault-2', /^(active|standby)$/],
    ] as const) {
      const match = new RegExp(`data-node="${node}" data-state="([a-z-]+)"`).exec(dom);
      expect(match?.[1], `${node} in the DOM`).toMatch(state);
    }
    expect(dom).toContain('1 sealed, 1 open incident');
    const incidents = dom.slice(dom.indexOf('id="incidents"'), dom.indexOf('id="unseals"'));
    expect(incidents).toContain('data-finding="node.sealed"');
    expect(incidents).toContain('vault-1');
    const unseals = dom.slice(dom.indexOf('id="unseals"'), dom.indexOf('id="audit"'));
    expect(unseals).toContain('vault-2');
    expect(unseals).toContain('webhook');
  });

  it('renders a 1280x800 screenshot, kept as a test artifact', async () => {
    await runChromium(`--screenshot=${SCREENSHOT}`, url);
    const png = await readFile(SCREENSHOT);
    expect(pngSize(png)).toEqual({ width: 1280, height: 800 });
    // A blank or error page compresses to a few KB; the dashboard with colours and tables does not.
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(20_000);
  });

  it('is not shown without a key: the served app answers 401 with a Basic challenge', async () => {
    const res = await fetch(`${sealwatch.url}/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await res.text()).not.toContain('data-node=');
  });
});
