/**
 * What differs between the Vault / OpenBao versions the simulator imitates, as data. Every
 * entry cites vault-api.md; handlers read flags, they never compare version strings.
 */
export type VaultProfileName = 'vault-1.12' | 'vault-1.14' | 'vault-1.15.4' | 'vault-1.16' | 'vault-1.19' | 'openbao-2.6';

export const PROFILE_NAMES: readonly VaultProfileName[] = [
  'vault-1.12',
  'vault-1.14',
  'vault-1.15.4',
  'vault-1.16',
  'vault-1.19',
  'openbao-2.6',
];

export interface VaultProfile {
  readonly name: VaultProfileName;
  readonly product: 'vault' | 'openbao';
  readonly version: string;
  /** seal-status `build_date` (Vault ≥1.11) or, for OpenBao ≥2.6, `commit_date` (§12). */
  readonly buildDateField: 'build_date' | 'commit_date';
  readonly buildDate: string;
  /** Wrong unseal key → 400 with `invalid key:` (≥1.13, GH-17836) or 500 without it (≤1.12). */
  readonly wrongKeyStatus: 400 | 500;
  /** seal-status `type` is the barrier type after init, plus `recovery_seal_type` (§2.1, PR #23022). */
  readonly barrierTypeAfterInit: boolean;
  /** Top-level `mount_type` in the logical envelope (≥1.15, HC-PR #23047). */
  readonly mountType: boolean;
  /** `sys/seal-backend-status` exists (≥1.15); 404 before. */
  readonly sealBackendStatus: boolean;
  /** health `enterprise`, `echo_duration_ms`, `clock_skew_ms`, `replication_primary_canary_age_ms` (≥1.16). */
  readonly health116Fields: boolean;
  /** health `performance_standby`; OpenBao 2.6 dropped it (§12). */
  readonly healthPerformanceStandby: boolean;
  /**
   * health `replication_*_mode`. The sheet lists only `performance_standby` as dropped by
   * OpenBao 2.6, so these stay; unverified for OpenBao.
   */
  readonly healthReplicationModes: boolean;
  /** Health query parameters honoured; anything else is ignored, even when malformed (§4.1, §12). */
  readonly healthParams: readonly string[];
  /**
   * Vault 1.19 removal semantics: `removed_from_cluster`, 530 `removedcode`, 474
   * `haunhealthycode`, `ha_connection_healthy`, unseal of a removed node → 500 (§3.2 step 0, §4).
   */
  readonly removal119: boolean;
  /** ha-status per-node `echo_duration_ms`, `clock_skew_ms`, `replication_primary_canary_age_ms` (≥1.17). */
  readonly haStatusEchoFields: boolean;
  /** `sys/leader` in OpenBao's trimmed form: no `performance_standby*`, omitempty addresses (§6.2). */
  readonly trimmedLeader: boolean;
  /** OpenBao filters the empty-body `EOF` in `sys/unseal` (§1.3). */
  readonly unsealToleratesEmptyBody: boolean;
  /**
   * Root token prefix. Vault ≥1.10: `hvs.` (§1.4). OpenBao is not covered by the sheet: `s.`
   * is assumed (unverified).
   */
  readonly rootTokenPrefix: 'hvs.' | 's.';
  /** Storage backends the product ships (OpenBao has no DynamoDB backend, §10). */
  readonly storageTypes: readonly ('raft' | 'dynamodb' | 'file')[];
}

const VAULT_HEALTH_PARAMS = [
  'standbyok',
  'perfstandbyok',
  'activecode',
  'standbycode',
  'drsecondarycode',
  'performancestandbycode',
  'sealedcode',
  'uninitcode',
] as const;

const VAULT_BASE = {
  product: 'vault',
  buildDateField: 'build_date',
  wrongKeyStatus: 400,
  barrierTypeAfterInit: false,
  mountType: false,
  sealBackendStatus: false,
  health116Fields: false,
  healthPerformanceStandby: true,
  healthReplicationModes: true,
  healthParams: VAULT_HEALTH_PARAMS,
  removal119: false,
  haStatusEchoFields: false,
  trimmedLeader: false,
  unsealToleratesEmptyBody: false,
  rootTokenPrefix: 'hvs.',
  storageTypes: ['raft', 'dynamodb', 'file'],
} as const;

const PROFILES: Record<VaultProfileName, VaultProfile> = {
  'vault-1.12': {
    ...VAULT_BASE,
    name: 'vault-1.12',
    version: '1.12.11',
    buildDate: '2023-09-04T15:17:01Z',
    wrongKeyStatus: 500,
  },
  'vault-1.14': { ...VAULT_BASE, name: 'vault-1.14', version: '1.14.9', buildDate: '2024-01-08T12:00:00Z' },
  'vault-1.15.4': {
    ...VAULT_BASE,
    name: 'vault-1.15.4',
    version: '1.15.4',
    buildDate: '2023-12-04T17:45:28Z',
    barrierTypeAfterInit: true,
    mountType: true,
    sealBackendStatus: true,
  },
  'vault-1.16': {
    ...VAULT_BASE,
    name: 'vault-1.16',
    version: '1.16.3',
    buildDate: '2024-05-29T14:28:42Z',
    barrierTypeAfterInit: true,
    mountType: true,
    sealBackendStatus: true,
    health116Fields: true,
  },
  'vault-1.19': {
    ...VAULT_BASE,
    name: 'vault-1.19',
    version: '1.19.5',
    buildDate: '2025-05-29T09:17:06Z',
    barrierTypeAfterInit: true,
    mountType: true,
    sealBackendStatus: true,
    health116Fields: true,
    healthParams: [...VAULT_HEALTH_PARAMS, 'removedcode', 'haunhealthycode'],
    removal119: true,
    haStatusEchoFields: true,
  },
  'openbao-2.6': {
    name: 'openbao-2.6',
    product: 'openbao',
    version: '2.6.2',
    buildDateField: 'commit_date',
    buildDate: '2026-08-21T10:00:00Z',
    wrongKeyStatus: 400,
    barrierTypeAfterInit: true,
    // OpenBao forked 1.14.9, before `mount_type` and `sys/seal-backend-status` (both 1.15); the
    // sheet does not say OpenBao added them: assumed absent (unverified).
    mountType: false,
    sealBackendStatus: false,
    health116Fields: false,
    healthPerformanceStandby: false,
    healthReplicationModes: true,
    healthParams: ['standbyok', 'activecode', 'standbycode', 'sealedcode', 'uninitcode'],
    removal119: false,
    haStatusEchoFields: false,
    trimmedLeader: true,
    unsealToleratesEmptyBody: true,
    rootTokenPrefix: 's.',
    storageTypes: ['raft', 'file'],
  },
};

/** The flag table of one profile; throws on an unknown name. */
export function getProfile(name: VaultProfileName): VaultProfile {
  const profile = PROFILES[name];
  if (profile === undefined) throw new Error(`unknown simulator profile: ${String(name)}`);
  return profile;
}
