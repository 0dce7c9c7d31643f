import type { KeyHealth } from './key-wrapper.ts';

/** One look at an auto-unseal key: its metadata health and, when enabled, a crypto round trip. */
export interface SealKeyCheck {
  health: KeyHealth;
  /** Null when the canary is off, or skipped because the key is already known unusable. */
  canary: { ok: boolean; message: string } | null;
}

/**
 * Checks the KMS key a cluster's `seal "awskms"` / `seal "azurekeyvault"` stanza uses (not a
 * sealwatch custody key). Never throws for provider failures: they are part of the health.
 */
export interface SealKeyChecker {
  readonly provider: 'aws-kms' | 'azure-keyvault';
  readonly keyId: string;
  check(signal?: AbortSignal): Promise<SealKeyCheck>;
}
