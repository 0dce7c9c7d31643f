import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor, memoizeRedactor, REDACTED, REDACTED_BINARY, redactDeep, secretForms } from '../../../shared/core/redact.ts';
import { scanForLeaks } from '../../support/leak-scan.ts';

const share = randomBytes(33);
const token = `hvs.${'aB3dE5gH7jK9mN1pQ3sT5vW7'}`;

describe('createRedactor: known secrets', () => {
  const redact = createRedactor([share.toString('hex'), token]);
  it.each([
    ['hex', share.toString('hex')],
    ['HEX', share.toString('hex').toUpperCase()],
    ['base64', share.toString('base64')],
    ['base64 unpadded', share.toString('base64').replace(/=+$/, '')],
    ['base64url', share.toString('base64url')],
    ['a 24-character fragment of the hex', share.toString('hex').slice(10, 34)],
    ['a 14-character fragment of the base64', share.toString('base64').slice(5, 19)],
    ['the token', token],
    ['the token in base64', Buffer.from(token).toString('base64')],
    ['the token in hex', Buffer.from(token).toString('hex')],
  ])('cuts out the %s form wherever it stands', (_form, text) => {
    const out = redact(`failed: "${text}" was not accepted`);
    expect(out).toContain(REDACTED);
    expect(
      scanForLeaks(
        [
          { label: 'share', value: share },
          { label: 'token', value: token },
        ],
        [{ source: 'out', text: out }],
      ),
    ).toEqual([]);
  });

  it('cuts out the raw bytes of a known share, and replaces any other text carrying raw bytes as a whole', () => {
    expect(redact(`version ${share.toString('latin1')}`)).toBe(`version ${REDACTED}`);
    const unknown = Buffer.from([0x9f, 0x01, 0x41, 0xe3, 0x7f, 0x42, 0x10, 0xc8]);
    expect(redact(`version ${unknown.toString('latin1')}`)).toBe(REDACTED_BINARY);
    expect(redact('abc\u0001def')).toBe(REDACTED_BINARY);
    expect(redact('mangled \ufffd\ufffd utf-8')).toBe(REDACTED_BINARY);
  });

  it('knows every form of a share given as bytes', () => {
    expect(secretForms(share)).toEqual(expect.arrayContaining([share.toString('hex'), share.toString('base64url'), share.toString('latin1')]));
  });
});

describe('createRedactor: key-like text of secrets it was not told about', () => {
  const redact = createRedactor();
  const other = randomBytes(33);
  it.each([
    ['hex', other.toString('hex')],
    ['base64', other.toString('base64')],
    ['base64url', other.toString('base64url')],
    ['a Vault token', 'hvs.CAESIJlWh1c2Zl9x2rKtWqD3mN5b'],
    ['an old-style token', 's.Qf1s5zigZ4OX6akYjQXJC1jY'],
  ])('cuts out a %s', (_form, text) => {
    expect(redact(`echo ${text} end`)).toBe(`echo ${REDACTED} end`);
  });

  it.each([
    [
      'the 1.16 seal-wrap text',
      'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: error decrypting seal wrapped value\nerror decrypting using seal shamir: cipher: message authentication failed',
    ],
    ['a UUID nonce', '0b8c1d0e-5d29-4d1a-9b22-4f3e2f7a1c11'],
    ['a cluster name', 'vault-cluster-336172e1'],
    ['a version with metadata', '1.19.0-beta1+ent.hsm'],
    ['an RFC 3339 time', '2024-03-19T20:14:11.831678Z'],
    [
      'a join failure with a URL',
      'failed to send answer to raft leader node: Error making API request.\n\nURL: PUT http://vault2:8200/v1/sys/storage/raft/bootstrap/answer\nCode: 500',
    ],
    [
      'an AWS error',
      'failed to decrypt encrypted stored keys: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/vault/i-0abc12de is not authorized',
    ],
    ['a multierror', '1 error occurred:\n\t* permission denied\n\n'],
    ['a Go duration', '516.49595ms'],
  ])('leaves %s alone', (_what, text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('redactDeep', () => {
  it('filters every string of a JSON value, keys included', () => {
    const hex = share.toString('hex');
    const out = redactDeep(JSON.parse(JSON.stringify({ version: hex, list: [1, hex, { [hex]: true }], sealed: true })), createRedactor());
    expect(out).toEqual({ version: REDACTED, list: [1, REDACTED, { [REDACTED]: true }], sealed: true });
  });
});

describe('memoizeRedactor', () => {
  it('answers exactly as the filter it wraps, for repeated, long and key-like texts, also after its memory fills', () => {
    const plain = createRedactor();
    let calls = 0;
    const counted = (text: string) => {
      calls += 1;
      return plain(text);
    };
    const memo = memoizeRedactor(counted, 3, 64);
    const hex = share.toString('hex');
    const texts = [hex, 'replication_performance_mode', '1.19.0', hex, 'x'.repeat(65) + hex, 'replication_performance_mode', 'a', 'b', 'c', hex, hex];
    for (const text of texts) expect(memo(text)).toBe(plain(text));
    expect(memo(hex)).toBe(REDACTED);
    // Repeats within the memory are not filtered again; texts past maxLength always are.
    expect(calls).toBeLessThan(texts.length + 1);
    expect(calls).toBeGreaterThanOrEqual(new Set(texts).size);
  });
});
