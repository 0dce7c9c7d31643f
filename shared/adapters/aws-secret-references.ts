import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeReference, type RemoteSecretReference, type RemoteSecretResolver } from '../config/references.ts';
import { AccessDeniedError, NotFoundError, SealwatchError, ThrottledError, UnavailableError } from '../errors.ts';

export interface AwsSecretResolverOptions {
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
}

/**
 * Resolves `${ssm:NAME}` (GetParameter, decrypted) and `${secretsmanager:NAME[#jsonKey]}`
 * (GetSecretValue, optionally one key of a JSON secret). Errors are translated here and name the
 * reference only: provider messages are left in `cause`, and a secret's text never reaches one
 * (a JSON parse failure would quote it, so its message is dropped).
 */
export function createAwsSecretResolver(options: AwsSecretResolverOptions): RemoteSecretResolver {
  const { ssm, secretsManager } = options;
  return async (reference) => {
    const label = describeReference(reference);
    if (reference.kind === 'ssm') {
      const output = await call(label, () => ssm.send(new GetParameterCommand({ Name: reference.name, WithDecryption: true })));
      const value = output.Parameter?.Value;
      if (value === undefined) throw new NotFoundError(`secret ${label}: the parameter has no value`);
      return value;
    }
    const output = await call(label, () => secretsManager.send(new GetSecretValueCommand({ SecretId: reference.name })));
    const text = output.SecretString;
    if (text === undefined) throw new NotFoundError(`secret ${label}: the secret has no string value (binary secrets are not supported)`);
    return reference.jsonKey === undefined ? text : jsonField(text, reference.jsonKey, label);
  };
}

/**
 * A resolver whose clients are built on first use, in `AWS_REGION` (or `AWS_DEFAULT_REGION`), with
 * the environment's static credentials when set and the default provider chain otherwise. Configs
 * without remote references never create a client.
 */
export function createAwsSecretResolverFromEnv(env: Record<string, string | undefined>): RemoteSecretResolver {
  let resolver: RemoteSecretResolver | undefined;
  return (reference: RemoteSecretReference) => {
    if (resolver === undefined) {
      const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
      const accessKeyId = env['AWS_ACCESS_KEY_ID'];
      const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
      const sessionToken = env['AWS_SESSION_TOKEN'];
      const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;
      const config = { ...(region ? { region } : {}), ...(credentials ? { credentials } : {}) };
      resolver = createAwsSecretResolver({ ssm: new SSMClient(config), secretsManager: new SecretsManagerClient(config) });
    }
    return resolver(reference);
  };
}

function jsonField(text: string, key: string, label: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause: V8's message quotes the start of the text, which is the secret.
    throw new NotFoundError(`secret ${label}: the secret is not JSON, so key '${key}' cannot be read`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new NotFoundError(`secret ${label}: the secret is not a JSON object, so key '${key}' cannot be read`);
  }
  const value = (parsed as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) throw new NotFoundError(`secret ${label}: the JSON secret has no key '${key}'`);
  throw new NotFoundError(`secret ${label}: key '${key}' of the JSON secret is not a string`);
}

async function call<T>(label: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateSecretError(error, label);
  }
}

/**
 * The one place SSM and Secrets Manager errors are classified, by the SDK's `name` (modeled and
 * unmodeled exceptions alike). Messages carry the reference and the error name only.
 */
export function translateSecretError(error: unknown, label: string): SealwatchError {
  if (error instanceof SealwatchError) return error;
  const name = errorName(error);
  const options = { cause: error };
  switch (name) {
    case 'ParameterNotFound':
    case 'ParameterVersionNotFound':
    case 'ResourceNotFoundException':
      return new NotFoundError(`secret ${label} does not exist (${name})`, options);
    case 'InvalidRequestException':
      // Secrets Manager: the secret is scheduled for deletion (or otherwise not readable now).
      return new NotFoundError(`secret ${label} cannot be read now, e.g. it is scheduled for deletion (${name})`, options);
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
    case 'MissingAuthenticationTokenException':
    case 'DecryptionFailure':
    case 'InvalidKeyId':
      return new AccessDeniedError(`secret ${label}: access denied (${name})`, options);
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'RequestLimitExceeded':
    case 'LimitExceededException':
      return new ThrottledError(`secret ${label}: throttled (${name})`, options);
    default:
      return new UnavailableError(`secret ${label} could not be read (${name})`, options);
  }
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') return error.name;
  return 'Error';
}
