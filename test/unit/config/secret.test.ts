import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeKeyText } from '../../../shared/config/key-text.ts';
import { Secret } from '../../../shared/config/secret.ts';

const VALUE = 'hunter2-but-longer-and-secret';

describe('Secret', () => {
  it('reveals its value only through reveal()', () => {
    const secret = new Secret(VALUE);
    expect(secret.reveal()).toBe(VALUE);
    expect(Object.keys(secret)).toEqual([]);
  });

  it.each([
    ['JSON.stringify', (s: Secret) => JSON.stringify({ s })],
    ['util.inspect', (s: Secret) => inspect({ s }, { depth: 5, showHidden: true })],
    ['template literal', (s: Secret) => `${s}`],
    ['String()', (s: Secret) => String(s)],
    ['string concatenation', (s: Secret) => 'x' + s],
  ])('prints [secret] via %s', (_how, render) => {
    const text = render(new Secret(VALUE));
    expect(text).toContain('[secret]');
    expect(text).not.toContain(VALUE);
  });
});

describe('decodeKeyText', () => {
  const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  it.each([
    ['hex', Buffer.from(bytes).toString('hex')],
    ['upper-case hex', Buffer.from(bytes).toString('hex').toUpperCase()],
    ['base64', Buffer.from(bytes).toString('base64')],
    ['base64 without padding', Buffer.from(bytes).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(bytes).toString('base64url')],
  ])('decodes %s', (_kind, text) => {
    expect(decodeKeyText(`${text}\n`)).toEqual(bytes);
  });

  it.each([
    ['31 bytes of hex', 'ab'.repeat(31)],
    ['33 bytes of base64', Buffer.alloc(33).toString('base64')],
    ['not an encoding', 'z'.repeat(64)],
    ['empty', ''],
  ])('rejects %s', (_kind, text) => {
    expect(decodeKeyText(text)).toBeUndefined();
  });
});
