import type { KMSClient } from '@aws-sdk/client-kms';
import { ValidationError } from '../errors.ts';
import type { SealKeyCheck, SealKeyChecker } from '../ports/seal-key-checker.ts';
import { createAwsKmsKeyWrapper } from './aws-kms-key-wrapper.ts';
import { runCanary } from './seal-key-canary.ts';

export interface AwsKmsSealKeyOptions {
  /** The `kms_key_id` of the cluster's `seal "awskms"` stanza (id, ARN or alias). */
  keyId: string;
  client: KMSClient;
  /** Run an Encrypt/Decrypt round trip (needs kms:Encrypt and kms:Decrypt on the key). */
  canary: boolean;
  now?: () => number;
}

/**
 * Checks a Vault auto-unseal KMS key: DescribeKey (state, deletion date) and
 * GetKeyRotationStatus through the custody wrapper's own `health()` (so KMS answers are assessed
 * and translated in one place), plus an optional canary under the context
 * `{service: sealwatch, purpose: seal-canary}` that no Vault ciphertext carries.
 *
 * @throws ValidationError when `keyId` is empty.
 */
export function createAwsKmsSealKeyChecker(options: AwsKmsSealKeyOptions): SealKeyChecker {
  if (typeof options.keyId !== 'string' || options.keyId.length === 0) {
    throw new ValidationError('invalid aws-kms seal key options', ['keyId: must be a non-empty string']);
  }
  const wrapper = createAwsKmsKeyWrapper({
    id: 'seal',
    keyId: options.keyId,
    client: options.client,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    provider: 'aws-kms',
    keyId: options.keyId,
    async check(signal?: AbortSignal): Promise<SealKeyCheck> {
      const health = await wrapper.health(signal);
      const canary = options.canary && health.status !== 'critical' ? await runCanary(wrapper, signal) : null;
      return { health, canary };
    },
  };
}
