/**
 * What `sys/init` creates and every node of a cluster shares through storage: seal configs, the
 * encrypted key checks, the root token and the cluster identity.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { generateKey, generateRootToken, sealCheck, splitKey, type SealedCheck } from './key-material.ts';
import type { VaultProfile } from './profiles.ts';
import type { SimulatedInitResult, SimulatedSealType } from './types.ts';

export interface SealConfig {
  shares: number;
  threshold: number;
}

export interface Barrier {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly sealType: SimulatedSealType;
  /** Shamir: the unseal config. Auto seals: forced to 1/1 (Vault `http/sys_init.go` handleSysInitPut @ v1.14.9). */
  readonly barrierConfig: SealConfig;
  /** Auto seals only. */
  readonly recoveryConfig: SealConfig | null;
  /** Shamir: AES-GCM check under the unseal key (`core/hsm/barrier-unseal-keys`). */
  readonly unsealCheck: SealedCheck | null;
  /** Auto seals: AES-GCM check under the recovery key (`core/recovery-key`). */
  readonly recoveryCheck: SealedCheck | null;
  readonly rootToken: string;
  readonly initTime: number;
  /** `sys/key-status` counter. */
  encryptions: number;
}

export function isAutoSeal(sealType: SimulatedSealType): boolean {
  return sealType !== 'shamir';
}

export function randomClusterName(): string {
  return `vault-cluster-${randomBytes(4).toString('hex')}`;
}

function encode(parts: Buffer[]): { hex: string[]; base64: string[] } {
  return { hex: parts.map((p) => p.toString('hex')), base64: parts.map((p) => p.toString('base64')) };
}

export interface CreateBarrierParams {
  profile: VaultProfile;
  sealType: SimulatedSealType;
  /** Shamir: secret shares/threshold. Auto seals: recovery shares/threshold. */
  config: SealConfig;
  clusterName?: string;
  clusterId?: string;
  now: number;
}

/** Generates real keys and shares (validation of `config` is the caller's job). */
export async function createBarrier(params: CreateBarrierParams): Promise<{ barrier: Barrier; result: SimulatedInitResult }> {
  const key = generateKey();
  const parts = await splitKey(key, params.config.shares, params.config.threshold);
  const shares = encode(parts);
  const auto = isAutoSeal(params.sealType);
  const rootToken = generateRootToken(params.profile.rootTokenPrefix);
  const barrier: Barrier = {
    clusterId: params.clusterId ?? randomUUID(),
    clusterName: params.clusterName ?? randomClusterName(),
    sealType: params.sealType,
    barrierConfig: auto ? { shares: 1, threshold: 1 } : { ...params.config },
    recoveryConfig: auto ? { ...params.config } : null,
    unsealCheck: auto ? null : sealCheck(key),
    recoveryCheck: auto ? sealCheck(key) : null,
    rootToken,
    initTime: params.now,
    encryptions: 0,
  };
  key.fill(0);
  for (const part of parts) part.fill(0);
  const result: SimulatedInitResult = auto
    ? { keys: [], keysBase64: [], recoveryKeys: shares.hex, recoveryKeysBase64: shares.base64, rootToken }
    : { keys: shares.hex, keysBase64: shares.base64, rootToken };
  return { barrier, result };
}

/** The seal config seal-status reports: the recovery config for auto seals (Vault `vault/logical_system.go` GetSealStatus @ v1.14.9). */
export function reportedConfig(barrier: Barrier): SealConfig {
  return barrier.recoveryConfig ?? barrier.barrierConfig;
}
