import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CredentialsProviderError } from '@smithy/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateKmsError } from '../../shared/adapters/aws-kms-key-wrapper.ts';
import { translateSecretError } from '../../shared/adapters/aws-secret-references.ts';
import { translateDynamoDbError } from '../../shared/adapters/dynamodb-state-store.ts';
import { translateSnsError } from '../../shared/adapters/sns-alert-channel.ts';
import { translateSqsError } from '../../shared/adapters/sqs-work-queue.ts';
import {
  AccessDeniedError,
  ConflictError,
  KeyUnusableError,
  NotFoundError,
  SealwatchError,
  ThrottledError,
  UnavailableError,
  ValidationError,
  isRetryable,
} from '../../shared/errors.ts';
import { startAwsErrorWire, type AwsErrorAnswer, type AwsErrorWireServer } from '../support/aws-error-wire-server.ts';

/**
 * Every AWS adapter's errors go through one classifier. Each row here is a refusal sent on the
 * wire by a local endpoint and deserialized by the real SDK client (its own exception classes,
 * `$metadata.httpStatusCode`, `$fault`), then translated by the adapter's translator.
 */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };
let wire: AwsErrorWireServer;
beforeAll(async () => {
  wire = await startAwsErrorWire();
});
afterAll(async () => {
  await wire.close();
});

type Service = 'kms' | 'dynamodb' | 'sqs' | 'ssm' | 'secretsmanager';

/** Sends one request with a real client (no SDK retries) and returns what it threw. */
async function refusal(service: Service, options: { endpoint?: string; credentials?: unknown } = {}): Promise<unknown> {
  const config = {
    region: 'eu-west-1',
    endpoint: options.endpoint ?? wire.endpoint,
    credentials: (options.credentials ?? credentials) as typeof credentials,
    maxAttempts: 1,
  };
  const sent = (() => {
    switch (service) {
      case 'kms':
        return new KMSClient(config).send(new DescribeKeyCommand({ KeyId: 'k1' }));
      case 'dynamodb':
        return new DynamoDBClient(config).send(new DescribeTableCommand({ TableName: 'state' }));
      case 'sqs':
        return new SQSClient(config).send(
          new SendMessageBatchCommand({ QueueUrl: `${config.endpoint}/111122223333/q`, Entries: [{ Id: '0', MessageBody: 'x' }] }),
        );
      case 'ssm':
        return new SSMClient(config).send(new GetParameterCommand({ Name: '/p' }));
      case 'secretsmanager':
        return new SecretsManagerClient(config).send(new GetSecretValueCommand({ SecretId: 's' }));
    }
  })();
  return sent.then(
    () => expect.unreachable('the endpoint answers every request with an error'),
    (error: unknown) => error,
  );
}

function translate(service: Service, error: unknown): SealwatchError {
  switch (service) {
    case 'kms':
      return translateKmsError(error, 'aws-kms wrapper "w" (key k1)', 'DescribeKey');
    case 'dynamodb':
      return translateDynamoDbError(error, 'state', 'DescribeTable');
    case 'sqs':
      return translateSqsError(error, 'http://127.0.0.1/111122223333/q');
    case 'ssm':
    case 'secretsmanager':
      return translateSecretError(error, '${ssm:/p}');
  }
}

const SKEWED_DATE = new Date(Date.now() + 3_600_000).toUTCString();

describe('one AWS error classifier, on errors the real SDK clients raise', () => {
  it.each<[string, Service, AwsErrorAnswer, Function, boolean, string?]>([
    // throttling: smithy's names and any 429
    ['throttling (KMS)', 'kms', { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }, ThrottledError, true],
    ['throughput exceeded (DynamoDB)', 'dynamodb', { status: 400, type: 'ProvisionedThroughputExceededException', message: 'slow down' }, ThrottledError, true],
    ['HTTP 429 with an unknown name', 'secretsmanager', { status: 429, type: 'SomethingNew', message: 'x' }, ThrottledError, true],
    ['SQS OverLimit (service override)', 'sqs', { status: 400, type: 'OverLimit', message: 'too many in flight' }, ThrottledError, true],
    // transient and server faults
    ['503 (DynamoDB)', 'dynamodb', { status: 503, type: 'ServiceUnavailable', message: 'down' }, UnavailableError, true],
    ['KMS internal 500', 'kms', { status: 500, type: 'KMSInternalException', message: 'oops' }, UnavailableError, true],
    ['501 (not transient, still a server fault)', 'ssm', { status: 501, type: 'NotImplemented', message: 'x' }, UnavailableError, true],
    ['KMS dependency timeout (service override)', 'kms', { status: 400, type: 'DependencyTimeoutException', message: 'x' }, UnavailableError, true],
    // clock skew: the SDK corrects its offset from the answer's Date, so the next call signs right
    [
      'signature expired with a skewed server clock',
      'kms',
      {
        status: 400,
        type: 'InvalidSignatureException',
        message: 'Signature expired: 20300101T000000Z is now earlier than 20300101T000500Z',
        headers: { date: SKEWED_DATE },
      },
      UnavailableError,
      true,
      'clock_skew',
    ],
    ['request time too skewed', 'dynamodb', { status: 403, type: 'RequestTimeTooSkewed', message: 'x' }, UnavailableError, true, 'clock_skew'],
    // credentials: the same credentials sign the retry the same way
    [
      'a bad signature (wrong secret key)',
      'kms',
      { status: 400, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match' },
      AccessDeniedError,
      false,
      'credentials',
    ],
    [
      'an expired session token',
      'dynamodb',
      { status: 400, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' },
      AccessDeniedError,
      false,
      'credentials',
    ],
    ['an unknown access key', 'ssm', { status: 400, type: 'UnrecognizedClientException', message: 'x' }, AccessDeniedError, false, 'credentials'],
    // access denied
    [
      'access denied (KMS)',
      'kms',
      { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform kms:DescribeKey' },
      AccessDeniedError,
      false,
      'denied',
    ],
    ['SQS KMS access denied (service override)', 'sqs', { status: 400, type: 'KmsAccessDenied', message: 'x' }, AccessDeniedError, false, 'denied'],
    ['HTTP 403 with an unknown name', 'secretsmanager', { status: 403, type: 'Forbiddenish', message: 'x' }, AccessDeniedError, false, 'denied'],
    // not found
    ['KMS key not found', 'kms', { status: 400, type: 'NotFoundException', message: "Key 'k1' does not exist" }, NotFoundError, false],
    ['DynamoDB table not found', 'dynamodb', { status: 400, type: 'ResourceNotFoundException', message: 'Requested resource not found' }, NotFoundError, false],
    ['SSM parameter not found (service override)', 'ssm', { status: 400, type: 'ParameterNotFound', message: 'x' }, NotFoundError, false],
    ['SQS queue does not exist', 'sqs', { status: 400, type: 'QueueDoesNotExist', message: 'x' }, NotFoundError, false],
    // conflict and validation
    [
      'conditional check failed',
      'dynamodb',
      { status: 400, type: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
      ConflictError,
      false,
      'write-condition',
    ],
    [
      'validation (DynamoDB)',
      'dynamodb',
      { status: 400, type: 'ValidationException', message: 'One or more parameter values were invalid' },
      ValidationError,
      false,
    ],
    // the KMS key itself
    ['KMS key disabled (service override)', 'kms', { status: 400, type: 'DisabledException', message: 'k1 is disabled.' }, KeyUnusableError, false, 'disabled'],
  ])('%s', async (_label, service, answer, type, retryable, detail) => {
    wire.answer = answer;
    const error = await refusal(service);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(answer.status);
    const translated = translate(service, error);
    expect(translated).toBeInstanceOf(type);
    expect(isRetryable(translated)).toBe(retryable);
    expect(translated.cause).toBe(error);
    if (detail === 'clock_skew') expect(translated.code).toBe('clock_skew');
    else if (detail) expect((translated as unknown as { reason: string }).reason).toBe(detail);
  });

  it('an unknown 4xx is a refusal, not retryable and not a 5xx-style outage', async () => {
    wire.answer = { status: 400, type: 'BrandNewException', message: 'x' };
    for (const service of ['kms', 'dynamodb', 'sqs', 'ssm'] as const) {
      const translated = translate(service, await refusal(service));
      expect(translated).toBeInstanceOf(SealwatchError);
      expect(translated).not.toBeInstanceOf(UnavailableError);
      expect(isRetryable(translated)).toBe(false);
    }
  });

  it('no credentials at all (CredentialsProviderError) is not retryable, in every adapter', async () => {
    const noCredentials = async () => {
      throw new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false });
    };
    for (const service of ['kms', 'dynamodb', 'sqs', 'ssm'] as const) {
      const error = await refusal(service, { credentials: noCredentials });
      expect((error as Error).name).toBe('CredentialsProviderError');
      const translated = translate(service, error);
      expect(translated).toBeInstanceOf(AccessDeniedError);
      expect((translated as AccessDeniedError).reason).toBe('credentials');
      expect(translated.hint).toMatch(/credentials/);
      expect(isRetryable(translated)).toBe(false);
    }
  });

  it('no answer at all (connection refused) is retryable', async () => {
    const closed = await startAwsErrorWire();
    const endpoint = closed.endpoint;
    await closed.close();
    for (const service of ['kms', 'dynamodb', 'secretsmanager'] as const) {
      const translated = translate(service, await refusal(service, { endpoint }));
      expect(translated).toBeInstanceOf(UnavailableError);
      expect(isRetryable(translated)).toBe(true);
    }
  });

  it('SNS deliveries (query protocol) follow the same decisions', async () => {
    const sns = new SNSClient({ region: 'eu-west-1', endpoint: wire.endpoint, credentials, maxAttempts: 1 });
    const publish = () =>
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Message: 'm' })).then(
        () => expect.unreachable(),
        (e: unknown) => e,
      );
    const cases: [AwsErrorAnswer, boolean][] = [
      [{ status: 400, type: 'Throttling', message: 'Rate exceeded', xml: true }, true],
      [{ status: 500, type: 'InternalError', message: 'request quoted here', xml: true }, true],
      [{ status: 403, type: 'AuthorizationError', message: 'not authorized', xml: true }, false],
      [{ status: 404, type: 'NotFound', message: 'Topic does not exist', xml: true }, false],
      [{ status: 400, type: 'InvalidParameter', message: 'request quoted here', xml: true }, false],
      [{ status: 403, type: 'InvalidClientTokenId', message: 'request quoted here', xml: true }, false],
    ];
    for (const [answer, retryable] of cases) {
      wire.answer = answer;
      const failure = translateSnsError(await publish());
      expect(failure, answer.type).toMatchObject({ ok: false, retryable, status: answer.status });
      expect(failure.error).toContain(answer.type);
      expect(failure.error).not.toContain(answer.message);
    }
  });
});
