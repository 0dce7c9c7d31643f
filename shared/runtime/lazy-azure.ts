import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { AzureCredentialOptions, AzureKeyVaultKeyWrapperOptions } from '../adapters/azure-keyvault-key-wrapper.ts';
import type { AzureKeyVaultSealKeyOptions } from '../adapters/azure-keyvault-seal-key.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import type { SealKeyChecker } from '../ports/seal-key-checker.ts';

/*
 * The Azure SDK (identity + Key Vault) is about a quarter of a bundle's start-up, and most
 * deployments never use it. These stand-ins load it at the first call, so a Lambda whose config
 * has no Azure wrapper or seal never evaluates it (the bundler keeps dynamically imported
 * modules in the bundle but initialises them only when imported).
 */

const adapter = () => import('../adapters/azure-keyvault-key-wrapper.ts');

/** A credential that builds the `@azure/identity` one at the first token request. */
export function lazyAzureCredential(options: AzureCredentialOptions): TokenCredential {
  let real: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken | null> {
      real ??= adapter().then((m) => m.createAzureCredential(options));
      return (await real).getToken(scopes, getTokenOptions);
    },
  };
}

/** A Key Vault custody wrapper whose SDK clients are built at the first wrap, unwrap or health check. */
export function lazyAzureKeyWrapper(options: AzureKeyVaultKeyWrapperOptions): KeyWrapper {
  let real: Promise<KeyWrapper> | undefined;
  const get = () => (real ??= adapter().then((m) => m.createAzureKeyVaultKeyWrapper(options)));
  return {
    id: options.id,
    kind: 'azure-keyvault',
    wrap: async (plaintext, context, signal) => (await get()).wrap(plaintext, context, signal),
    unwrap: async (secret, context, signal) => (await get()).unwrap(secret, context, signal),
    health: async (signal) => (await get()).health(signal),
  };
}

/** A Vault `azurekeyvault` seal-key checker loaded at its first check. */
export function lazyAzureSealKeyChecker(options: AzureKeyVaultSealKeyOptions): SealKeyChecker {
  let real: Promise<SealKeyChecker> | undefined;
  return {
    provider: 'azure-keyvault',
    keyId: `${options.vaultUrl.replace(/\/+$/, '')}/keys/${options.keyName}`,
    async check(signal) {
      real ??= import('../adapters/azure-keyvault-seal-key.ts').then((m) => m.createAzureKeyVaultSealKeyChecker(options));
      return (await real).check(signal);
    },
  };
}
