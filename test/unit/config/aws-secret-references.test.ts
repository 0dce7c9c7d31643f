import { DecryptionFailure, GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsSecretResolver } from '../../../shared/adapters/aws-secret-references.ts';
import type { RemoteSecretReference } from '../../../shared/config/references.ts';
import { AccessDeniedError, NotFoundError, ThrottledError, UnavailableError } from '../../../shared/errors.ts';

const VALUE = 'pd-routing-key-that-must-not-leak';
const ssmMock = mockClient(SSMClient);
const smMock = mockClient(SecretsManagerClient);
const resolve = createAwsSecretResolver({
  ssm: new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  secretsManager: new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
});

afterEach(() => {
  ssmMock.reset();
  smMock.reset();
});

/** An SDK-shaped error: the SDK classifies by `name`, unmodeled ones included. */
function sdkError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} from the provider`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });
}

async function failure(reference: RemoteSecretReference): Promise<Error> {
  const result = await resolve(reference).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(result instanceof Error)) throw new Error('expected the resolver to fail');
  return result;
}

describe('createAwsSecretResolver: SSM', () => {
  it('reads a parameter with decryption', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/sealwatch/pd', Value: VALUE, Type: 'SecureString' } });
    expect(await resolve({ kind: 'ssm', name: '/sealwatch/pd' })).toBe(VALUE);
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: '/sealwatch/pd', WithDecryption: true }]);
  });

  it('reports a parameter without a value as not found', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/x' } });
    const error = await failure({ kind: 'ssm', name: '/x' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('${ssm:/x}');
  });
});

describe('createAwsSecretResolver: Secrets Manager', () => {
  it('reads a string secret', async () => {
    smMock.on(GetSecretValueCommand, { SecretId: 'sealwatch/opsgenie' }).resolves({ SecretString: VALUE });
    expect(await resolve({ kind: 'secretsmanager', name: 'sealwatch/opsgenie' })).toBe(VALUE);
  });

  it.each<[string, string, string]>([
    ['a string field', JSON.stringify({ token: VALUE, other: 'x' }), VALUE],
    ['a number field', JSON.stringify({ token: 1234 }), '1234'],
  ])('reads %s of a JSON secret', async (_name, text, expected) => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: text });
    expect(await resolve({ kind: 'secretsmanager', name: 'sealwatch/api', jsonKey: 'token' })).toBe(expected);
  });

  it.each<[string, { SecretString?: string; SecretBinary?: Uint8Array }, RegExp]>([
    ['not JSON', { SecretString: `${VALUE} plain` }, /the secret is not JSON, so key 'token' cannot be read/],
    ['a JSON list', { SecretString: JSON.stringify([VALUE]) }, /not a JSON object/],
    ['missing the key', { SecretString: JSON.stringify({ other: VALUE }) }, /has no key 'token'/],
    ['a nested object at the key', { SecretString: JSON.stringify({ token: { v: VALUE } }) }, /key 'token' of the JSON secret is not a string/],
    ['binary', { SecretBinary: new Uint8Array([1, 2, 3]) }, /no string value \(binary secrets are not supported\)/],
  ])('reports a secret that is %s as not found, without quoting it', async (_name, output, message) => {
    smMock.on(GetSecretValueCommand).resolves(output);
    const error = await failure({ kind: 'secretsmanager', name: 'sealwatch/api', jsonKey: 'token' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('${secretsmanager:sealwatch/api#token}');
    expect(`${error.message} ${String(error.cause ?? '')}`).not.toContain(VALUE);
  });
});

describe('error translation', () => {
  it.each<[string, Error, new (...args: never[]) => Error]>([
    ['ParameterNotFound', new ParameterNotFound({ message: 'gone', $metadata: {} }), NotFoundError],
    ['AccessDeniedException', sdkError('AccessDeniedException', 400), AccessDeniedError],
    ['InvalidKeyId (KMS key of a SecureString)', sdkError('InvalidKeyId', 400), AccessDeniedError],
    ['ThrottlingException', sdkError('ThrottlingException', 400), ThrottledError],
    ['InternalServerError', sdkError('InternalServerError', 500), UnavailableError],
    ['a network failure', sdkError('TimeoutError'), UnavailableError],
  ])('SSM %s', async (_name, error, type) => {
    ssmMock.on(GetParameterCommand).rejects(error);
    const caught = await failure({ kind: 'ssm', name: '/sealwatch/pd' });
    expect(caught).toBeInstanceOf(type);
    expect(caught.message).toContain('${ssm:/sealwatch/pd}');
    expect(caught.cause).toBe(error);
  });

  it.each<[string, Error, new (...args: never[]) => Error]>([
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'gone', $metadata: {} }), NotFoundError],
    ['InvalidRequestException (scheduled for deletion)', sdkError('InvalidRequestException', 400), NotFoundError],
    ['DecryptionFailure', new DecryptionFailure({ message: 'kms', $metadata: {} }), AccessDeniedError],
    ['ExpiredTokenException', sdkError('ExpiredTokenException', 400), AccessDeniedError],
    ['InternalServiceError', sdkError('InternalServiceError', 500), UnavailableError],
  ])('Secrets Manager %s', async (_name, error, type) => {
    smMock.on(GetSecretValueCommand).rejects(error);
    const caught = await failure({ kind: 'secretsmanager', name: 'sealwatch/opsgenie' });
    expect(caught).toBeInstanceOf(type);
    expect(caught.message).toContain('${secretsmanager:sealwatch/opsgenie}');
  });

  it('is retryable only for transient failures', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejectsOnce(sdkError('ThrottlingException', 400))
      .resolves({ Parameter: { Value: VALUE } });
    const first = await failure({ kind: 'ssm', name: '/pd' });
    expect(first).toBeInstanceOf(UnavailableError);
    expect(await resolve({ kind: 'ssm', name: '/pd' })).toBe(VALUE);
  });
});
