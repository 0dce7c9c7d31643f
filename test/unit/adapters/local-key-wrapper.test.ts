import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLocalKeyWrapper, localKeyFingerprint, parseLocalKey } from '../../../shared/adapters/local-key-wrapper.ts';
import { CiphertextInvalidError, UnavailableError, ValidationError } from '../../../shared/errors.ts';

const context = { cluster: 'dev', share: '1', purpose: 'unseal-share' };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return `${(error as Error).message} ${JSON.stringify(error)}`;
  }
  throw new Error('expected a ValidationError');
}

describe('createLocalKeyWrapper', () => {
  it.each([0, 16, 31, 33, 64])('rejects a %i-byte key without printing it', (size) => {
    const key = randomBytes(size);
    const text = messageOf(() => createLocalKeyWrapper({ id: 'dev', key }));
    expect(text).toContain('32 bytes');
    if (size > 0) {
      for (const shown of [key.toString('hex'), key.toString('base64'), key.toString('hex').slice(0, 16)]) {
        expect(text.includes(shown)).toBe(false);
      }
    }
  });

  it('names keys by a short fingerprint, stable per key and distinct across keys', async () => {
    const key = randomBytes(32);
    const wrapper = createLocalKeyWrapper({ id: 'dev', key });
    expect(wrapper.kind).toBe('local');
    expect(localKeyFingerprint(key)).toMatch(/^local-[0-9a-f]{8}$/);
    await expect(createLocalKeyWrapper({ id: 'other-name', key: Buffer.from(key) }).health()).resolves.toMatchObject({
      keyId: localKeyFingerprint(key),
    });
    expect(localKeyFingerprint(randomBytes(32))).not.toBe(localKeyFingerprint(key));
    expect(key.toString('hex')).not.toContain(localKeyFingerprint(key).slice(6));
  });

  it('keeps its own copy of the key, so the caller may zero theirs', async () => {
    const key = randomBytes(32);
    const wrapper = createLocalKeyWrapper({ id: 'dev', key });
    const secret = randomBytes(33);
    const wrapped = await wrapper.wrap(secret, context);
    key.fill(0);
    expect(Buffer.from(await wrapper.unwrap(wrapped, context)).equals(secret)).toBe(true);
  });

  it('refuses a secret wrapped under another local key, naming the key it needs', async () => {
    const a = createLocalKeyWrapper({ id: 'dev', key: randomBytes(32) });
    const b = createLocalKeyWrapper({ id: 'dev', key: randomBytes(32) });
    const wrapped = await a.wrap(randomBytes(33), context);
    await expect(b.unwrap(wrapped, context)).rejects.toThrow(CiphertextInvalidError);
    await expect(b.unwrap(wrapped, context)).rejects.toThrow(wrapped.keyId);
    // Relabelled to B's key id, the GCM tag still fails.
    await expect(b.unwrap({ ...wrapped, keyId: (await b.health()).keyId }, context)).rejects.toThrow(CiphertextInvalidError);
  });

  it('refuses empty secrets and aborted calls', async () => {
    const wrapper = createLocalKeyWrapper({ id: 'dev', key: randomBytes(32) });
    await expect(wrapper.wrap(new Uint8Array(0), context)).rejects.toThrow(ValidationError);
    await expect(wrapper.wrap(randomBytes(33), context, AbortSignal.abort())).rejects.toThrow(UnavailableError);
  });
});

describe('parseLocalKey', () => {
  const key = randomBytes(32);

  it.each([
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64', key.toString('base64')],
    ['base64 without padding', key.toString('base64').replace(/=$/, '')],
    ['base64url', key.toString('base64url')],
    ['with surrounding whitespace', `  ${key.toString('base64')}\n`],
  ])('accepts %s', (_label, text) => {
    expect(Buffer.from(parseLocalKey(text)).equals(key)).toBe(true);
  });

  it.each([
    ['31 bytes of hex', randomBytes(31).toString('hex')],
    ['33 bytes of base64', randomBytes(33).toString('base64')],
    ['a passphrase', 'correct horse battery staple correct horse!'],
    ['empty', ''],
    ['hex with a stray character', `${key.toString('hex').slice(0, 63)}g`],
  ])('rejects %s without echoing it', (_label, text) => {
    const message = messageOf(() => parseLocalKey(text));
    if (text.length > 0) expect(message.includes(text.trim())).toBe(false);
  });
});
