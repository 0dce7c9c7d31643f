import { describe, expect, it } from 'vitest';
import { resolveAlertsConfig } from '../../../../shared/core/incidents/policy.ts';
import { routeNotification } from '../../../../shared/core/incidents/routing.ts';

const n = (severity: 'info' | 'warning' | 'critical', cluster = 'prod', findingId = 'node.sealed', evidence = {}) => ({
  severity,
  cluster,
  findingId,
  evidence,
});
const channels = ['slack', 'pager', 'hook'];

describe('routeNotification', () => {
  it('defaults to every channel for warning and above', () => {
    expect(routeNotification([], channels, n('warning'))).toEqual(['hook', 'pager', 'slack']);
    expect(routeNotification([], channels, n('info'))).toEqual([]);
  });

  it.each([
    { severity: 'critical' as const, cluster: 'prod', expected: ['pager', 'slack'] },
    { severity: 'warning' as const, cluster: 'prod', expected: ['slack'] },
    { severity: 'critical' as const, cluster: 'dev', expected: ['slack'] },
    { severity: 'info' as const, cluster: 'dev', expected: [] },
  ])('routes $severity in $cluster to $expected', ({ severity, cluster, expected }) => {
    const routes = [
      { channels: ['slack'], minSeverity: 'warning' as const },
      { channels: ['pager', 'unknown'], minSeverity: 'critical' as const, clusters: ['prod'] },
    ];
    expect(routeNotification(routes, channels, n(severity, cluster))).toEqual(expected);
  });

  it('never routes a delivery failure back to the failing channel', () => {
    expect(routeNotification([], channels, n('warning', 'prod', 'alerts.delivery-failed', { channels: ['slack'] }))).toEqual(['hook', 'pager']);
  });
});

describe('resolveAlertsConfig', () => {
  it('fills the documented defaults', () => {
    expect(resolveAlertsConfig(undefined)).toEqual({
      routes: [],
      openAfter: { critical: 1, warning: 2 },
      resolveAfter: 2,
      remindEveryMs: 3_600_000,
      giveUpAfterMs: 86_400_000,
    });
  });
});
