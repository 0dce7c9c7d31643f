import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesGcmOpen, aesGcmSeal, decodeEnvelope, encodeEnvelope } from '../../../shared/adapters/aes-gcm-envelope.ts';
import { assertWrappable, bindContext, canonicalContext } from '../../../shared/adapters/wrap-context.ts';
import { CiphertextInvalidError, ValidationError } from '../../../shared/errors.ts';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('canonicalContext', () => {
  it('is independent of insertion order, integer-like keys included', () => {
    const a = canonicalContext({ share: '3', cluster: 'prod', '10': 'x', '2': 'y' });
    const b = canonicalContext({ '2': 'y', cluster: 'prod', '10': 'x', share: '3' });
    expect(text(a)).toBe(text(b));
    // Sorted by key as strings: '10' < '2' < 'cluster' < 'service' < 'share'.
    expect(text(a)).toBe('sealwatch-wrap-context/v1\n[["10","x"],["2","y"],["cluster","prod"],["service","sealwatch"],["share","3"]]');
  });

  it.each([
    [{ a: 'b,c' }, { a: 'b', c: '' }],
    [{ a: 'x"y' }, { 'a":"x': 'y' }],
    [{ share: '1' }, { share: '1 ' }],
  ])('gives distinct bytes for distinct contexts %#', (x, y) => {
    expect(text(canonicalContext(x))).not.toBe(text(canonicalContext(y)));
  });

  it("binds service: 'sealwatch' and refuses another service value", () => {
    expect(bindContext({ cluster: 'c' })).toEqual({ cluster: 'c', service: 'sealwatch' });
    expect(bindContext({ service: 'sealwatch' })).toEqual({ service: 'sealwatch' });
    expect(() => bindContext({ service: 'other' })).toThrow(ValidationError);
  });

  it('refuses empty keys and non-string values, listing every problem', () => {
    try {
      bindContext({ '': 'x', share: 3 as unknown as string });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).problems).toHaveLength(2);
    }
  });
});

describe('assertWrappable', () => {
  it('accepts 1..4096 bytes only', () => {
    expect(() => assertWrappable(new Uint8Array(1), 'w')).not.toThrow();
    expect(() => assertWrappable(new Uint8Array(4096), 'w')).not.toThrow();
    expect(() => assertWrappable(new Uint8Array(0), 'w')).toThrow(ValidationError);
    expect(() => assertWrappable(new Uint8Array(4097), 'w')).toThrow(ValidationError);
    expect(() => assertWrappable('secret' as unknown as Uint8Array, 'w')).toThrow(ValidationError);
  });
});

describe('AES-GCM envelope', () => {
  const key = randomBytes(32);
  const aad = canonicalContext({ cluster: 'c' });

  it('round-trips through the encoded envelope and fails under another AAD or key', () => {
    const secret = randomBytes(33);
    const encoded = encodeEnvelope(aesGcmSeal(key, secret, aad));
    const parts = decodeEnvelope(encoded, false, 'w');
    expect(Buffer.from(aesGcmOpen(key, parts, aad, 'w')).equals(secret)).toBe(true);
    expect(() => aesGcmOpen(key, parts, canonicalContext({ cluster: 'd' }), 'w')).toThrow(CiphertextInvalidError);
    expect(() => aesGcmOpen(randomBytes(32), parts, aad, 'w')).toThrow(CiphertextInvalidError);
  });

  it('is base64 of a versioned JSON object', () => {
    const json = JSON.parse(Buffer.from(encodeEnvelope(aesGcmSeal(key, randomBytes(8), aad)), 'base64').toString('utf8'));
    expect(Object.keys(json).sort()).toEqual(['alg', 'ct', 'iv', 'tag', 'v']);
    expect(json).toMatchObject({ v: 1, alg: 'A256GCM' });
    expect(Buffer.from(json.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(json.tag, 'base64')).toHaveLength(16);
  });

  const reencode = (patch: Record<string, unknown>): string => {
    const json = JSON.parse(Buffer.from(encodeEnvelope(aesGcmSeal(key, randomBytes(8), aad)), 'base64').toString('utf8'));
    return Buffer.from(JSON.stringify({ ...json, ...patch }), 'utf8').toString('base64');
  };

  it.each<[string, string, boolean]>([
    ['unknown version', reencode({ v: 2 }), false],
    ['unknown algorithm', reencode({ alg: 'A128GCM' }), false],
    ['short iv', reencode({ iv: 'AAAA' }), false],
    ['non-base64 tag', reencode({ tag: '***' }), false],
    ['wrapped key where none belongs', reencode({ wk: 'AAAA', walg: 'RSA-OAEP-256' }), false],
    ['missing wrapped key', reencode({}), true],
    ['not JSON', Buffer.from('hello').toString('base64'), false],
    ['a JSON array', Buffer.from('[1]').toString('base64'), false],
    ['empty', '', false],
  ])('refuses %s', (_label, encoded, expectWrappedKey) => {
    expect(() => decodeEnvelope(encoded, expectWrappedKey, 'w')).toThrow(CiphertextInvalidError);
  });
});
