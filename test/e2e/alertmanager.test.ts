import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { Secret } from '../../shared/config/secret.ts';
import { keySubmissions } from '../support/custody-fixture.ts';
import { alertmanagerSkipReason, startAlertmanager, type RunningAlertmanager } from './alertmanager-process.ts';
import { startServedSealwatch, type ServedCall, type ServedSealwatch } from './served-sealwatch.ts';

// Real Alertmanager (Debian's prometheus-alertmanager) in front of sealwatch: a `VaultSealed`
// alert posted to Alertmanager reaches sealwatch's webhook receiver, which unseals the node;
// the resolved notification that follows is accepted without acting again.

const ARTIFACT = 'test-artifacts/alertmanager-e2e.json';
const HOOK = '/v1/hooks/alertmanager';

if (alertmanagerSkipReason) console.warn(alertmanagerSkipReason);

describe.skipIf(alertmanagerSkipReason !== null)('Alertmanager → sealwatch, end to end', () => {
  const token = randomBytes(24).toString('base64url');
  let sealwatch: ServedSealwatch;
  let am: RunningAlertmanager;

  beforeAll(async () => {
    sealwatch = await startServedSealwatch({
      clusterId: 'e2e-vault',
      clock: systemClock,
      api: { alertmanager: { token: new Secret(token), clusterLabel: 'vault_cluster', nodeLabel: 'instance' } },
    });
    am = await startAlertmanager({ webhookUrl: `${sealwatch.url}${HOOK}`, token });
  });

  afterAll(async () => {
    await am?.close();
    await sealwatch?.close();
  });

  const hookCalls = (status: 'firing' | 'resolved'): ServedCall[] =>
    sealwatch.calls.filter((c) => c.path === HOOK && (JSON.parse(c.body) as { status?: string }).status === status);

  async function postAlert(alert: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    expect(res.status, `Alertmanager accepted the alert (${await res.clone().text()})`).toBe(200);
  }

  async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nalertmanager log:\n${am.log().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('unseals the node named by a firing VaultSealed alert, then accepts the resolved one idempotently', async () => {
    const node = sealwatch.sim.nodes[1];
    if (!node) throw new Error('no node');
    // Prometheus labels a target by host:port; every simulated node shares the host 127.0.0.1.
    const instance = new URL(node.url).host;
    node.seal();
    expect(node.state().sealed).toBe(true);

    const startsAt = new Date().toISOString();
    const labels = { alertname: 'VaultSealed', vault_cluster: sealwatch.clusterId, instance, severity: 'critical' };
    const alertAt = performance.now();
    const alertWallAt = Date.now();
    await postAlert({ labels, annotations: { summary: `${instance} is sealed` }, startsAt });
    await until('the node to be unsealed', () => node.state().sealed === false);
    const alertToUnsealedMs = performance.now() - alertAt;

    const firing = await until('the firing webhook to be answered', () => hookCalls('firing')[0]);
    expect(firing.status).toBeLessThan(300);
    const answer = JSON.parse(firing.response) as { status: string; results: { cluster: string; unseal?: { nodes: { node: string; outcome: string }[] } }[] };
    expect(answer.status).toBe('done');
    expect(answer.results[0]?.unseal?.nodes).toContainEqual(expect.objectContaining({ node: node.id, outcome: 'unsealed' }));
    const auditAfterUnseal = await sealwatch.runtime.audit.list(sealwatch.clusterId);
    expect(auditAfterUnseal.filter((e) => e.outcome === 'unsealed').map((e) => [e.node, e.trigger])).toEqual([[node.id, 'alertmanager']]);
    const submissionsAfterUnseal = keySubmissions(node).length;
    expect(submissionsAfterUnseal).toBe(3);

    // Resolved: the same alert with endsAt in the past; Alertmanager sends status "resolved".
    await postAlert({ labels, annotations: { summary: `${instance} is sealed` }, startsAt, endsAt: new Date(Date.now() - 1_000).toISOString() });
    const resolved = await until('the resolved webhook to be answered', () => hookCalls('resolved')[0]);
    expect(resolved.status).toBeGreaterThanOrEqual(200);
    expect(resolved.status).toBeLessThan(300);
    expect(await sealwatch.runtime.audit.list(sealwatch.clusterId)).toHaveLength(auditAfterUnseal.length);
    expect(keySubmissions(node)).toHaveLength(submissionsAfterUnseal);
    expect(node.state().sealed).toBe(false);
    // Alertmanager retries only on failure: every delivery it made was accepted.
    expect(sealwatch.calls.filter((c) => c.path === HOOK && c.status >= 300)).toEqual([]);

    const result = {
      test: 'alertmanager-e2e',
      alertmanager: 'Debian prometheus-alertmanager, group_wait 1s, group_interval 1s',
      alertToUnsealedMs: Math.round(alertToUnsealedMs),
      // When sealwatch had answered Alertmanager's delivery (after the unseal), from the alert.
      hookAnsweredAfterMs: firing.answeredAt - alertWallAt,
      firingHookStatus: firing.status,
      resolvedHookStatus: resolved.status,
      resolvedAnswer: JSON.parse(resolved.response) as unknown,
      hookCalls: sealwatch.calls.filter((c) => c.path === HOOK).length,
    };
    console.log(`alert → unsealed: ${result.alertToUnsealedMs} ms (Alertmanager group_wait 1 s included)`);
    await mkdir('test-artifacts', { recursive: true });
    await writeFile(ARTIFACT, `${JSON.stringify(result, null, 2)}\n`);
    // group_wait (1 s) plus one unseal; generous for a loaded CI machine.
    expect(alertToUnsealedMs).toBeLessThan(15_000);
  });
});
