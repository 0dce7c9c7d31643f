import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { describe, expect, it } from 'vitest';
import { assessKeyMetadata, translateKmsError } from '../../../shared/adapters/aws-kms-key-wrapper.ts';
import { assessKeyVaultKey, translateKeyVaultError } from '../../../shared/adapters/azure-keyvault-key-wrapper.ts';
import {
  AccessDeniedError,
  CiphertextInvalidError,
  KeyUnusableError,
  NotFoundError,
  SealwatchError,
  ThrottledError,
  UnavailableError,
} from '../../../shared/errors.ts';

/** An error class, as toBeInstanceOf takes it. */
type ErrorClass = abstract new (...args: never[]) => Error;

const DAY = 86_400_000;
const NOW = Date.parse('2030-06-01T00:00:00.000Z');

/** Shaped like the SDKs' errors (name, $metadata / statusCode, details), built by hand. */
function awsError(name: string, message = '', status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}
function restError(statusCode: number | undefined, code: string, message: string, inner?: string): Error {
  return Object.assign(new Error(message), {
    name: 'RestError',
    statusCode,
    code,
    details: { error: { code, message, ...(inner ? { innerError: { code: inner } } : {}) } },
  });
}

describe('translateKmsError', () => {
  it.each<[Error, ErrorClass, string?]>([
    [awsError('DisabledException', 'arn:k is disabled.'), KeyUnusableError, 'disabled'],
    [awsError('KMSInvalidStateException', 'arn:k is pending deletion.'), KeyUnusableError, 'pending-deletion'],
    [awsError('KMSInvalidStateException', 'arn:k is pending import.'), KeyUnusableError, 'pending-import'],
    [awsError('KMSInvalidStateException', 'arn:k is unavailable.'), KeyUnusableError, 'unavailable'],
    [awsError('NotFoundException', "Key 'arn:k' does not exist"), NotFoundError],
    [awsError('AccessDeniedException', 'not authorized'), AccessDeniedError],
    [awsError('ThrottlingException', 'Rate exceeded'), ThrottledError],
    [awsError('LimitExceededException'), ThrottledError],
    [awsError('InvalidCiphertextException'), CiphertextInvalidError],
    [awsError('IncorrectKeyException'), CiphertextInvalidError],
    [awsError('KMSInternalException', '', 500), UnavailableError],
    [awsError('Unknown', '', 502), UnavailableError],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), UnavailableError],
  ])('%s', (error, type, reason) => {
    const translated = translateKmsError(error, 'aws-kms wrapper "w" (key k1)', 'Decrypt');
    expect(translated).toBeInstanceOf(type);
    if (reason) expect((translated as KeyUnusableError).reason).toBe(reason);
    expect(translated.message).toContain('aws-kms wrapper "w" (key k1)');
    expect(translated.cause).toBe(error);
  });

  it('keeps unknown client errors out of the retryable class', () => {
    const translated = translateKmsError(awsError('ValidationException', 'bad'), 'w', 'Encrypt');
    expect(translated).toBeInstanceOf(SealwatchError);
    expect(translated).not.toBeInstanceOf(UnavailableError);
  });
});

describe('translateKeyVaultError', () => {
  it.each<[Error, string, ErrorClass]>([
    [restError(403, 'Forbidden', 'Operation wrapKey is not allowed on a disabled key.', 'KeyDisabled'), 'wrapKey', KeyUnusableError],
    [restError(403, 'Forbidden', 'Operation unwrapKey is not permitted on this key.', 'KeyOperationForbidden'), 'unwrapKey', KeyUnusableError],
    [restError(403, 'Forbidden', 'Caller is not authorized to perform action on resource.', 'ForbiddenByRbac'), 'wrapKey', AccessDeniedError],
    [
      restError(403, 'Forbidden', "The user, group or application 'appid=x' does not have keys unwrapKey permission on key vault 'v'.", 'AccessDenied'),
      'unwrapKey',
      AccessDeniedError,
    ],
    [restError(401, 'Unauthorized', 'AKV10032: Invalid issuer.'), 'getKey', AccessDeniedError],
    [restError(404, 'KeyNotFound', 'A key with (name/id) k was not found in this key vault.'), 'getKey', NotFoundError],
    [restError(429, 'Throttled', 'Request was not processed because too many requests were received.'), 'wrapKey', ThrottledError],
    [restError(500, 'InternalServerError', 'An unexpected error occurred.'), 'wrapKey', UnavailableError],
    [restError(undefined, 'REQUEST_SEND_ERROR', 'connect ECONNREFUSED 127.0.0.1:1'), 'wrapKey', UnavailableError],
    [restError(400, 'BadParameter', 'The parameter is incorrect.'), 'unwrapKey', CiphertextInvalidError],
    [Object.assign(new Error('no credential'), { name: 'CredentialUnavailableError' }), 'getKey', AccessDeniedError],
  ])('%s during %s', (error, operation, type) => {
    const translated = translateKeyVaultError(error, 'azure-keyvault wrapper "w" (key k)', operation);
    expect(translated).toBeInstanceOf(type);
    expect(translated.message).toContain('azure-keyvault wrapper "w" (key k)');
  });

  it('a 400 outside unwrap is not blamed on the ciphertext', () => {
    expect(translateKeyVaultError(restError(400, 'BadParameter', 'x'), 'w', 'wrapKey')).not.toBeInstanceOf(CiphertextInvalidError);
  });

  it('can drop the SDK error, keeping only a summary', () => {
    const error = restError(403, 'Forbidden', 'Caller is not authorized');
    const translated = translateKeyVaultError(error, 'w', 'wrapKey', { dropCause: true });
    expect(translated.cause).not.toBe(error);
    expect(String((translated.cause as Error).message)).toContain('403');
  });
});

function meta(patch: Partial<KeyMetadata>): KeyMetadata {
  return { KeyId: 'k1', KeyState: 'Enabled', Enabled: true, KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', ...patch };
}

describe('assessKeyMetadata', () => {
  it.each<[string, Partial<KeyMetadata>, string, string[]]>([
    ['enabled', {}, 'ok', []],
    ['disabled', { KeyState: 'Disabled', Enabled: false }, 'critical', ['disabled']],
    ['pending deletion', { KeyState: 'PendingDeletion', DeletionDate: new Date(NOW + 2.2 * DAY) }, 'critical', ['pending-deletion']],
    ['pending replica deletion', { KeyState: 'PendingReplicaDeletion' }, 'critical', ['pending-deletion']],
    ['pending import', { KeyState: 'PendingImport' }, 'critical', ['pending-import']],
    ['unavailable', { KeyState: 'Unavailable' }, 'critical', ['unavailable']],
    ['updating', { KeyState: 'Updating' }, 'warning', ['transitional-state']],
    ['asymmetric', { KeySpec: 'RSA_2048' }, 'critical', ['wrong-key-spec']],
    ['a signing key', { KeyUsage: 'SIGN_VERIFY' }, 'critical', ['wrong-key-usage']],
    ['imported material expiring', { ValidTo: new Date(NOW + 3 * DAY) }, 'warning', ['expires-soon']],
  ])('%s', (_label, patch, status, codes) => {
    const health = assessKeyMetadata('w', 'k1', meta(patch), NOW);
    expect(health.status).toBe(status);
    expect(health.problems.map((p) => p.code)).toEqual(codes);
  });

  it('counts whole days left before deletion, rounding up', () => {
    const health = assessKeyMetadata('w', 'k1', meta({ KeyState: 'PendingDeletion', DeletionDate: new Date(NOW + 2.2 * DAY) }), NOW);
    expect(health.details.daysLeft).toBe(3);
    expect(health.details.deletionDate).toBe(new Date(NOW + 2.2 * DAY).toISOString());
  });
});

function kvKey(patch: Partial<KeyVaultKey['properties']>, keyOperations: string[] | undefined = ['wrapKey', 'unwrapKey']): KeyVaultKey {
  return {
    name: 'k',
    id: 'https://v.vault.azure.net/keys/k/1',
    keyType: 'RSA',
    ...(keyOperations ? { keyOperations: keyOperations as NonNullable<KeyVaultKey['keyOperations']> } : {}),
    properties: { name: 'k', vaultUrl: 'https://v.vault.azure.net', version: '1', enabled: true, recoveryLevel: 'Recoverable', ...patch },
  };
}

describe('assessKeyVaultKey', () => {
  it.each<[string, KeyVaultKey, string, string[]]>([
    ['healthy', kvKey({}), 'ok', []],
    ['disabled', kvKey({ enabled: false }), 'critical', ['disabled']],
    ['expired', kvKey({ expiresOn: new Date(NOW - 1) }), 'critical', ['expired']],
    ['expiring within 14 days', kvKey({ expiresOn: new Date(NOW + 13 * DAY) }), 'warning', ['expires-soon']],
    ['expiring in 30 days', kvKey({ expiresOn: new Date(NOW + 30 * DAY) }), 'ok', []],
    ['not yet valid', kvKey({ notBefore: new Date(NOW + DAY) }), 'critical', ['not-yet-valid']],
    ['without unwrapKey', kvKey({}, ['wrapKey', 'encrypt']), 'critical', ['missing-key-ops']],
    ['without key ops listed', kvKey({}, undefined), 'ok', []],
    ['purgeable', kvKey({ recoveryLevel: 'CustomizedRecoverable+Purgeable' }), 'warning', ['purgeable']],
    ['protected', kvKey({ recoveryLevel: 'Recoverable+ProtectedSubscription' }), 'ok', []],
    ['disabled and purgeable', kvKey({ enabled: false, recoveryLevel: 'Purgeable' }), 'critical', ['disabled', 'purgeable']],
  ])('%s', (_label, key, status, codes) => {
    const health = assessKeyVaultKey('w', 'k', key, NOW);
    expect(health.status).toBe(status);
    expect(health.problems.map((p) => p.code)).toEqual(codes);
  });

  it('honours a custom warning window', () => {
    expect(assessKeyVaultKey('w', 'k', kvKey({ expiresOn: new Date(NOW + 20 * DAY) }), NOW, 30).status).toBe('warning');
  });
});
