import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureKeyVaultKeyWrapper } from '../../shared/adapters/azure-keyvault-key-wrapper.ts';
import { startKeyVaultWireServer, type KeyVaultWireServer } from '../support/keyvault-wire-server.ts';

// The wire server itself, over raw HTTPS: the bearer challenge, key bundles with real RSA public
// keys, RSA-OAEP-256 wrap/unwrap, Key Vault's error bodies. Plus the plain-HTTP variant.
let kv: KeyVaultWireServer;

beforeAll(async () => {
  kv = await startKeyVaultWireServer();
});
afterAll(async () => {
  await kv?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: the wire server's JSON bodies differ per operation
  body: any;
}

function call(method: string, path: string, body?: unknown, token = 'test-token'): Promise<Answer> {
  const url = new URL(`${path}?api-version=7.6`, kv.vaultUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: kv.ca,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('Key Vault wire server', () => {
  it('challenges an unauthenticated request with 401 and the Key Vault resource', async () => {
    await kv.createKey('challenge');
    const answer = await call('GET', '/keys/challenge', undefined, '');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/,
    );
  });

  it('serves a real RSA-2048 public key and wraps with RSA-OAEP-256 under it', async () => {
    const kid = await kv.createKey('rsa');
    const got = await call('GET', '/keys/rsa');
    expect(got.status).toBe(200);
    expect(got.body.key.kid).toBe(kid);
    expect(got.body.attributes).toMatchObject({ enabled: true, recoveryLevel: 'Recoverable', recoverableDays: 90 });
    expect(typeof got.body.attributes.created).toBe('number');
    const publicKey = createPublicKey({ key: { kty: 'RSA', n: got.body.key.n, e: got.body.key.e }, format: 'jwk' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    // Wrapped locally with the served public key, unwrapped by the server: it holds the private half.
    const dataKey = randomBytes(32);
    const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey);
    const version = kid.split('/').at(-1);
    const unwrapped = await call('POST', `/keys/rsa/${version}/unwrapkey`, { alg: 'RSA-OAEP-256', value: wrapped.toString('base64url') });
    expect(unwrapped.status).toBe(200);
    expect(unwrapped.body.kid).toBe(kid);
    expect(Buffer.from(unwrapped.body.value, 'base64url').equals(dataKey)).toBe(true);
    const bad = await call('POST', `/keys/rsa/${version}/unwrapkey`, { alg: 'RSA-OAEP-256', value: randomBytes(256).toString('base64url') });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BadParameter');
  });

  it("answers with Key Vault's error bodies", async () => {
    const missing = await call('GET', '/keys/none');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('KeyNotFound');
    await kv.createKey('off', { enabled: false });
    const off = await call('POST', '/keys/off//wrapkey', { alg: 'RSA-OAEP-256', value: randomBytes(32).toString('base64url') });
    expect(off.status).toBe(403);
    expect(off.body.error).toMatchObject({ code: 'Forbidden', message: 'Operation wrapKey is not allowed on a disabled key.' });
    kv.setFault({ throttle: true, times: 1 });
    const throttled = await call('GET', '/keys/off');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBeDefined();
    expect((await call('GET', '/keys/off')).status).toBe(200);
  });

  it('keeps old versions usable after rotation and serves the newest by default', async () => {
    const v1 = await kv.createKey('rotating');
    const wrapV1 = await call('POST', `/keys/rotating/${v1.split('/').at(-1)}/wrapkey`, { alg: 'RSA-OAEP-256', value: 'AAEC' });
    const v2 = await kv.rotateKey('rotating');
    expect(v2).not.toBe(v1);
    expect((await call('GET', '/keys/rotating')).body.key.kid).toBe(v2);
    const back = await call('POST', `/keys/rotating/${v1.split('/').at(-1)}/unwrapkey`, { alg: 'RSA-OAEP-256', value: wrapV1.body.value });
    expect(back.body.value).toBe('AAEC');
    const wrongVersion = await call('POST', `/keys/rotating/${v2.split('/').at(-1)}/unwrapkey`, { alg: 'RSA-OAEP-256', value: wrapV1.body.value });
    expect(wrongVersion.status).toBe(400);
  });

  it('serves plain HTTP for clients configured with allowInsecureConnection', async () => {
    const plain = await startKeyVaultWireServer({ protocol: 'http' });
    try {
      await plain.createKey('plain');
      const wrapper = createAzureKeyVaultKeyWrapper({
        id: 'azure-http',
        keyId: `${plain.vaultUrl}/keys/plain`,
        credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3.6e6 }) },
        clientOptions: { allowInsecureConnection: true, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
      });
      const secret = randomBytes(33);
      const wrapped = await wrapper.wrap(secret, { cluster: 'c' });
      expect(Buffer.from(await wrapper.unwrap(wrapped, { cluster: 'c' })).equals(secret)).toBe(true);
      expect(plain.ca).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
