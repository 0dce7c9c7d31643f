import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { CredentialsProviderError } from '@smithy/core/config';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, translateAwsError, type AwsErrorKind } from '../../../shared/adapters/aws-errors.ts';
import { AccessDeniedError, isRetryable, UnavailableError } from '../../../shared/errors.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
/** An unmodeled error, as the SDK builds one: the service's base exception with the wire's name. */
const unmodeled = (name: string, status: number, message = '') =>
  new KMSServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', ...meta(status) });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('classifyAwsError', () => {
  it.each<[string, unknown, AwsErrorKind]>([
    ['modeled throttle', new ProvisionedThroughputExceededException({ message: 'slow', ...meta(400) }), 'throttled'],
    ['unmodeled throttle', unmodeled('ThrottlingException', 400), 'throttled'],
    ['any 429', unmodeled('Whatever', 429), 'throttled'],
    ['503', unmodeled('ServiceUnavailable', 503), 'transient'],
    ['timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    ['reset socket', socketError('ECONNRESET'), 'transient'],
    ['our own abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'transient'],
    ['501', unmodeled('NotImplemented', 501), 'server'],
    [
      'clock skew corrected by the SDK',
      Object.assign(unmodeled('InvalidSignatureException', 400, 'Signature expired'), { $metadata: { httpStatusCode: 400, clockSkewCorrected: true } }),
      'clock-skew',
    ],
    ['request time too skewed', unmodeled('RequestTimeTooSkewed', 403), 'clock-skew'],
    ['bad signature', unmodeled('InvalidSignatureException', 400, 'The request signature we calculated does not match'), 'credentials'],
    ['expired token', unmodeled('ExpiredTokenException', 400), 'credentials'],
    ['no credentials', new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false }), 'credentials'],
    ['access denied', unmodeled('AccessDeniedException', 400), 'access-denied'],
    ['any 403', unmodeled('Nope', 403), 'access-denied'],
    ['modeled not found', new NotFoundException({ message: 'no key', ...meta(400) }), 'not-found'],
    ['table not found', new ResourceNotFoundException({ message: 'no table', ...meta(400) }), 'not-found'],
    ['conditional check', new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta(400) }), 'conflict'],
    ['validation', new DynamoDBServiceException({ name: 'ValidationException', message: 'bad', $fault: 'client', ...meta(400) }), 'validation'],
    ['unknown 4xx', unmodeled('BrandNewException', 400), 'rejected'],
    ['no answer, unknown error', new Error('something odd'), 'network'],
  ])('%s', (_label, error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });

  it('lets a service override a name', () => {
    expect(classifyAwsError(unmodeled('OverLimit', 400))).toBe('rejected');
    expect(classifyAwsError(unmodeled('OverLimit', 400), { OverLimit: 'throttled' })).toBe('throttled');
  });
});

describe('translateAwsError', () => {
  it('keeps provider texts out unless asked, and the SDK error as cause', () => {
    const error = unmodeled('AccessDeniedException', 400, 'User arn:aws:iam::1:user/x is not authorized');
    const quiet = translateAwsError(error, { where: 'SNS Publish' });
    expect(quiet).toBeInstanceOf(AccessDeniedError);
    expect(quiet.message).toBe('SNS Publish failed: AccessDeniedException (HTTP 400)');
    expect(quiet.cause).toBe(error);
    expect(translateAwsError(error, { where: 'KMS', quoteProvider: true }).message).toContain('is not authorized');
  });

  it('says what to do about clock skew and credentials', () => {
    const skew = translateAwsError(unmodeled('RequestTimeTooSkewed', 403), { where: 'x' });
    expect(skew).toBeInstanceOf(UnavailableError);
    expect(skew.code).toBe('clock_skew');
    expect(skew.hint).toMatch(/clock/);
    const creds = translateAwsError(unmodeled('ExpiredTokenException', 400), { where: 'x' });
    expect(isRetryable(creds)).toBe(false);
    expect(creds.hint).toMatch(/credentials/);
  });
});
