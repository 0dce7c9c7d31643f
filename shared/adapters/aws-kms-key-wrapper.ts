import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand, type KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { AccessDeniedError, CiphertextInvalidError, KeyUnusableError, NotFoundError, SealwatchError, UnavailableError, ValidationError } from '../errors.ts';
import type { KeyHealth, KeyHealthStatus, KeyWrapper, WrapContext, WrappedSecret } from '../ports/key-wrapper.ts';
import { translateAwsError, type AwsErrorOverrides } from './aws-errors.ts';
import { assertWrappable, bindContext } from './wrap-context.ts';

export interface AwsKmsKeyWrapperOptions {
  /** Config name of this wrapper, e.g. `aws-primary`. */
  id: string;
  /** Key id, key ARN, alias name (`alias/x`) or alias ARN of a symmetric ENCRYPT_DECRYPT key. */
  keyId: string;
  /** A configured client (region, credentials, retries); the wrapper never creates one. */
  client: KMSClient;
  /** Milliseconds since the epoch; injected so deletion countdowns are testable. */
  now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * A KeyWrapper that encrypts each secret directly with AWS KMS `Encrypt` (a share is far below
 * the 4096-byte limit, so no envelope is needed). The context, plus `service: 'sealwatch'`, is
 * the KMS EncryptionContext: it is AAD, it appears in CloudTrail, and key policies can condition
 * `kms:Decrypt` on it. `Decrypt` always pins the key id.
 *
 * @throws ValidationError when `id` or `keyId` is empty.
 */
export function createAwsKmsKeyWrapper(options: AwsKmsKeyWrapperOptions): KeyWrapper {
  const { id, keyId, client } = options;
  const problems: string[] = [];
  if (typeof id !== 'string' || id.length === 0) problems.push('id: must be a non-empty string');
  if (typeof keyId !== 'string' || keyId.length === 0) problems.push('keyId: must be a non-empty string');
  if (typeof client?.send !== 'function') problems.push('client: must be a KMSClient');
  if (problems.length > 0) throw new ValidationError('invalid aws-kms key wrapper options', problems);
  const now = options.now ?? Date.now;
  const label = `aws-kms wrapper "${id}" (key ${keyId})`;
  const configuredIsAlias = isAlias(keyId);

  /**
   * Which key Decrypt must use. With a key id or ARN configured, that key, and a record naming
   * another key is refused before any call. With an alias configured, the ARN recorded at wrap
   * time: an alias may be re-pointed to a new key later, and secrets wrapped before must still
   * open under the key that wrapped them.
   */
  function decryptKeyFor(secret: WrappedSecret): string {
    if (!configuredIsAlias) {
      if (secret.keyId && !isAlias(secret.keyId) && keyPart(secret.keyId) !== keyPart(keyId)) {
        throw new CiphertextInvalidError(`${label}: secret was wrapped under key ${secret.keyId}, not under this wrapper's key`);
      }
      return keyId;
    }
    return secret.keyId && /^arn:aws[\w-]*:kms:[^:]*:\d*:key\//.test(secret.keyId) ? secret.keyId : keyId;
  }

  return {
    id,
    kind: 'aws-kms',
    async wrap(plaintext: Uint8Array, context: WrapContext, signal?: AbortSignal): Promise<WrappedSecret> {
      assertWrappable(plaintext, label);
      const encryptionContext = bindContext(context);
      try {
        const out = await client.send(
          new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: encryptionContext }),
          signal ? { abortSignal: signal } : {},
        );
        if (!out.CiphertextBlob) throw new UnavailableError(`${label}: Encrypt returned no ciphertext`);
        return {
          wrapper: id,
          keyId: out.KeyId ?? keyId,
          ciphertext: Buffer.from(out.CiphertextBlob).toString('base64'),
        };
      } catch (error) {
        throw translateKmsError(error, label, 'Encrypt');
      }
    },
    async unwrap(secret: WrappedSecret, context: WrapContext, signal?: AbortSignal): Promise<Uint8Array> {
      const encryptionContext = bindContext(context);
      const pinned = decryptKeyFor(secret);
      const blob = decodeBlob(secret.ciphertext, label);
      try {
        const out = await client.send(
          new DecryptCommand({ KeyId: pinned, CiphertextBlob: blob, EncryptionContext: encryptionContext }),
          signal ? { abortSignal: signal } : {},
        );
        if (!out.Plaintext) throw new UnavailableError(`${label}: Decrypt returned no plaintext`);
        // The SDK's array may view pooled Buffer memory: hand out an owned copy, zero the view.
        const plaintext = Uint8Array.from(out.Plaintext);
        out.Plaintext.fill(0);
        return plaintext;
      } catch (error) {
        throw translateKmsError(error, label, 'Decrypt');
      }
    },
    async health(signal?: AbortSignal): Promise<KeyHealth> {
      const sendOptions = signal ? { abortSignal: signal } : {};
      let meta: KeyMetadata | undefined;
      try {
        meta = (await client.send(new DescribeKeyCommand({ KeyId: keyId }), sendOptions)).KeyMetadata;
      } catch (error) {
        return unreachableHealth(id, keyId, translateKmsError(error, label, 'DescribeKey'));
      }
      if (!meta) {
        return unreachableHealth(id, keyId, new UnavailableError(`${label}: DescribeKey returned no metadata`));
      }
      const health = assessKeyMetadata(id, keyId, meta, now());
      try {
        const rotation = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), sendOptions);
        health.details.rotationEnabled = rotation.KeyRotationEnabled ?? null;
        health.details.rotationPeriodInDays = rotation.RotationPeriodInDays ?? null;
        health.details.nextRotationDate = rotation.NextRotationDate?.toISOString() ?? null;
      } catch (error) {
        // Rotation is information only (unsupported for imported and custom-store keys).
        health.details.rotationEnabled = null;
        health.details.rotationStatus = `unknown (${errorName(error)})`;
      }
      return health;
    },
  };
}

/** Turns DescribeKey metadata into problems. Exported for table-driven unit tests. */
export function assessKeyMetadata(wrapper: string, keyId: string, meta: KeyMetadata, nowMs: number): KeyHealth {
  const problems: KeyHealth['problems'] = [];
  let status: KeyHealthStatus = 'ok';
  const raise = (level: 'warning' | 'critical', code: string, message: string): void => {
    problems.push({ code, message });
    if (level === 'critical' || status === 'ok') status = level;
  };
  const deletion = meta.DeletionDate;
  const daysLeft = deletion ? Math.max(0, Math.ceil((deletion.getTime() - nowMs) / DAY_MS)) : null;
  const details: KeyHealth['details'] = {
    arn: meta.Arn ?? null,
    keyState: meta.KeyState ?? null,
    enabled: meta.Enabled ?? null,
    keyManager: meta.KeyManager ?? null,
    origin: meta.Origin ?? null,
    keySpec: meta.KeySpec ?? null,
    keyUsage: meta.KeyUsage ?? null,
    multiRegion: meta.MultiRegion ?? null,
    creationDate: meta.CreationDate?.toISOString() ?? null,
    deletionDate: deletion?.toISOString() ?? null,
    daysLeft,
    pendingDeletionWindowInDays: meta.PendingDeletionWindowInDays ?? null,
    validTo: meta.ValidTo?.toISOString() ?? null,
  };
  switch (meta.KeyState) {
    case 'Enabled':
      break;
    case 'Disabled':
      raise('critical', 'disabled', `key ${keyId} is disabled: wrap and unwrap fail`);
      break;
    case 'PendingDeletion':
    case 'PendingReplicaDeletion':
      raise(
        'critical',
        'pending-deletion',
        `key ${keyId} is pending deletion` + (deletion ? ` on ${deletion.toISOString()} (${daysLeft} days left; cancel with CancelKeyDeletion)` : ''),
      );
      break;
    case 'PendingImport':
      raise('critical', 'pending-import', `key ${keyId} has no key material (pending import)`);
      break;
    case 'Unavailable':
      raise('critical', 'unavailable', `key ${keyId} is unavailable (custom key store disconnected)`);
      break;
    default:
      raise('warning', 'transitional-state', `key ${keyId} is in state ${String(meta.KeyState)}`);
  }
  if (meta.KeyUsage && meta.KeyUsage !== 'ENCRYPT_DECRYPT') {
    raise('critical', 'wrong-key-usage', `key ${keyId} has usage ${meta.KeyUsage}, not ENCRYPT_DECRYPT`);
  }
  if (meta.KeySpec && meta.KeySpec !== 'SYMMETRIC_DEFAULT') {
    raise('critical', 'wrong-key-spec', `key ${keyId} has spec ${meta.KeySpec}, not SYMMETRIC_DEFAULT`);
  }
  if (meta.ValidTo && meta.ValidTo.getTime() <= nowMs + 14 * DAY_MS) {
    raise('warning', 'expires-soon', `imported key material of ${keyId} expires ${meta.ValidTo.toISOString()}`);
  }
  return { wrapper, keyId, status, problems, details };
}

function unreachableHealth(wrapper: string, keyId: string, error: SealwatchError): KeyHealth {
  const code = error instanceof NotFoundError ? 'not-found' : error instanceof AccessDeniedError ? 'access-denied' : 'unreachable';
  return {
    wrapper,
    keyId,
    status: 'critical',
    problems: [{ code, message: error.message }],
    details: { errorCode: error.code },
  };
}

/** KMS names the generic AWS rules would misjudge; the rest is `translateAwsError`'s. */
const KMS_OVERRIDES: AwsErrorOverrides = {
  DisabledException: (message, shape, cause) => new KeyUnusableError('disabled', message, { cause }),
  KMSInvalidStateException: (message, shape, cause) => {
    const text = shape.message.toLowerCase();
    const reason = /pending (replica )?deletion|pendingdeletion|pendingreplicadeletion/.test(text)
      ? 'pending-deletion'
      : /pending ?import/.test(text)
        ? 'pending-import'
        : 'unavailable';
    return new KeyUnusableError(reason, message, { cause });
  },
  InvalidCiphertextException: (message, shape, cause) => new CiphertextInvalidError(message, { cause }),
  IncorrectKeyException: (message, shape, cause) => new CiphertextInvalidError(message, { cause }),
  // A grant token is a credential of its own: not retryable, like a missing signature.
  InvalidGrantTokenException: 'credentials',
  KMSInternalException: 'server',
  DependencyTimeoutException: 'transient',
  KeyUnavailableException: 'transient',
};

/**
 * KMS errors in sealwatch's terms, through the one AWS classifier. Messages name the wrapper,
 * key and the provider's own error text (KMS never echoes plaintext); the SDK error stays as
 * `cause`.
 */
export function translateKmsError(error: unknown, label: string, operation: string): SealwatchError {
  return translateAwsError(error, { where: `${label}: ${operation}`, overrides: KMS_OVERRIDES, quoteProvider: true, rejectedCode: 'kms_error' });
}

function decodeBlob(ciphertext: string, label: string): Uint8Array {
  if (typeof ciphertext !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertext)) {
    throw new CiphertextInvalidError(`${label}: ciphertext is not base64`);
  }
  return Buffer.from(ciphertext, 'base64');
}

function isAlias(id: string): boolean {
  return id.startsWith('alias/') || /^arn:aws[\w-]*:kms:[^:]*:\d*:alias\//.test(id);
}

/** The key id inside a key ARN, or the id itself. */
function keyPart(id: string): string {
  const match = /:key\/(.+)$/.exec(id);
  return match?.[1] ?? id;
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return 'Error';
}
