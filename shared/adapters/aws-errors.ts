import { isClockSkewCorrectedError, isClockSkewError, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { AccessDeniedError, ConflictError, NotFoundError, SealwatchError, ThrottledError, UnavailableError, ValidationError } from '../errors.ts';

/** smithy's classifiers take the SDK's error type; any thrown value is read through it. */
type SdkError = Parameters<typeof isThrottlingError>[0];

/**
 * What an AWS SDK error means to sealwatch. The one decision of retryability for every AWS
 * adapter (KMS, DynamoDB, SNS, SQS, SSM, Secrets Manager, STS signing):
 * - retryable (UnavailableError): `throttled`, `transient` (timeouts, resets, 500/502/503/504,
 *   an abort by our own deadline), `server` (any other 5xx or `$fault: server`), `clock-skew`
 *   (the SDK corrects its clock offset on these, so the next call is signed right) and `network`
 *   (no HTTP answer at all);
 * - not retryable: `credentials` (no credentials, expired token, bad signature: retrying signs
 *   with the same ones), `access-denied`, `not-found`, `conflict`, `validation` and `rejected`
 *   (any other 4xx: the same request fails the same way).
 */
export type AwsErrorKind =
  | 'throttled'
  | 'transient'
  | 'server'
  | 'clock-skew'
  | 'network'
  | 'credentials'
  | 'access-denied'
  | 'not-found'
  | 'conflict'
  | 'validation'
  | 'rejected';

/** Per-service names (`error.name`) that the generic rules would misjudge, mapped to a kind or an error. */
export type AwsErrorOverrides = Readonly<Record<string, AwsErrorKind | ((message: string, shape: AwsErrorShape, cause: unknown) => SealwatchError)>>;

/** What the SDK puts on a ServiceException (and what Node puts on a socket error). */
export interface AwsErrorShape {
  name: string;
  message: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
}

/** Names the SDKs use for "who are you" failures (no or bad credentials), across services. */
const CREDENTIAL_NAMES = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'IncompleteSignature',
]);
/** Clock-skew names that mean nothing else (smithy's list also holds AccessDeniedException). */
const SKEW_ONLY_NAMES = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);
const ACCESS_NAMES = new Set(['AccessDeniedException', 'AccessDenied', 'NotAuthorized', 'AuthorizationError', 'Forbidden']);
const NOT_FOUND_NAMES = new Set(['ResourceNotFoundException', 'NotFoundException', 'NotFound']);
const CONFLICT_NAMES = new Set(['ConditionalCheckFailedException', 'TransactionConflictException', 'ConflictException']);
const VALIDATION_NAMES = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameter',
  'SerializationException',
]);

/** The SDK error's fields, tolerating anything thrown. */
export function awsErrorShape(error: unknown): AwsErrorShape {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Partial<AwsErrorShape>;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : typeof error === 'string' ? error : '',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(e.$fault === 'client' || e.$fault === 'server' ? { $fault: e.$fault } : {}),
    ...(e.$metadata && typeof e.$metadata === 'object' ? { $metadata: e.$metadata } : {}),
  };
}

/** Classifies an SDK error with smithy's own classifiers first, then AWS-wide names, then the status. */
export function classifyAwsError(error: unknown, overrides: AwsErrorOverrides = {}): AwsErrorKind {
  const shape = awsErrorShape(error);
  const override = overrides[shape.name];
  if (typeof override === 'string') return override;
  const sdk = (typeof error === 'object' && error !== null ? error : shape) as SdkError;
  const status = shape.$metadata?.httpStatusCode;
  // Our own deadline fired: the operation did not finish; a later attempt may.
  if (shape.name === 'AbortError') return 'transient';
  if (isThrottlingError(sdk)) return 'throttled';
  if (isClockSkewCorrectedError(sdk) || SKEW_ONLY_NAMES.has(shape.name)) return 'clock-skew';
  if (isClockSkewError(sdk) && /signature expired|not yet current|clock/i.test(shape.message)) return 'clock-skew';
  if (CREDENTIAL_NAMES.has(shape.name)) return 'credentials';
  if (isTransientError(sdk)) return 'transient';
  if (isServerError(sdk) || shape.$fault === 'server') return 'server';
  if (ACCESS_NAMES.has(shape.name) || status === 403) return 'access-denied';
  if (status === 401) return 'credentials';
  if (NOT_FOUND_NAMES.has(shape.name) || status === 404) return 'not-found';
  if (CONFLICT_NAMES.has(shape.name) || status === 409) return 'conflict';
  if (VALIDATION_NAMES.has(shape.name)) return 'validation';
  if (status === undefined) return 'network';
  return 'rejected';
}

export interface TranslateAwsErrorOptions {
  /** Says where: `DynamoDB GetItem on table t`, `aws-kms wrapper "w" (key k): Decrypt`. */
  where: string;
  /** Per-service names. */
  overrides?: AwsErrorOverrides;
  /**
   * Quote the provider's message (capped): yes for KMS and DynamoDB, whose texts name keys and
   * attributes; no where a message may quote the request (SNS, secrets).
   */
  quoteProvider?: boolean;
  /** Code of a `rejected` error, e.g. `kms_error`. Default `aws_rejected`. */
  rejectedCode?: string;
}

/**
 * The one translation of AWS SDK errors into sealwatch's hierarchy. The SDK error stays as
 * `cause`; messages say where and the error's name (plus the provider's text when asked).
 */
export function translateAwsError(error: unknown, options: TranslateAwsErrorOptions): SealwatchError {
  if (error instanceof SealwatchError) return error;
  const shape = awsErrorShape(error);
  const says = describeAwsError(shape, options.quoteProvider ?? false);
  const message = `${options.where} failed: ${says}`;
  const cause = { cause: error };
  const override = options.overrides?.[shape.name];
  if (typeof override === 'function') return override(message, shape, error);
  switch (classifyAwsError(error, options.overrides)) {
    case 'throttled':
      return new ThrottledError(message, cause);
    case 'clock-skew':
      return new UnavailableError(message, { ...cause, code: 'clock_skew', hint: "this machine's clock differs from AWS's by minutes: sync it (NTP)" });
    case 'transient':
    case 'server':
    case 'network':
      return new UnavailableError(message, cause);
    case 'credentials':
      return new AccessDeniedError(message, {
        ...cause,
        reason: 'credentials',
        hint: 'no valid AWS credentials: check the role, profile or AWS_* variables (expired session tokens need a refresh)',
      });
    case 'access-denied':
      return new AccessDeniedError(message, cause);
    case 'not-found':
      return new NotFoundError(message, cause);
    case 'conflict':
      return new ConflictError(message, { ...cause, reason: 'write-condition' });
    case 'validation':
      return new ValidationError(message, [says], cause);
    case 'rejected':
      return new SealwatchError(options.rejectedCode ?? 'aws_rejected', message, cause);
  }
}

/** `Name: provider text` (capped, one line) or `Name` alone; Node socket codes are added. */
export function describeAwsError(shape: AwsErrorShape, quoteProvider: boolean): string {
  const name = /^[A-Za-z0-9_.]{1,80}$/.test(shape.name) ? shape.name : 'Error';
  const code = shape.code !== undefined && shape.code !== name && /^[A-Z0-9_]{2,40}$/.test(shape.code) ? ` ${shape.code}` : '';
  const status = shape.$metadata?.httpStatusCode;
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  const text = quoteProvider ? shape.message.replace(/\s+/g, ' ').trim().slice(0, 240) : '';
  return `${name}${code}${http}${text ? `: ${text}` : ''}`;
}
