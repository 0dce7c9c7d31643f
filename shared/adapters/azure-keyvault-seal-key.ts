import type { TokenCredential } from '@azure/identity';
import type { CryptographyClientOptions, KeyClientOptions } from '@azure/keyvault-keys';
import { ValidationError } from '../errors.ts';
import type { SealKeyCheck, SealKeyChecker } from '../ports/seal-key-checker.ts';
import { createAzureKeyVaultKeyWrapper } from './azure-keyvault-key-wrapper.ts';
import { runCanary } from './seal-key-canary.ts';

export interface AzureKeyVaultSealKeyOptions {
  /** `https://<vault_name>.vault.azure.net` */
  vaultUrl: string;
  keyName: string;
  credential: TokenCredential;
  /** Run a wrapKey/unwrapKey (RSA-OAEP-256) round trip, as Vault's seal does. */
  canary: boolean;
  /** Warn this many days before `expiresOn`. */
  expiryDays: number;
  clientOptions?: CryptographyClientOptions & KeyClientOptions;
  now?: () => number;
}

/**
 * Checks a Vault `seal "azurekeyvault"` key: getKey (enabled, nbf/exp, key ops, recovery level)
 * assessed by the custody wrapper's `assessKeyVaultKey`, plus an optional wrap/unwrap canary on
 * the latest version (the one Vault wraps with).
 *
 * @throws ValidationError when the vault URL or key name is malformed.
 */
export function createAzureKeyVaultSealKeyChecker(options: AzureKeyVaultSealKeyOptions): SealKeyChecker {
  if (typeof options.vaultUrl !== 'string' || typeof options.keyName !== 'string' || options.keyName.length === 0) {
    throw new ValidationError('invalid azure-keyvault seal key options', ['vaultUrl and keyName: required']);
  }
  const keyId = `${options.vaultUrl.replace(/\/+$/, '')}/keys/${options.keyName}`;
  const wrapper = createAzureKeyVaultKeyWrapper({
    id: 'seal',
    keyId,
    credential: options.credential,
    expiryWarningDays: options.expiryDays,
    ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    provider: 'azure-keyvault',
    keyId,
    async check(signal?: AbortSignal): Promise<SealKeyCheck> {
      const health = await wrapper.health(signal);
      const canary = options.canary && health.status !== 'critical' ? await runCanary(wrapper, signal) : null;
      return { health, canary };
    },
  };
}
