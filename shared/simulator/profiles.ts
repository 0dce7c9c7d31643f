/**
 * What differs between the Vault / OpenBao versions the simulator imitates, as data. Entries cite
 * the Vault / OpenBao source they follow; handlers read flags, they never compare version strings.
 */
import type { JsonErrorPrefix } from './go-json.ts';

export type VaultProfileName = 'vault-1.12' | 'vault-1.14' | 'vault-1.15.4' | 'vault-1.16' | 'vault-1.19' | 'openbao-2.5' | 'openbao-2.6';

export const PROFILE_NAMES: readonly VaultProfileName[] = [
  'vault-1.12',
  'vault-1.14',
  'vault-1.15.4',
  'vault-1.16',
  'vault-1.19',
  'openbao-2.5',
  'openbao-2.6',
];

export interface VaultProfile {
  readonly name: VaultProfileName;
  readonly product: 'vault' | 'openbao';
  readonly version: string;
  /** seal-status `build_date` (Vault ≥1.11) or, for OpenBao ≥2.6, `commit_date` (Vault CHANGELOG 1.11.0, GH-14957; OpenBao v2.6.0, PR #2678). */
  readonly buildDateField: 'build_date' | 'commit_date';
  readonly buildDate: string;
  /**
   * Wrong unseal/recovery key, combine and setup failures → 400 with `invalid key:` (≥1.13,
   * GH-17836, git 4891122917 in OpenBao's history) or 500 without it (≤1.12: `vault/core.go`
   * getUnsealKey / unsealKeyToMasterKey returned the plain errors).
   */
  readonly invalidKeyErrors: boolean;
  /**
   * Stored keys are seal-wrapped values: a decrypt failure is the joined multi-seal text
   * `error decrypting seal wrapped value\nerror decrypting using seal <name>: <cause>`
   * (hashicorp/vault `vault/seal/seal.go` JoinSealWrapErrors, 1.15.x+; OpenBao forked 1.14.9).
   */
  readonly sealWrapErrors: boolean;
  /**
   * Prefixes of request-body errors. Vault: `failed to parse JSON input:` (`http/handler.go`
   * parseJSONRequest @ v1.14.9). OpenBao 2.5 runs a complexity tokenizer first (`http/json.go`
   * EnforceJSONComplexityLimits, on by default via `command/server.go`), so its syntax errors say
   * `failed to limit JSON input:` (`http/handler.go` @ v2.5.0); OpenBao 2.6 says `failed to decode
   * JSON input:` for both (`http/json.go` @ v2.6.0).
   */
  readonly jsonErrorPrefix: JsonErrorPrefix;
  /** seal-status key order of OpenBao 2.6 (`vault/logical_system.go` CoreSealStatusResponse embeds SealStatusResponse first). */
  readonly baoSealStatusOrder: boolean;
  /** seal-status `type` is the barrier type after init, plus `recovery_seal_type` (Vault `vault/logical_system.go` GetSealStatus @ v1.14.9, PR #23022). */
  readonly barrierTypeAfterInit: boolean;
  /** Top-level `mount_type` in the logical envelope (≥1.15, HC-PR #23047). */
  readonly mountType: boolean;
  /**
   * `sys/seal-backend-status` exists (≥1.15). Before, and on OpenBao, the path falls through to
   * the logical `sys/` handler: 403 without a token (Vault `http/sys_seal.go` handleSysSealBackendStatus @ v1.15.0).
   */
  readonly sealBackendStatus: boolean;
  /** health `enterprise`, `echo_duration_ms`, `clock_skew_ms`, `replication_primary_canary_age_ms` (≥1.16). */
  readonly health116Fields: boolean;
  /** health `performance_standby`; OpenBao 2.6 dropped it (OpenBao `internal/http/sys_health.go` @ v2.6.0). */
  readonly healthPerformanceStandby: boolean;
  /**
   * health `replication_*_mode`. Only `performance_standby` is known to be dropped by OpenBao
   * 2.6, so these stay; unverified for OpenBao.
   */
  readonly healthReplicationModes: boolean;
  /** Health query parameters honoured; anything else is ignored, even when malformed (Vault `http/sys_health.go` getSysHealth @ v1.14.9; OpenBao `internal/http/sys_health.go` @ v2.6.0). */
  readonly healthParams: readonly string[];
  /**
   * Vault 1.19 removal semantics: `removed_from_cluster`, 530 `removedcode`, 474
   * `haunhealthycode`, `ha_connection_healthy`, unseal of a removed node → 500 (Vault `http/sys_seal.go`, `http/sys_health.go` @ v1.19.0; hashicorp/vault PR #28909).
   */
  readonly removal119: boolean;
  /** ha-status per-node `echo_duration_ms`, `clock_skew_ms`, `replication_primary_canary_age_ms` (≥1.17). */
  readonly haStatusEchoFields: boolean;
  /** `sys/leader` in OpenBao's trimmed form: no `performance_standby*`, omitempty addresses (OpenBao `LeaderResponse` @ v2.6.0). */
  readonly trimmedLeader: boolean;
  /**
   * OpenBao ≥2.6 filters the empty-body `EOF` in `sys/unseal` (`http/sys_seal.go` handleSysUnseal
   * `!errors.Is(err, io.EOF)`, commit 036d72f7bf); Vault and OpenBao ≤2.5 answer 400 `EOF`.
   */
  readonly unsealToleratesEmptyBody: boolean;
  /**
   * Root token prefix. Vault ≥1.10: `hvs.` (Vault `vault/token_store.go` @ v1.14.9). OpenBao: `s.` is
   * assumed (unverified).
   */
  readonly rootTokenPrefix: 'hvs.' | 's.';
  /** Storage backends the product ships (OpenBao has no DynamoDB backend: openbao/openbao commit 3e93d27106, "Remove non-raft storage backends"). */
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

const VAULT_JSON_ERRORS = { tokenizer: 'failed to parse JSON input', decoder: 'failed to parse JSON input' } as const;

const VAULT_BASE = {
  product: 'vault',
  buildDateField: 'build_date',
  invalidKeyErrors: true,
  sealWrapErrors: false,
  jsonErrorPrefix: VAULT_JSON_ERRORS,
  baoSealStatusOrder: false,
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
    invalidKeyErrors: false,
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
    sealWrapErrors: true,
  },
  'vault-1.16': {
    ...VAULT_BASE,
    name: 'vault-1.16',
    version: '1.16.3',
    buildDate: '2024-05-29T14:28:42Z',
    barrierTypeAfterInit: true,
    mountType: true,
    sealBackendStatus: true,
    sealWrapErrors: true,
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
    sealWrapErrors: true,
    health116Fields: true,
    healthParams: [...VAULT_HEALTH_PARAMS, 'removedcode', 'haunhealthycode'],
    removal119: true,
    haStatusEchoFields: true,
  },
  'openbao-2.5': {
    name: 'openbao-2.5',
    product: 'openbao',
    version: '2.5.5',
    // OpenBao ≤2.5 keeps Vault's `build_date` (`vault/logical_system.go` SealStatusResponse @ v2.5.0).
    buildDateField: 'build_date',
    buildDate: '2026-03-10T10:00:00Z',
    invalidKeyErrors: true,
    sealWrapErrors: false,
    jsonErrorPrefix: { tokenizer: 'failed to limit JSON input', decoder: 'failed to parse JSON input' },
    baoSealStatusOrder: false,
    barrierTypeAfterInit: true,
    // OpenBao forked 1.14.9, before `mount_type` and `sys/seal-backend-status` (both 1.15).
    mountType: false,
    sealBackendStatus: false,
    health116Fields: false,
    // health `performance_standby` is present through 2.5 and dropped in 2.6 (OpenBao `internal/http/sys_health.go` @ v2.6.0).
    healthPerformanceStandby: true,
    healthReplicationModes: true,
    healthParams: ['standbyok', 'activecode', 'standbycode', 'sealedcode', 'uninitcode'],
    removal119: false,
    haStatusEchoFields: false,
    trimmedLeader: true,
    unsealToleratesEmptyBody: false,
    rootTokenPrefix: 's.',
    storageTypes: ['raft', 'file'],
  },
  'openbao-2.6': {
    name: 'openbao-2.6',
    product: 'openbao',
    version: '2.6.2',
    buildDateField: 'commit_date',
    buildDate: '2026-08-21T10:00:00Z',
    invalidKeyErrors: true,
    sealWrapErrors: false,
    jsonErrorPrefix: { tokenizer: 'failed to decode JSON input', decoder: 'failed to decode JSON input' },
    baoSealStatusOrder: true,
    barrierTypeAfterInit: true,
    // OpenBao forked 1.14.9, before `mount_type` and `sys/seal-backend-status` (both 1.15).
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
