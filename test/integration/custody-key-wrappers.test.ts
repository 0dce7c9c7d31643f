import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../shared/config/secret.ts';
import type { WrapperConfig } from '../../shared/config/types.ts';
import { shareContext } from '../../shared/core/custody-types.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createKeyWrappers, providerOf, type KeyWrapperRegistry } from '../../shared/runtime/key-wrappers.ts';
import { startKeyVaultWireServer, type KeyVaultWireServer } from '../support/keyvault-wire-server.ts';
import { startKmsWireServer, type KmsWireServer } from '../support/kms-wire-server.ts';

// The wrapper registry built from `config.wrappers`: one of each kind against the KMS and Key
// Vault wire servers, driven through the real SDK clients.

let kms: KmsWireServer;
let kv: KeyVaultWireServer;
const registries: KeyWrapperRegistry[] = [];
const credential = { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3.6e6 }) };

beforeAll(async () => {
  [kms, kv] = await Promise.all([startKmsWireServer(), startKeyVaultWireServer({ protocol: 'http' })]);
  await kv.createKey('custody');
});
afterAll(async () => {
  for (const r of registries) await r.close();
  await Promise.all([kms?.close(), kv?.close()]);
});

function configs(): WrapperConfig[] {
  return [
    { id: 'dev', kind: 'local', local: { key: new Secret(randomBytes(32).toString('base64')) } },
    { id: 'aws', kind: 'aws-kms', awsKms: { keyId: kms.createKey().arn, region: kms.region, endpoint: kms.endpoint } },
    {
      id: 'azure',
      kind: 'azure-keyvault',
      azureKeyVault: {
        vaultUrl: kv.vaultUrl,
        keyName: 'custody',
        credential: { kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: new Secret('s') },
      },
    },
  ];
}

function build(list = configs()): KeyWrapperRegistry {
  const r = createKeyWrappers(list, {
    env: { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' },
    kmsMaxAttempts: 1,
    azureMaxRetries: 0,
    azureCredential: () => credential,
  });
  registries.push(r);
  return r;
}

describe('createKeyWrappers', () => {
  it('builds one working wrapper per config entry, in config order', async () => {
    const r = build();
    expect(r.ids()).toEqual(['dev', 'aws', 'azure']);
    expect(r.all().map((w) => w.kind)).toEqual(['local', 'aws-kms', 'azure-keyvault']);
    const context = shareContext('prod', 'unseal', 2);
    for (const id of r.ids()) {
      const share = Uint8Array.from(randomBytes(33));
      const wrapped = await r.get(id)!.wrap(share, context);
      expect(wrapped.wrapper).toBe(id);
      expect(Buffer.from(await r.get(id)!.unwrap(wrapped, context)).equals(Buffer.from(share))).toBe(true);
    }
    expect((await r.get('azure')!.health()).status).toBe('ok');
  });

  it('names the provider each wrapper depends on', () => {
    const [local, aws, azure] = configs();
    expect(providerOf(local!)).toBe('local:sealwatch-config');
    expect(providerOf(aws!)).toBe(`aws-kms:${new URL(kms.endpoint).host}`);
    expect(providerOf(azure!)).toBe(`azure-keyvault:${new URL(kv.vaultUrl).host}`);
    const byArn: WrapperConfig = {
      id: 'a',
      kind: 'aws-kms',
      awsKms: { keyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', region: 'eu-west-1' },
    };
    const byAlias: WrapperConfig = { id: 'b', kind: 'aws-kms', awsKms: { keyId: 'alias/custody', region: 'eu-west-1' } };
    expect(providerOf(byArn)).toBe('aws-kms:account:123456789012');
    expect(providerOf(byAlias)).toBe('aws-kms:account:default');
    expect(
      build()
        .facts()
        .map((f) => [f.id, f.kind]),
    ).toEqual([
      ['dev', 'local'],
      ['aws', 'aws-kms'],
      ['azure', 'azure-keyvault'],
    ]);
  });

  it('refuses bad local key text without echoing it', () => {
    const text = 'not-a-key-but-secret-looking-text';
    let caught: unknown;
    try {
      build([{ id: 'dev', kind: 'local', local: { key: new Secret(text) } }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(String((caught as Error).message)).not.toContain(text);
  });
});
