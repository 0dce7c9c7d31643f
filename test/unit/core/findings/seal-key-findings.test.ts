import { describe, expect, it } from 'vitest';
import { keyHealthFindings, sealBackendFindings, type KeyFindingsInput } from '../../../../shared/core/findings/seal-key-findings.ts';

const NOW = Date.UTC(2026, 10, 22);
const DAY = 86_400_000;

function input(
  overrides: Partial<KeyFindingsInput> & { problems?: { code: string; message: string }[]; details?: Record<string, string | number | boolean | null> },
): KeyFindingsInput {
  const { problems = [], details = {}, ...rest } = overrides;
  return { scope: 'seal', cluster: 'prod', provider: 'aws-kms', facts: { keyId: 'k1', problems, details }, nowMs: NOW, expiryDays: 30, ...rest };
}

const ids = (findings: { id: string; severity: string }[]) => findings.map((f) => `${f.id}:${f.severity}`);

describe('keyHealthFindings', () => {
  it.each([
    ['disabled', 'seal.key-disabled:critical'],
    ['pending-deletion', 'seal.key-pending-deletion:critical'],
    ['pending-import', 'seal.key-pending-import:critical'],
    ['unavailable', 'seal.key-unavailable:critical'],
    ['transitional-state', 'seal.key-transitional:warning'],
    ['not-yet-valid', 'seal.key-not-yet-valid:critical'],
    ['missing-key-ops', 'seal.key-ops-missing:critical'],
    ['purgeable', 'seal.key-purgeable:warning'],
    ['expired', 'seal.key-expired:critical'],
    ['wrong-key-spec', 'seal.key-unsuitable:critical'],
    ['not-found', 'seal.key-not-found:critical'],
    ['access-denied', 'seal.key-access-denied:warning'],
    ['unreachable', 'seal.key-unreachable:warning'],
    ['something-new', 'seal.key-problem:warning'],
  ])('maps problem %s to %s', (code, expected) => {
    expect(ids(keyHealthFindings(input({ problems: [{ code, message: `key k1 ${code}` }] })))).toEqual([expected]);
  });

  it('treats custody reachability as critical: sealwatch itself could not unseal', () => {
    const findings = keyHealthFindings(input({ scope: 'custody', wrapper: 'aws-primary', problems: [{ code: 'access-denied', message: 'denied' }] }));
    expect(ids(findings)).toEqual(['custody.key-access-denied:critical']);
    expect(findings[0]?.evidence['wrapper']).toBe('aws-primary');
    expect(findings[0]?.message).toContain('custody wrapper "aws-primary"');
  });

  it('carries the deletion date and days left of a key pending deletion', () => {
    const [finding] = keyHealthFindings(
      input({
        problems: [{ code: 'pending-deletion', message: 'key k1 is pending deletion' }],
        details: { keyState: 'PendingDeletion', deletionDate: '2026-11-29T00:00:00.000Z', daysLeft: 7, arn: 'arn:x' },
      }),
    );
    expect(finding?.evidence).toMatchObject({ keyState: 'PendingDeletion', deletionDate: '2026-11-29T00:00:00.000Z', daysLeft: 7, keyId: 'k1' });
    expect(finding?.evidence).not.toHaveProperty('arn');
    expect(finding?.message).toContain('restarts cannot unseal');
  });

  it('warns about expiry within the configured horizon only, from the dates (not the wrapper code)', () => {
    const in20 = new Date(NOW + 20 * DAY).toISOString();
    const in40 = new Date(NOW + 40 * DAY).toISOString();
    const soon = input({ problems: [{ code: 'expires-soon', message: 'x' }], details: { expiresOn: in20 } });
    expect(ids(keyHealthFindings(soon))).toEqual(['seal.key-expiring:warning']);
    expect(keyHealthFindings(soon)[0]?.evidence['daysLeft']).toBe(20);
    expect(keyHealthFindings(input({ details: { expiresOn: in40 } }))).toEqual([]);
    expect(ids(keyHealthFindings(input({ details: { expiresOn: in40 }, expiryDays: 45 })))).toEqual(['seal.key-expiring:warning']);
    expect(ids(keyHealthFindings(input({ details: { validTo: in20 } })))).toEqual(['seal.key-expiring:warning']);
    // Already expired: the wrapper's `expired` problem speaks, not a second "expiring".
    const past = new Date(NOW - DAY).toISOString();
    expect(ids(keyHealthFindings(input({ problems: [{ code: 'expired', message: 'x' }], details: { expiresOn: past } })))).toEqual([
      'seal.key-expired:critical',
    ]);
  });

  it('reports rotation status as info, on and off', () => {
    const on = keyHealthFindings(input({ details: { rotationEnabled: true, rotationPeriodInDays: 365, nextRotationDate: '2027-01-01T00:00:00.000Z' } }));
    expect(ids(on)).toEqual(['seal.key-rotation:info']);
    expect(on[0]?.message).toContain('every 365 days');
    const off = keyHealthFindings(input({ details: { rotationEnabled: false } }));
    expect(off[0]?.message).toContain('rotation is off');
    expect(keyHealthFindings(input({ details: { rotationEnabled: null } }))).toEqual([]);
  });

  it('raises a failed canary as critical and a passing one not at all', () => {
    expect(ids(keyHealthFindings(input({ canary: { ok: false, message: 'Encrypt failed: AccessDeniedException' } })))).toEqual(['seal.canary-failed:critical']);
    expect(keyHealthFindings(input({ canary: { ok: true, message: 'ok' } }))).toEqual([]);
  });

  it('gives one finding per condition even when two problem codes map to it', () => {
    const findings = keyHealthFindings(
      input({
        problems: [
          { code: 'wrong-key-spec', message: 'a' },
          { code: 'wrong-key-usage', message: 'b' },
        ],
      }),
    );
    expect(ids(findings)).toEqual(['seal.key-unsuitable:critical']);
  });
});

describe('sealBackendFindings', () => {
  it('is silent for a healthy seal', () => {
    expect(sealBackendFindings('prod', 'vault-0', { healthy: true, backends: [{ name: 'awskms', healthy: true }] })).toEqual([]);
  });

  it('names the unhealthy backends and since when', () => {
    const [finding] = sealBackendFindings('prod', 'vault-1', {
      healthy: false,
      unhealthySince: '2026-11-22T10:00:00Z',
      backends: [{ name: 'awskms', healthy: false, unhealthySince: '2026-11-22T10:00:00Z' }],
    });
    expect(finding).toMatchObject({ id: 'seal.backend-unhealthy', severity: 'critical', node: 'vault-1', cluster: 'prod' });
    expect(finding?.evidence).toEqual({ unhealthyBackends: ['awskms'], unhealthySince: '2026-11-22T10:00:00Z' });
  });

  it('notices one unhealthy backend even if the top level says healthy', () => {
    const findings = sealBackendFindings('prod', 'vault-0', {
      healthy: true,
      backends: [
        { name: 'a', healthy: true },
        { name: 'b', healthy: false },
      ],
    });
    expect(findings.map((f) => f.evidence['unhealthyBackends'])).toEqual([['b']]);
  });
});
