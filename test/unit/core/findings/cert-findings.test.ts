import { describe, expect, it } from 'vitest';
import { certFindings } from '../../../../shared/core/findings/cert-findings.ts';

const now = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

describe('certFindings', () => {
  it.each([
    ['far from expiry', 30 * DAY, 14, null],
    ['just outside the window', 14 * DAY + 1, 14, null],
    ['inside the window', 10 * DAY, 14, 'warning'],
    ['custom window', 20 * DAY, 30, 'warning'],
    ['within a day', DAY / 2, 14, 'critical'],
    ['expired', -DAY, 14, 'critical'],
  ])('%s', (_name, left, days, severity) => {
    const found = certFindings('c1', [{ nodeId: 'n0', validTo: now + left }], now, days);
    expect(found.map((f) => f.severity)).toEqual(severity === null ? [] : [severity]);
    if (severity) expect(found[0]).toMatchObject({ id: 'node.cert-expiring', node: 'n0', evidence: { thresholdDays: days } });
  });
});
