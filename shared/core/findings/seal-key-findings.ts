import type { Finding, Severity } from '../finding.ts';

/**
 * What a provider check found about one key: the shape of the KeyWrapper port's `KeyHealth`,
 * restated here so the core depends on no port.
 */
export interface KeyFacts {
  keyId: string;
  problems: readonly { code: string; message: string }[];
  details: Readonly<Record<string, string | number | boolean | null>>;
}

/** `seal`: the auto-unseal key Vault's nodes use. `custody`: the key of one of sealwatch's wrappers. */
export type KeyScope = 'seal' | 'custody';

export interface KeyFindingsInput {
  scope: KeyScope;
  cluster: string;
  provider: 'aws-kms' | 'azure-keyvault' | 'local';
  facts: KeyFacts;
  /** The custody wrapper id (custody scope). */
  wrapper?: string;
  /** Result of an Encrypt/Decrypt (or wrap/unwrap) round trip; null when not run. */
  canary?: { ok: boolean; message: string } | null;
  nowMs: number;
  /** Warn when the key (or imported key material) expires within this many days. */
  expiryDays: number;
}

const DAY_MS = 86_400_000;

interface Rule {
  suffix: string;
  severity: Severity | { seal: Severity; custody: Severity };
}

/**
 * Problem codes of the wrappers' `assessKeyMetadata` / `assessKeyVaultKey` (and their failure
 * health) → finding suffix. Expiry codes are absent: expiry is recomputed from the dates with the
 * configured horizon. Whether sealwatch can reach the seal key says little about whether Vault
 * can (other credentials), so those are warnings there; for custody they are sealwatch's own
 * ability to unseal.
 */
const RULES: Record<string, Rule> = {
  disabled: { suffix: 'key-disabled', severity: 'critical' },
  'pending-deletion': { suffix: 'key-pending-deletion', severity: 'critical' },
  'pending-import': { suffix: 'key-pending-import', severity: 'critical' },
  unavailable: { suffix: 'key-unavailable', severity: 'critical' },
  'transitional-state': { suffix: 'key-transitional', severity: 'warning' },
  'wrong-key-usage': { suffix: 'key-unsuitable', severity: 'critical' },
  'wrong-key-spec': { suffix: 'key-unsuitable', severity: 'critical' },
  'wrong-key-type': { suffix: 'key-unsuitable', severity: 'critical' },
  expired: { suffix: 'key-expired', severity: 'critical' },
  'not-yet-valid': { suffix: 'key-not-yet-valid', severity: 'critical' },
  'missing-key-ops': { suffix: 'key-ops-missing', severity: 'critical' },
  purgeable: { suffix: 'key-purgeable', severity: 'warning' },
  'not-found': { suffix: 'key-not-found', severity: 'critical' },
  'access-denied': { suffix: 'key-access-denied', severity: { seal: 'warning', custody: 'critical' } },
  unreachable: { suffix: 'key-unreachable', severity: { seal: 'warning', custody: 'critical' } },
};

const IGNORED = new Set(['expires-soon']);

/** Detail keys copied into evidence when present (all non-secret provider facts). */
const EVIDENCE_DETAILS = [
  'keyState',
  'enabled',
  'deletionDate',
  'daysLeft',
  'pendingDeletionWindowInDays',
  'validTo',
  'expiresOn',
  'notBefore',
  'recoveryLevel',
  'keyOps',
  'keyType',
  'version',
  'errorCode',
] as const;

/** Findings for one key check: its problems, its expiry horizon, rotation (info) and the canary. */
export function keyHealthFindings(input: KeyFindingsInput): Finding[] {
  const { scope, cluster, facts } = input;
  const findings: Finding[] = [];
  const base = baseEvidence(input);
  const what = scope === 'seal' ? `auto-unseal key ${facts.keyId}` : `custody wrapper "${input.wrapper ?? '?'}" (key ${facts.keyId})`;
  const consequence =
    scope === 'seal' ? 'running nodes keep working, but a node that restarts cannot unseal' : 'sealwatch cannot unseal with the shares this wrapper protects';
  const seen = new Set<string>();
  for (const problem of facts.problems) {
    if (IGNORED.has(problem.code)) continue;
    const rule = RULES[problem.code] ?? { suffix: 'key-problem', severity: 'warning' as const };
    const id = `${scope}.${rule.suffix}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const severity = typeof rule.severity === 'string' ? rule.severity : rule.severity[scope];
    findings.push({
      id,
      severity,
      cluster,
      message: `${what}: ${problem.message}${severity === 'critical' ? ` (${consequence})` : ''}`,
      evidence: { ...base, problem: problem.code },
    });
  }
  const expiry = expiryOf(facts.details);
  if (expiry !== null && expiry > input.nowMs && expiry - input.nowMs <= input.expiryDays * DAY_MS) {
    const daysLeft = Math.floor((expiry - input.nowMs) / DAY_MS);
    findings.push({
      id: `${scope}.key-expiring`,
      severity: 'warning',
      cluster,
      message: `${what} expires ${new Date(expiry).toISOString()} (${daysLeft} days left)`,
      evidence: { ...base, expiresAt: new Date(expiry).toISOString(), daysLeft },
    });
  }
  const rotation = facts.details['rotationEnabled'];
  if (typeof rotation === 'boolean') {
    const period = facts.details['rotationPeriodInDays'];
    const next = facts.details['nextRotationDate'];
    findings.push({
      id: `${scope}.key-rotation`,
      severity: 'info',
      cluster,
      message: rotation
        ? `${what}: automatic rotation on${typeof period === 'number' ? ` every ${period} days` : ''}${typeof next === 'string' ? `, next ${next}` : ''}`
        : `${what}: automatic rotation is off`,
      evidence: { ...base, rotationEnabled: rotation, rotationPeriodInDays: numberOrNull(period), nextRotationDate: stringOrNull(next) },
    });
  }
  if (input.canary && !input.canary.ok) {
    findings.push({
      id: `${scope}.canary-failed`,
      severity: 'critical',
      cluster,
      message: `${what}: encrypt/decrypt canary failed: ${input.canary.message}`,
      evidence: base,
    });
  }
  return findings;
}

/** A seal-backend-status answer (Vault `http/sys_seal.go` handleSysSealBackendStatus @ v1.15.0), as the Vault client returns it. */
export interface SealBackendFacts {
  healthy: boolean;
  unhealthySince?: string;
  backends: readonly { name: string; healthy: boolean; unhealthySince?: string }[];
}

/**
 * Vault's own view of its seal (it tests the seal every 10 minutes and only logs and sets a
 * gauge): an unhealthy backend means this node could not use its KMS key at its last test.
 */
export function sealBackendFindings(cluster: string, node: string, status: SealBackendFacts): Finding[] {
  if (status.healthy && status.backends.every((b) => b.healthy)) return [];
  const unhealthy = status.backends.filter((b) => !b.healthy).map((b) => b.name);
  const since = status.unhealthySince ?? status.backends.find((b) => !b.healthy)?.unhealthySince ?? null;
  return [
    {
      id: 'seal.backend-unhealthy',
      severity: 'critical',
      cluster,
      node,
      message:
        `node ${node} reports its seal unhealthy` +
        (unhealthy.length > 0 ? ` (${unhealthy.join(', ')})` : '') +
        (since ? ` since ${since}` : '') +
        ': it cannot reach or use its auto-unseal key and will not unseal after a restart',
      evidence: { unhealthyBackends: unhealthy, unhealthySince: since },
    },
  ];
}

function baseEvidence(input: KeyFindingsInput): Finding['evidence'] {
  const evidence: Finding['evidence'] = { keyId: input.facts.keyId, provider: input.provider };
  if (input.wrapper !== undefined) evidence['wrapper'] = input.wrapper;
  for (const key of EVIDENCE_DETAILS) {
    const value = input.facts.details[key];
    if (value !== undefined) evidence[key] = value;
  }
  return evidence;
}

/** Key expiry (Azure `expiresOn`) or imported material expiry (AWS `validTo`), epoch ms. */
function expiryOf(details: KeyFacts['details']): number | null {
  const text = details['expiresOn'] ?? details['validTo'];
  if (typeof text !== 'string') return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
