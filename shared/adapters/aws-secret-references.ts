import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeReference, type RemoteSecretReference, type RemoteSecretResolver } from '../config/references.ts';
import { NotFoundError, type SealwatchError } from '../errors.ts';
import { translateAwsError, type AwsErrorOverrides } from './aws-errors.ts';

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

/** SSM and Secrets Manager names the generic AWS rules would misjudge. */
const SECRET_OVERRIDES: AwsErrorOverrides = {
  ParameterNotFound: 'not-found',
  ParameterVersionNotFound: 'not-found',
  // Secrets Manager: the secret is scheduled for deletion (or otherwise not readable now).
  InvalidRequestException: (message, shape, cause) => new NotFoundError(`${message}: it cannot be read now, e.g. it is scheduled for deletion`, { cause }),
  // The KMS key of the parameter or secret refuses us: an access problem, not an outage.
  DecryptionFailure: 'access-denied',
  InvalidKeyId: 'access-denied',
};

/**
 * SSM and Secrets Manager errors through the one AWS classifier. Messages carry the reference
 * and the error name only: a provider text could quote the request.
 */
export function translateSecretError(error: unknown, label: string): SealwatchError {
  return translateAwsError(error, { where: `secret ${label}: read`, overrides: SECRET_OVERRIDES, rejectedCode: 'secret_error' });
}
