import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsKmsKeyWrapper } from '../../shared/adapters/aws-kms-key-wrapper.ts';
import { createAzureKeyVaultKeyWrapper } from '../../shared/adapters/azure-keyvault-key-wrapper.ts';
import { createLocalKeyWrapper } from '../../shared/adapters/local-key-wrapper.ts';
import {
  AccessDeniedError,
  CiphertextInvalidError,
  KeyUnusableError,
  NotFoundError,
  ThrottledError,
  UnavailableError,
  ValidationError,
} from '../../shared/errors.ts';
import type { KeyHealth, KeyWrapper, WrapContext } from '../../shared/ports/key-wrapper.ts';
import { startKeyVaultWireServer, type KeyVaultWireServer } from '../support/keyvault-wire-server.ts';
import { startKmsWireServer, type KmsKeyState, type KmsWireServer } from '../support/kms-wire-server.ts';
import { describeKeyWrapperContract } from './key-wrapper.contract.ts';

/** An error class, as toBeInstanceOf takes it. */
type ErrorClass = abstract new (...args: never[]) => Error;

const DAY = 86_400_000;
const context: WrapContext = { cluster: 'prod-eu', share: '2', purpose: 'unseal-share' };
let kms: KmsWireServer;
let kv: KeyVaultWireServer;
const kmsClients: KMSClient[] = [];

beforeAll(async () => {
  [kms, kv] = await Promise.all([startKmsWireServer(), startKeyVaultWireServer()]);
});
afterAll(async () => {
  for (const client of kmsClients) client.destroy();
  await Promise.all([kms?.close(), kv?.close()]);
});

/** maxAttempts 1: fault tests must not wait on SDK backoff. */
function kmsClient(endpoint = kms.endpoint): KMSClient {
  const client = new KMSClient({
    endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
  kmsClients.push(client);
  return client;
}

function kmsWrapper(keyId: string, now?: () => number, endpoint?: string): KeyWrapper {
  return createAwsKmsKeyWrapper({ id: 'aws-primary', keyId, client: kmsClient(endpoint), ...(now ? { now } : {}) });
}

const credential = { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3.6e6 }) };

function kvWrapper(keyId: string, now?: () => number): KeyWrapper {
  return createAzureKeyVaultKeyWrapper({
    id: 'azure-primary',
    keyId,
    credential,
    clientOptions: {
      tlsOptions: { ca: kv.ca ?? '' },
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    },
    ...(now ? { now } : {}),
  });
}

let keyCounter = 0;
async function freshKvKey(): Promise<{ name: string; url: string; kid: string }> {
  const name = `custody-${++keyCounter}`;
  const kid = await kv.createKey(name);
  return { name, url: `${kv.vaultUrl}/keys/${name}`, kid };
}

/** Our errors name the wrapper and key, and never carry the secret in any encoding. */
function expectCleanError(error: unknown, secret: Uint8Array, wrapperId: string): void {
  expect(error).toBeInstanceOf(Error);
  const e = error as Error;
  expect(e.message).toContain(wrapperId);
  const text = [e.message, JSON.stringify(e), String(e.stack), String((e.cause as Error | undefined)?.message)].join('\n');
  const b = Buffer.from(secret);
  for (const needle of [b.toString('hex'), b.toString('base64'), b.toString('base64url')]) {
    expect(text.includes(needle)).toBe(false);
  }
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function problemCodes(health: KeyHealth): string[] {
  return health.problems.map((p) => p.code);
}

describeKeyWrapperContract('aws-kms (real @aws-sdk/client-kms against the KMS wire server)', async () => ({
  wrapper: kmsWrapper(kms.createKey().keyId),
}));

describeKeyWrapperContract('azure-keyvault (real @azure/keyvault-keys against the Key Vault wire server)', async () => ({
  wrapper: kvWrapper((await freshKvKey()).url),
}));

describeKeyWrapperContract('local', async () => ({
  wrapper: createLocalKeyWrapper({ id: 'local-dev', key: randomBytes(32) }),
}));

describe('aws-kms key wrapper', () => {
  it.each<[KmsKeyState, string, string]>([
    ['Disabled', 'disabled', 'disabled'],
    ['PendingImport', 'pending-import', 'pending-import'],
    ['Unavailable', 'unavailable', 'unavailable'],
  ])('a %s key fails wrap and unwrap with a typed error and a critical health', async (state, reason, code) => {
    const { keyId } = kms.createKey();
    const wrapper = kmsWrapper(keyId);
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    kms.setKeyState(keyId, state);
    for (const attempt of [wrapper.wrap(secret, context), wrapper.unwrap(wrapped, context)]) {
      const error = await caught(attempt);
      expect(error).toBeInstanceOf(KeyUnusableError);
      expect((error as KeyUnusableError).reason).toBe(reason);
      expect((error as Error).message).toContain(keyId);
      expectCleanError(error, secret, 'aws-primary');
    }
    const health = await wrapper.health();
    expect(health.status).toBe('critical');
    expect(problemCodes(health)).toEqual([code]);
    expect(health.details.keyState).toBe(state);
  });

  it('reports a key pending deletion with its date and the days left', async () => {
    const { keyId } = kms.createKey();
    const deletionDate = new Date('2030-01-15T00:00:00.000Z');
    const now = Date.parse('2030-01-10T12:00:00.000Z');
    const wrapper = kmsWrapper(keyId, () => now);
    const wrapped = await wrapper.wrap(randomBytes(33), context);
    kms.setKeyState(keyId, 'PendingDeletion', { deletionDate });
    const health = await wrapper.health();
    expect(health.status).toBe('critical');
    expect(problemCodes(health)).toEqual(['pending-deletion']);
    expect(health.details.deletionDate).toBe('2030-01-15T00:00:00.000Z');
    expect(health.details.daysLeft).toBe(5);
    expect(health.problems[0]?.message).toContain('2030-01-15');
    const error = await caught(wrapper.unwrap(wrapped, context));
    expect(error).toBeInstanceOf(KeyUnusableError);
    expect((error as KeyUnusableError).reason).toBe('pending-deletion');
  });

  it('shows rotation status as information', async () => {
    const rotating = await kmsWrapper(kms.createKey({ rotation: true }).keyId).health();
    expect(rotating.status).toBe('ok');
    expect(rotating.details.rotationEnabled).toBe(true);
    expect(rotating.details.rotationPeriodInDays).toBe(365);
    const imported = await kmsWrapper(kms.createKey({ origin: 'EXTERNAL' }).keyId).health();
    expect(imported.status).toBe('ok');
    expect(imported.details.rotationEnabled).toBeNull();
  });

  it.each<[string, Parameters<KmsWireServer['setFault']>[0], ErrorClass, string]>([
    ['access denied', { accessDenied: true }, AccessDeniedError, 'access-denied'],
    ['throttled', { throttle: true }, ThrottledError, 'unreachable'],
    ['a 500', { status5xx: 500 }, UnavailableError, 'unreachable'],
  ])('translates %s into a typed error, and health into a critical problem', async (_label, fault, type, code) => {
    const { keyId } = kms.createKey();
    const wrapper = kmsWrapper(keyId);
    const secret = randomBytes(33);
    kms.setFault(fault);
    try {
      const error = await caught(wrapper.wrap(secret, context));
      expect(error).toBeInstanceOf(type);
      expectCleanError(error, secret, 'aws-primary');
      const health = await wrapper.health();
      expect(health.status).toBe('critical');
      expect(problemCodes(health)).toEqual([code]);
    } finally {
      kms.setFault(undefined);
    }
  });

  it('tells a missing key from an unreachable service', async () => {
    const missing = kmsWrapper('1234abcd-12ab-34cd-56ef-1234567890ab');
    await expect(missing.wrap(randomBytes(33), context)).rejects.toBeInstanceOf(NotFoundError);
    expect(problemCodes(await missing.health())).toEqual(['not-found']);

    const closedPort = await unusedPort();
    const unreachable = kmsWrapper(kms.createKey().keyId, undefined, `http://127.0.0.1:${closedPort}`);
    const error = await caught(unreachable.wrap(randomBytes(33), context));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).not.toBeInstanceOf(NotFoundError);
    expect(problemCodes(await unreachable.health())).toEqual(['unreachable']);
  });

  it('pins the key on decrypt: a secret of another key is refused', async () => {
    const a = kms.createKey();
    const b = kms.createKey();
    const wrapped = await kmsWrapper(a.keyId).wrap(randomBytes(33), context);
    const other = kmsWrapper(b.keyId);
    await expect(other.unwrap(wrapped, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
    // Even when the record is edited to name key B, KMS refuses the pinned mismatch.
    await expect(other.unwrap({ ...wrapped, keyId: b.arn }, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
  });

  it("adds service: 'sealwatch' to the encryption context", async () => {
    const { keyId } = kms.createKey();
    const secret = randomBytes(33);
    const wrapped = await kmsWrapper(keyId).wrap(secret, context);
    const blob = Buffer.from(wrapped.ciphertext, 'base64');
    const client = kmsClient();
    const send = (ctx: Record<string, string>) => client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: blob, EncryptionContext: ctx }));
    await expect(send(context)).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    const out = await send({ ...context, service: 'sealwatch' });
    expect(Buffer.from(out.Plaintext ?? []).equals(secret)).toBe(true);
    await expect(kmsWrapper(keyId).wrap(secret, { ...context, service: 'other' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('works through an alias and records the key ARN', async () => {
    const key = kms.createKey({ alias: 'alias/sealwatch-custody' });
    const wrapper = kmsWrapper('alias/sealwatch-custody');
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    expect(wrapped.keyId).toBe(key.arn);
    expect(Buffer.from(await wrapper.unwrap(wrapped, context)).equals(secret)).toBe(true);
  });
});

describe('azure-keyvault key wrapper', () => {
  it('a disabled key: critical health, wrap and unwrap refused as disabled (not access denied)', async () => {
    const { name, url } = await freshKvKey();
    const wrapper = kvWrapper(url);
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    kv.setKeyAttributes(name, { enabled: false });
    expect(problemCodes(await wrapper.health())).toEqual(['disabled']);
    for (const attempt of [wrapper.wrap(secret, context), wrapper.unwrap(wrapped, context)]) {
      const error = await caught(attempt);
      expect(error).toBeInstanceOf(KeyUnusableError);
      expect((error as KeyUnusableError).reason).toBe('disabled');
      expectCleanError(error, secret, 'azure-primary');
    }
  });

  it('warns ahead of expiry and goes critical once expired, while old secrets still unwrap', async () => {
    const { name, url } = await freshKvKey();
    const wrapper = kvWrapper(url);
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    kv.setKeyAttributes(name, { exp: new Date(Date.now() + 5 * DAY) });
    const soon = await wrapper.health();
    expect(soon.status).toBe('warning');
    expect(problemCodes(soon)).toEqual(['expires-soon']);
    expect(soon.details.daysUntilExpiry).toBe(4);
    kv.setKeyAttributes(name, { exp: new Date(Date.now() - DAY) });
    const expired = await wrapper.health();
    expect(expired.status).toBe('critical');
    expect(problemCodes(expired)).toEqual(['expired']);
    await expect(wrapper.wrap(secret, context)).rejects.toBeInstanceOf(KeyUnusableError);
    // Key Vault still unwraps with an expired key, so custody survives a missed renewal.
    expect(Buffer.from(await wrapper.unwrap(wrapped, context)).equals(secret)).toBe(true);
  });

  it('a key not yet valid is critical and refuses wraps', async () => {
    const { name, url } = await freshKvKey();
    kv.setKeyAttributes(name, { nbf: new Date(Date.now() + DAY) });
    const wrapper = kvWrapper(url);
    expect(problemCodes(await wrapper.health())).toEqual(['not-yet-valid']);
    await expect(wrapper.wrap(randomBytes(33), context)).rejects.toBeInstanceOf(KeyUnusableError);
  });

  it('a key whose key_ops lack unwrapKey is critical and unwrap is refused', async () => {
    const { name, url } = await freshKvKey();
    const wrapper = kvWrapper(url);
    const wrapped = await wrapper.wrap(randomBytes(33), context);
    kv.setKeyAttributes(name, { keyOps: ['wrapKey', 'encrypt'] });
    const health = await wrapper.health();
    expect(health.status).toBe('critical');
    expect(problemCodes(health)).toEqual(['missing-key-ops']);
    expect(health.problems[0]?.message).toContain('unwrapKey');
    await expect(wrapper.unwrap(wrapped, context)).rejects.toBeInstanceOf(KeyUnusableError);
  });

  it('warns when the key can be purged (no purge protection)', async () => {
    const { name, url } = await freshKvKey();
    kv.setKeyAttributes(name, { recoveryLevel: 'Recoverable+Purgeable' });
    const health = await kvWrapper(url).health();
    expect(health.status).toBe('warning');
    expect(problemCodes(health)).toEqual(['purgeable']);
    expect(health.details.recoveryLevel).toBe('Recoverable+Purgeable');
  });

  it.each<[string, Parameters<KeyVaultWireServer['setFault']>[0], ErrorClass, string]>([
    ['forbidden (RBAC)', { forbidden: true }, AccessDeniedError, 'access-denied'],
    ['throttled', { throttle: true }, ThrottledError, 'unreachable'],
    ['a 503', { status5xx: 503 }, UnavailableError, 'unreachable'],
  ])('translates %s into a typed error, and health into a critical problem', async (_label, fault, type, code) => {
    const { url } = await freshKvKey();
    const wrapper = kvWrapper(url);
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    kv.setFault(fault);
    try {
      for (const attempt of [wrapper.wrap(secret, context), wrapper.unwrap(wrapped, context)]) {
        const error = await caught(attempt);
        expect(error).toBeInstanceOf(type);
        expect(error).not.toBeInstanceOf(KeyUnusableError);
        expectCleanError(error, secret, 'azure-primary');
      }
      expect(problemCodes(await wrapper.health())).toEqual([code]);
    } finally {
      kv.setFault(undefined);
    }
  });

  it('a failed wrap keeps no reference to the request that carried the data key', async () => {
    const { kid } = await freshKvKey();
    const wrapper = kvWrapper(kid); // versioned: no getKey, the fault hits wrapKey itself
    kv.setFault({ forbidden: true });
    try {
      const error = (await caught(wrapper.wrap(randomBytes(33), context))) as Error;
      expect(error.message).toContain('wrapKey failed');
      expect((error.cause as { request?: unknown }).request).toBeUndefined();
    } finally {
      kv.setFault(undefined);
    }
  });

  it('tells a missing key from an unreachable vault', async () => {
    const missing = kvWrapper(`${kv.vaultUrl}/keys/no-such-key`);
    await expect(missing.wrap(randomBytes(33), context)).rejects.toBeInstanceOf(NotFoundError);
    expect(problemCodes(await missing.health())).toEqual(['not-found']);
    const unreachable = kvWrapper(`https://127.0.0.1:${await unusedPort()}/keys/k`);
    await expect(unreachable.wrap(randomBytes(33), context)).rejects.toBeInstanceOf(UnavailableError);
    expect(problemCodes(await unreachable.health())).toEqual(['unreachable']);
  });

  it('after rotation, new wraps use the new version and old secrets unwrap with theirs', async () => {
    const { name, url, kid: v1 } = await freshKvKey();
    const wrapper = kvWrapper(url);
    const oldSecret = randomBytes(33);
    const old = await wrapper.wrap(oldSecret, context);
    expect(old.keyId).toBe(v1);
    const v2 = await kv.rotateKey(name);
    const fresh = await wrapper.wrap(randomBytes(33), context);
    expect(fresh.keyId).toBe(v2);
    const before = kv.requestLog.length;
    expect(Buffer.from(await wrapper.unwrap(old, context)).equals(oldSecret)).toBe(true);
    const v1Version = v1.split('/').at(-1);
    expect(kv.requestLog.slice(before).some((r) => r.path === `/keys/${name}/${v1Version}/unwrapkey` && r.status === 200)).toBe(true);
    // A wrapper pinned to v1 keeps wrapping with v1; one pinned to v2 still opens v1 secrets.
    expect((await kvWrapper(v1).wrap(randomBytes(33), context)).keyId).toBe(v1);
    expect(Buffer.from(await kvWrapper(v2).unwrap(old, context)).equals(oldSecret)).toBe(true);
  });

  it('refuses a record that names another key or vault', async () => {
    const a = await freshKvKey();
    const b = await freshKvKey();
    const wrapped = await kvWrapper(a.url).wrap(randomBytes(33), context);
    await expect(kvWrapper(b.url).unwrap(wrapped, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
    const elsewhere = { ...wrapped, keyId: wrapped.keyId.replace('127.0.0.1', 'evil.example') };
    await expect(kvWrapper(a.url).unwrap(elsewhere, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
  });

  it('rejects a key id that is not a Key Vault key URL', () => {
    for (const bad of ['https://vault.example/secrets/x', 'https://vault.example/keys/', 'not a url', 'https://v.example/keys/a/b/c']) {
      expect(() => kvWrapper(bad), bad).toThrow(ValidationError);
    }
  });
});

/** A port nobody listens on: bind, read it, close. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
