import { randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  EncryptCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsWireServer, type KmsWireServer } from '../support/kms-wire-server.ts';

// The wire server itself, driven by the real @aws-sdk/client-kms: protocol shapes, typed errors,
// and the SDK retry behaviour documented in kms-wire-server.ts.
let kms: KmsWireServer;
const clients: KMSClient[] = [];

beforeAll(async () => {
  kms = await startKmsWireServer();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await kms?.close();
});

function client(maxAttempts = 1): KMSClient {
  const c = new KMSClient({
    endpoint: kms.endpoint,
    region: kms.region,
    credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
    maxAttempts,
  });
  clients.push(c);
  return c;
}

const ctx = { cluster: 'c1', share: '1' };

describe('KMS wire server', () => {
  it('encrypts and decrypts with the context bound, and the blob names its key', async () => {
    const key = kms.createKey();
    const plaintext = randomBytes(33);
    const enc = await client().send(new EncryptCommand({ KeyId: key.keyId, Plaintext: plaintext, EncryptionContext: ctx }));
    expect(enc.KeyId).toBe(key.arn);
    // Decrypt without KeyId: the blob says which key, as in KMS.
    const dec = await client().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }));
    expect(Buffer.from(dec.Plaintext ?? []).equals(plaintext)).toBe(true);
    expect(dec.KeyId).toBe(key.arn);
    await expect(client().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { ...ctx, share: '2' } }))).rejects.toBeInstanceOf(
      InvalidCiphertextException,
    );
    const other = kms.createKey();
    await expect(client().send(new DecryptCommand({ KeyId: other.keyId, CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }))).rejects.toBeInstanceOf(
      IncorrectKeyException,
    );
    expect(JSON.stringify(kms.requestLog)).not.toContain(plaintext.toString('base64'));
  });

  it('raises the SDK typed exceptions and describes keys with epoch-second dates', async () => {
    const key = kms.createKey({ description: 'custody' });
    await expect(client().send(new DescribeKeyCommand({ KeyId: 'alias/none' }))).rejects.toBeInstanceOf(NotFoundException);
    kms.setKeyState(key.keyId, 'Disabled');
    await expect(client().send(new EncryptCommand({ KeyId: key.arn, Plaintext: randomBytes(4) }))).rejects.toBeInstanceOf(DisabledException);
    const deletionDate = new Date('2031-03-01T00:00:00.000Z');
    kms.setKeyState(key.keyId, 'PendingDeletion', { deletionDate });
    const meta = (await client().send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata;
    expect(meta?.KeyState).toBe('PendingDeletion');
    expect(meta?.DeletionDate?.toISOString()).toBe(deletionDate.toISOString());
    expect(meta?.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs((meta?.CreationDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    await expect(client().send(new EncryptCommand({ KeyId: key.keyId, Plaintext: randomBytes(4) }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.arn} is pending deletion.`,
    });
  });

  it('refuses unsigned requests', async () => {
    const response = await fetch(kms.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.DescribeKey', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ KeyId: kms.createKey().keyId }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  // Observed SDK behaviour (standard retry mode), recorded in kms-wire-server.ts. One failure
  // each: throttling backs off from a 500 ms base, so more would slow the suite for nothing.
  it.each([
    ['a 500 (KMSInternalException)', { status5xx: 500 }, 500],
    ['a ThrottlingException', { throttle: true }, 400],
  ])('the SDK retries %s', async (_label, fault, status) => {
    const key = kms.createKey();
    const before = kms.requestLog.length;
    kms.setFault({ ...fault, times: 1 });
    await client(3).send(new DescribeKeyCommand({ KeyId: key.keyId }));
    expect(kms.requestLog.slice(before).map((r) => r.status)).toEqual([status, 200]);
  });

  it('the SDK gives up after maxAttempts', async () => {
    const key = kms.createKey();
    const before = kms.requestLog.length;
    kms.setFault({ status5xx: 503, times: 5 });
    try {
      await expect(client(2).send(new DescribeKeyCommand({ KeyId: key.keyId }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      });
      expect(kms.requestLog.length - before).toBe(2);
    } finally {
      kms.setFault(undefined);
    }
  });

  it('the SDK does not retry access denied or a disabled key', async () => {
    const key = kms.createKey();
    let before = kms.requestLog.length;
    kms.setFault({ accessDenied: true, times: 1 });
    await expect(client(3).send(new DescribeKeyCommand({ KeyId: key.keyId }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(kms.requestLog.length - before).toBe(1);
    kms.setKeyState(key.keyId, 'Disabled');
    before = kms.requestLog.length;
    await expect(client(3).send(new EncryptCommand({ KeyId: key.keyId, Plaintext: randomBytes(4) }))).rejects.toBeInstanceOf(DisabledException);
    expect(kms.requestLog.length - before).toBe(1);
  });
});
