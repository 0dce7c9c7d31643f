import { randomBytes } from 'node:crypto';
import { ClientSecretCredential, DefaultAzureCredential, WorkloadIdentityCredential, type TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type CryptographyClientOptions, type KeyClientOptions, type KeyVaultKey } from '@azure/keyvault-keys';
import {
  AccessDeniedError,
  CiphertextInvalidError,
  KeyUnusableError,
  NotFoundError,
  SealwatchError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '../errors.ts';
import type { KeyHealth, KeyHealthStatus, KeyWrapper, WrapContext, WrappedSecret } from '../ports/key-wrapper.ts';
import { aesGcmOpen, aesGcmSeal, decodeEnvelope, encodeEnvelope } from './aes-gcm-envelope.ts';
import { assertWrappable, canonicalContext } from './wrap-context.ts';

export interface AzureKeyVaultKeyWrapperOptions {
  /** Config name of this wrapper, e.g. `azure-primary`. */
  id: string;
  /** `https://<vault>.vault.azure.net/keys/<name>[/<version>]`; without a version, the latest wraps. */
  keyId: string;
  credential: TokenCredential;
  /** Passed to both SDK clients (retry options, TLS options, challenge verification...). */
  clientOptions?: CryptographyClientOptions & KeyClientOptions;
  /** Milliseconds since the epoch; injected so expiry checks are testable. */
  now?: () => number;
  /** Health turns `warning` this many days before `expiresOn` (default 14). */
  expiryWarningDays?: number;
}

const WRAP_ALG = 'RSA-OAEP-256';
const DATA_KEY_BYTES = 32;
const DAY_MS = 86_400_000;

/**
 * A KeyWrapper over an Azure Key Vault RSA key, by envelope: each wrap draws a fresh 256-bit data
 * key, seals the secret with AES-256-GCM (canonical context as AAD) and has Key Vault wrap the data
 * key with RSA-OAEP-256. The WrappedSecret records the versioned key id, so unwrap goes to the
 * version that wrapped, even after rotation.
 *
 * Crypto calls go straight to the service with a key id that carries no attributes, so the SDK
 * never fetches the key first nor applies its own validity checks: Key Vault is the one authority
 * (it refuses wrap outside nbf/exp but still unwraps, so secrets wrapped while the key was valid
 * stay recoverable; the SDK's client-side check would refuse those unwraps too).
 *
 * @throws ValidationError when `keyId` is not a Key Vault key URL or options are missing.
 */
export function createAzureKeyVaultKeyWrapper(options: AzureKeyVaultKeyWrapperOptions): KeyWrapper {
  const { id, credential } = options;
  const problems: string[] = [];
  if (typeof id !== 'string' || id.length === 0) problems.push('id: must be a non-empty string');
  if (typeof credential?.getToken !== 'function') problems.push('credential: must be a TokenCredential');
  const parsed = parseKeyUrl(options.keyId);
  if (!parsed) problems.push('keyId: must look like https://<vault>.vault.azure.net/keys/<name>[/<version>]');
  const warningDays = options.expiryWarningDays ?? 14;
  if (!Number.isFinite(warningDays) || warningDays < 0) problems.push('expiryWarningDays: must be >= 0');
  if (problems.length > 0 || !parsed) {
    throw new ValidationError('invalid azure-keyvault key wrapper options', problems);
  }
  const { vaultUrl, name } = parsed;
  const configuredVersion = parsed.version || undefined;
  const keyId = `${vaultUrl}/keys/${name}${configuredVersion ? `/${configuredVersion}` : ''}`;
  const clientOptions = options.clientOptions ?? {};
  const now = options.now ?? Date.now;
  const label = `azure-keyvault wrapper "${id}" (key ${keyId})`;
  // The SDK mutates the options object it is given (user agent prefix): hand each a copy.
  const keyClient = new KeyClient(vaultUrl, credential, { ...clientOptions });
  const cryptoClients = new Map<string, CryptographyClient>();

  function cryptoClientFor(version: string): CryptographyClient {
    let client = cryptoClients.get(version);
    if (!client) {
      const kid = `${vaultUrl}/keys/${name}/${version}`;
      const bare: KeyVaultKey = { name, id: kid, properties: { id: kid, name, vaultUrl, version } };
      client = new CryptographyClient(bare, credential, { ...clientOptions });
      cryptoClients.set(version, client);
    }
    return client;
  }

  async function currentVersion(signal: AbortSignal | undefined): Promise<string> {
    if (configuredVersion) return configuredVersion;
    try {
      const key = await keyClient.getKey(name, signal ? { abortSignal: signal } : {});
      if (!key.properties.version) throw new UnavailableError(`${label}: getKey returned no version`);
      return key.properties.version;
    } catch (error) {
      throw translateKeyVaultError(error, label, 'getKey');
    }
  }

  /** The version a stored secret names, refusing records that point at another vault or key name. */
  function versionOf(secret: WrappedSecret): string {
    const recorded = parseKeyUrl(secret.keyId);
    if (!recorded) throw new CiphertextInvalidError(`${label}: secret names no Key Vault key`);
    // Key Vault names are case-insensitive; hosts are lower-cased by URL parsing already.
    if (recorded.vaultUrl !== vaultUrl || recorded.name.toLowerCase() !== name.toLowerCase()) {
      throw new CiphertextInvalidError(`${label}: secret was wrapped under ${secret.keyId}, another key`);
    }
    // Any version of the configured key may unwrap: pinning a version in config decides what
    // new wraps use, and must not strand secrets wrapped under the previous pin.
    if (!recorded.version) throw new CiphertextInvalidError(`${label}: secret names no key version`);
    return recorded.version;
  }

  return {
    id,
    kind: 'azure-keyvault',
    async wrap(plaintext: Uint8Array, context: WrapContext, signal?: AbortSignal): Promise<WrappedSecret> {
      assertWrappable(plaintext, label);
      const aad = canonicalContext(context);
      const version = await currentVersion(signal);
      const dataKey = randomBytes(DATA_KEY_BYTES);
      try {
        const sealed = aesGcmSeal(dataKey, plaintext, aad);
        let wrapped: Uint8Array;
        try {
          const result = await cryptoClientFor(version).wrapKey(WRAP_ALG, dataKey, signal ? { abortSignal: signal } : {});
          wrapped = result.result;
        } catch (error) {
          // The failed request still holds the data key in its body: keep a summary, not the error.
          throw translateKeyVaultError(error, label, 'wrapKey', { dropCause: true });
        }
        return {
          wrapper: id,
          keyId: `${vaultUrl}/keys/${name}/${version}`,
          ciphertext: encodeEnvelope({ ...sealed, wk: wrapped, walg: WRAP_ALG }),
        };
      } finally {
        dataKey.fill(0);
      }
    },
    async unwrap(secret: WrappedSecret, context: WrapContext, signal?: AbortSignal): Promise<Uint8Array> {
      const aad = canonicalContext(context);
      const version = versionOf(secret);
      const parts = decodeEnvelope(secret.ciphertext, true, label);
      if (parts.walg !== WRAP_ALG || !parts.wk) {
        throw new CiphertextInvalidError(`${label}: unsupported key wrapping algorithm`);
      }
      let dataKey: Uint8Array;
      try {
        const result = await cryptoClientFor(version).unwrapKey(WRAP_ALG, parts.wk, signal ? { abortSignal: signal } : {});
        dataKey = result.result;
      } catch (error) {
        throw translateKeyVaultError(error, label, 'unwrapKey');
      }
      try {
        if (dataKey.length !== DATA_KEY_BYTES) {
          throw new CiphertextInvalidError(`${label}: unwrapped data key has the wrong length`);
        }
        return aesGcmOpen(dataKey, parts, aad, label);
      } finally {
        dataKey.fill(0);
      }
    },
    async health(signal?: AbortSignal): Promise<KeyHealth> {
      let key: KeyVaultKey;
      try {
        key = await keyClient.getKey(name, {
          ...(configuredVersion ? { version: configuredVersion } : {}),
          ...(signal ? { abortSignal: signal } : {}),
        });
      } catch (error) {
        return failedHealth(id, keyId, translateKeyVaultError(error, label, 'getKey'));
      }
      return assessKeyVaultKey(id, keyId, key, now(), warningDays);
    },
  };
}

interface KeyUrl {
  vaultUrl: string;
  name: string;
  version: string | undefined;
}

/**
 * `https://host[:port]/keys/<name>[/<version>]`, strictly. The SDK's own parser accepts any
 * collection (`/secrets/x` too), and a stored record must not steer our token elsewhere.
 */
function parseKeyUrl(text: unknown): KeyUrl | undefined {
  if (typeof text !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username) {
    return undefined;
  }
  const match = /^\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]+))?\/?$/.exec(url.pathname);
  if (!match?.[1]) return undefined;
  return { vaultUrl: `${url.protocol}//${url.host}`, name: match[1], version: match[2] };
}

/** Turns a `getKey` result into problems. Exported for table-driven unit tests. */
export function assessKeyVaultKey(wrapper: string, keyId: string, key: KeyVaultKey, nowMs: number, warningDays = 14): KeyHealth {
  const problems: KeyHealth['problems'] = [];
  let status: KeyHealthStatus = 'ok';
  const raise = (level: 'warning' | 'critical', code: string, message: string): void => {
    problems.push({ code, message });
    if (level === 'critical' || status === 'ok') status = level;
  };
  const p = key.properties;
  const ops = key.keyOperations ?? [];
  const expires = p.expiresOn?.getTime();
  const daysUntilExpiry = expires === undefined ? null : Math.floor((expires - nowMs) / DAY_MS);
  if (p.enabled === false) raise('critical', 'disabled', `key ${keyId} is disabled: wrap and unwrap fail`);
  if (expires !== undefined && expires <= nowMs) {
    raise('critical', 'expired', `key ${keyId} expired ${p.expiresOn?.toISOString()}: new wraps fail`);
  } else if (expires !== undefined && expires - nowMs <= warningDays * DAY_MS) {
    raise('warning', 'expires-soon', `key ${keyId} expires ${p.expiresOn?.toISOString()}`);
  }
  if (p.notBefore && p.notBefore.getTime() > nowMs) {
    raise('critical', 'not-yet-valid', `key ${keyId} is not valid before ${p.notBefore.toISOString()}`);
  }
  const missing = ['wrapKey', 'unwrapKey'].filter((op) => !ops.includes(op as never));
  if (key.keyOperations && missing.length > 0) {
    raise('critical', 'missing-key-ops', `key ${keyId} does not permit ${missing.join(', ')}`);
  }
  if (key.keyType && !['RSA', 'RSA-HSM'].includes(key.keyType)) {
    raise('critical', 'wrong-key-type', `key ${keyId} is ${key.keyType}; RSA-OAEP-256 needs RSA`);
  }
  if (p.recoveryLevel?.includes('Purgeable')) {
    raise('warning', 'purgeable', `key ${keyId} can be purged (recovery level ${p.recoveryLevel}): enable purge protection`);
  }
  return {
    wrapper,
    keyId,
    status,
    problems,
    details: {
      kid: key.id ?? null,
      version: p.version ?? null,
      keyType: key.keyType ?? null,
      enabled: p.enabled ?? null,
      notBefore: p.notBefore?.toISOString() ?? null,
      expiresOn: p.expiresOn?.toISOString() ?? null,
      daysUntilExpiry,
      createdOn: p.createdOn?.toISOString() ?? null,
      updatedOn: p.updatedOn?.toISOString() ?? null,
      recoveryLevel: p.recoveryLevel ?? null,
      recoverableDays: p.recoverableDays ?? null,
      keyOps: key.keyOperations ? ops.join(',') : null,
    },
  };
}

function failedHealth(wrapper: string, keyId: string, error: SealwatchError): KeyHealth {
  const code = error instanceof NotFoundError ? 'not-found' : error instanceof AccessDeniedError ? 'access-denied' : 'unreachable';
  return { wrapper, keyId, status: 'critical', problems: [{ code, message: error.message }], details: { errorCode: error.code } };
}

interface RestErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
  details?: { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } };
}

/**
 * The one place Key Vault and credential errors are classified. Key Vault answers 403 both for
 * RBAC / access-policy denials and for keys whose attributes forbid the operation (disabled,
 * outside nbf/exp, key_ops); only the message and inner code tell them apart.
 */
export function translateKeyVaultError(error: unknown, label: string, operation: string, options: { dropCause?: boolean } = {}): SealwatchError {
  if (error instanceof SealwatchError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
  const name = e.name ?? 'Error';
  const status = e.statusCode;
  const inner = e.details?.error?.innerError?.code ?? e.details?.error?.innererror?.code ?? '';
  const text = (e.message ?? String(error)).replace(/\s+/g, ' ').trim().slice(0, 240);
  const says = [name, status, e.code, inner].filter((x) => x !== undefined && x !== '').join(' ');
  const message = `${label}: ${operation} failed: ${says}: ${text}`;
  const cause = options.dropCause ? new Error(`${says}: ${text}`) : error;
  const opts = { cause };
  if (name === 'CredentialUnavailableError') return new AccessDeniedError(message, opts);
  if (name === 'AuthenticationError' || name === 'AuthenticationRequiredError') {
    return status !== undefined && status >= 500 ? new UnavailableError(message, opts) : new AccessDeniedError(message, opts);
  }
  if (name === 'AbortError') return new UnavailableError(message, opts);
  if (status === 403) {
    const both = `${text} ${inner}`;
    if (/disabled/i.test(both)) return new KeyUnusableError('disabled', message, opts);
    if (/expired|not yet valid|KeyNotYetValid|KeyExpired/i.test(both)) {
      return new KeyUnusableError('disabled', `${message} (outside the key's validity window)`, opts);
    }
    if (/not permitted|KeyOperationForbidden/i.test(both)) {
      return new KeyUnusableError('disabled', `${message} (the key's key_ops forbid it)`, opts);
    }
    return new AccessDeniedError(message, opts);
  }
  if (status === 401) return new AccessDeniedError(message, opts);
  if (status === 404) return new NotFoundError(message, opts);
  if (status === 429) return new ThrottledError(message, opts);
  if (status === 400 && operation === 'unwrapKey') return new CiphertextInvalidError(message, opts);
  if (status === undefined || status === 408 || status >= 500) return new UnavailableError(message, opts);
  return new SealwatchError('keyvault_error', message, opts);
}

export interface AzureCredentialOptions {
  kind: 'default' | 'client-secret' | 'workload-identity';
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  tokenFilePath?: string;
}

/**
 * Builds an `@azure/identity` credential. `default` is DefaultAzureCredential (env, workload
 * identity, managed identity, CLI...), with `clientId` as the managed/workload identity client
 * id; `client-secret` needs tenantId, clientId and clientSecret; `workload-identity` reads the
 * federated token file (AKS, or a token file written from AWS `sts:GetWebIdentityToken`).
 *
 * @throws ValidationError listing every missing field (never their values).
 */
export function createAzureCredential(config: AzureCredentialOptions): TokenCredential {
  const missing = (fields: (keyof AzureCredentialOptions)[]): string[] =>
    fields.filter((f) => !config[f]).map((f) => `${f}: required for ${config.kind} credentials`);
  switch (config.kind) {
    case 'default':
      return new DefaultAzureCredential({
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.clientId ? { managedIdentityClientId: config.clientId, workloadIdentityClientId: config.clientId } : {}),
      });
    case 'client-secret': {
      const problems = missing(['tenantId', 'clientId', 'clientSecret']);
      if (problems.length > 0) throw new ValidationError('invalid Azure client-secret credential', problems);
      return new ClientSecretCredential(config.tenantId!, config.clientId!, config.clientSecret!);
    }
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        ...(config.tenantId ? { tenantId: config.tenantId } : {}),
        ...(config.clientId ? { clientId: config.clientId } : {}),
        ...(config.tokenFilePath ? { tokenFilePath: config.tokenFilePath } : {}),
      });
    default:
      throw new ValidationError('invalid Azure credential', [`kind: must be default, client-secret or workload-identity`]);
  }
}
