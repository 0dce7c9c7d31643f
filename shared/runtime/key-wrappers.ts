import { KMSClient } from '@aws-sdk/client-kms';
import type { TokenCredential } from '@azure/identity';
import type { CryptographyClientOptions, KeyClientOptions } from '@azure/keyvault-keys';
import { createAwsKmsKeyWrapper } from '../adapters/aws-kms-key-wrapper.ts';
import { createLocalKeyWrapper, parseLocalKey } from '../adapters/local-key-wrapper.ts';
import type { AwsKmsWrapperConfig, AzureCredentialConfig, AzureKeyVaultWrapperConfig, WrapperConfig } from '../config/types.ts';
import type { WrapperFacts } from '../core/custody-analysis.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import { lazyAzureCredential, lazyAzureKeyWrapper } from './lazy-azure.ts';

/** The configured custody wrappers by id, with what the custody analysis needs to know of each. */
export interface KeyWrapperRegistry {
  get(id: string): KeyWrapper | undefined;
  /** Every wrapper, in config order (the unseal service takes this list). */
  all(): KeyWrapper[];
  /** Ids in config order. */
  ids(): string[];
  /** Kind and provider of every configured wrapper. */
  facts(): WrapperFacts[];
  /** Releases SDK clients (KMS sockets). */
  close(): Promise<void>;
}

export interface KeyWrapperRegistryOptions {
  /**
   * Environment to take AWS credentials from (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
   * `AWS_SESSION_TOKEN`); without them the SDK's default chain (profile, web identity, instance
   * role) applies.
   */
  env?: Record<string, string | undefined>;
  /** Builds the Azure credential of a wrapper; default: from its `credential` config. */
  azureCredential?: (wrapper: AzureKeyVaultWrapperConfig) => TokenCredential;
  /** SDK retry attempts for KMS (default: the SDK's 3). */
  kmsMaxAttempts?: number;
  /** Azure SDK retries (default: the SDK's). */
  azureMaxRetries?: number;
  /** Epoch ms, for key health (deletion countdowns, expiry). */
  now?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Builds one KeyWrapper per `config.wrappers` entry: local wrappers from their resolved secret,
 * KMS wrappers over one KMSClient per (region, endpoint), Key Vault wrappers with the configured
 * credential. Nothing is contacted here; bad local key text throws the adapter's ValidationError.
 */
export function createKeyWrappers(configs: readonly WrapperConfig[], options: KeyWrapperRegistryOptions = {}): KeyWrapperRegistry {
  const kmsClients = new Map<string, KMSClient>();
  const wrappers = new Map<string, KeyWrapper>();
  const facts: WrapperFacts[] = [];

  const kmsClientFor = (aws: AwsKmsWrapperConfig['awsKms']): KMSClient => {
    const key = `${aws.region}|${aws.endpoint ?? ''}`;
    let client = kmsClients.get(key);
    if (!client) {
      const credentials = envCredentials(options.env);
      client = new KMSClient({
        region: aws.region,
        ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        ...(options.kmsMaxAttempts ? { maxAttempts: options.kmsMaxAttempts } : {}),
      });
      kmsClients.set(key, client);
    }
    return client;
  };

  for (const config of configs) {
    wrappers.set(config.id, build(config));
    facts.push({ id: config.id, kind: config.kind, provider: providerOf(config) });
  }

  function build(config: WrapperConfig): KeyWrapper {
    switch (config.kind) {
      case 'local': {
        const key = parseLocalKey(config.local.key.reveal());
        try {
          return createLocalKeyWrapper({ id: config.id, key });
        } finally {
          key.fill(0);
        }
      }
      case 'aws-kms':
        return createAwsKmsKeyWrapper({
          id: config.id,
          keyId: config.awsKms.keyId,
          client: kmsClientFor(config.awsKms),
          ...(options.now ? { now: options.now } : {}),
        });
      case 'azure-keyvault': {
        const azure = config.azureKeyVault;
        const credential = options.azureCredential?.(config) ?? azureCredentialFromConfig(config.azureKeyVault.credential);
        return lazyAzureKeyWrapper({
          id: config.id,
          keyId: `${azure.vaultUrl.replace(/\/+$/, '')}/keys/${azure.keyName}${azure.keyVersion ? `/${azure.keyVersion}` : ''}`,
          credential,
          clientOptions: azureClientOptions(azure.vaultUrl, options.azureMaxRetries),
          ...(options.now ? { now: options.now } : {}),
        });
      }
    }
  }

  return {
    get: (id) => wrappers.get(id),
    all: () => [...wrappers.values()],
    ids: () => [...wrappers.keys()],
    facts: () => facts.map((f) => ({ ...f })),
    async close() {
      for (const client of kmsClients.values()) client.destroy();
      kmsClients.clear();
    },
  };
}

/**
 * Who holds a wrapper's key, for the outage/compromise analysis: the AWS account of a key ARN
 * (non-ARN ids resolve in the account of sealwatch's own credentials, named `default`), or the
 * endpoint of a non-AWS KMS; the Azure key vault; sealwatch's own configuration for every local
 * key (they are read from the same config and environment, so they fall together).
 */
export function providerOf(config: WrapperConfig): string {
  switch (config.kind) {
    case 'local':
      return 'local:sealwatch-config';
    case 'aws-kms': {
      if (config.awsKms.endpoint) return `aws-kms:${new URL(config.awsKms.endpoint).host}`;
      const account = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):/.exec(config.awsKms.keyId)?.[1];
      return `aws-kms:account:${account ?? 'default'}`;
    }
    case 'azure-keyvault':
      return `azure-keyvault:${new URL(config.azureKeyVault.vaultUrl).host}`;
  }
}

/**
 * The Azure credential a `credential:` block describes (custody wrappers and seal-key checks),
 * built with the Azure SDK at its first token request.
 */
export function azureCredentialFromConfig(c: AzureCredentialConfig): TokenCredential {
  if (c.kind === 'client-secret') {
    return lazyAzureCredential({ kind: c.kind, tenantId: c.tenantId, clientId: c.clientId, clientSecret: c.clientSecret.reveal() });
  }
  return lazyAzureCredential({
    kind: c.kind,
    ...(c.tenantId ? { tenantId: c.tenantId } : {}),
    ...(c.clientId ? { clientId: c.clientId } : {}),
  });
}

/**
 * Plain http is only accepted by the config for loopback (a local Key Vault wire fake); there
 * the SDK must be told it is allowed, and the challenge's resource cannot match the host.
 */
export function azureClientOptions(vaultUrl: string, maxRetries: number | undefined): CryptographyClientOptions & KeyClientOptions {
  const url = new URL(vaultUrl);
  const loopback = LOOPBACK.has(url.hostname);
  return {
    ...(loopback ? { disableChallengeResourceVerification: true } : {}),
    ...(loopback && url.protocol === 'http:' ? { allowInsecureConnection: true } : {}),
    ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
  };
}

function envCredentials(env: Record<string, string | undefined> | undefined) {
  const accessKeyId = env?.['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env?.['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env?.['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
