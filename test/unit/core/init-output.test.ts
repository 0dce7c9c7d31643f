import { randomBytes } from 'node:crypto';
import { split } from 'shamir-secret-sharing';
import { beforeAll, describe, expect, it } from 'vitest';
import { initOutputFromResponse, parseInitOutput } from '../../../shared/core/init-output.ts';
import { validateShares } from '../../../shared/core/share-validation.ts';
import { ValidationError } from '../../../shared/errors.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

let shares: Uint8Array[];
let recovery: Uint8Array[];
let single: Uint8Array;

beforeAll(async () => {
  shares = await split(Uint8Array.from(randomBytes(32)), 5, 3);
  recovery = await split(Uint8Array.from(randomBytes(32)), 4, 2);
  single = randomBytes(32);
});

/** Every string form a share could be written in, for leak checks on error messages. */
function forms(list: Uint8Array[]): string[] {
  return list.flatMap((s) => [hex(s), hex(s).toUpperCase(), b64(s), Buffer.from(s).toString('base64url')]);
}

function expectProblem(input: string, pattern: RegExp, secrets: Uint8Array[] = shares): ValidationError {
  let caught: unknown;
  try {
    parseInitOutput(input);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  const text = [error.message, ...error.problems].join('\n');
  expect(text).toMatch(pattern);
  for (const form of forms(secrets)) expect(text).not.toContain(form);
  return error;
}

describe('parseInitOutput: accepted shapes', () => {
  it.each([
    [
      'CLI, base64 and hex',
      () => ({
        unseal_keys_b64: shares.map(b64),
        unseal_keys_hex: shares.map(hex),
        unseal_shares: 5,
        unseal_threshold: 3,
        recovery_keys_b64: [],
        recovery_keys_hex: [],
        recovery_keys_shares: 5,
        recovery_keys_threshold: 3,
        root_token: 'hvs.root',
      }),
      'cli',
      3,
    ],
    ['CLI, base64 only', () => ({ unseal_keys_b64: shares.map(b64), unseal_threshold: 3 }), 'cli', 3],
    ['CLI, hex only (upper case)', () => ({ unseal_keys_hex: shares.map((s) => hex(s).toUpperCase()), unseal_threshold: 3 }), 'cli', 3],
    ['HTTP sys/init', () => ({ keys: shares.map(hex), keys_base64: shares.map(b64), root_token: 'hvs.root' }), 'http', undefined],
    ['HTTP, base64 only', () => ({ keys_base64: shares.map(b64) }), 'http', undefined],
  ] as const)('%s', (_name, build, format, threshold) => {
    const out = parseInitOutput(JSON.stringify(build()));
    expect(out.format).toBe(format);
    expect(out.kind).toBe('unseal');
    expect(out.threshold).toBe(threshold);
    expect(out.shares.map(hex)).toEqual(shares.map(hex));
  });

  it('CLI output of an auto-unseal init: recovery keys, unseal fields forced to 1/1 and empty', () => {
    const out = parseInitOutput(
      JSON.stringify({
        unseal_keys_b64: [],
        unseal_keys_hex: [],
        unseal_shares: 1,
        unseal_threshold: 1,
        recovery_keys_b64: recovery.map(b64),
        recovery_keys_hex: recovery.map(hex),
        recovery_keys_shares: 4,
        recovery_keys_threshold: 2,
        root_token: 'hvs.root',
      }),
    );
    expect(out).toMatchObject({ format: 'cli', kind: 'recovery', threshold: 2, declaredShares: 4, rootToken: 'hvs.root' });
    expect(out.shares.map(hex)).toEqual(recovery.map(hex));
  });

  it('HTTP answer of an auto-unseal init: keys [] plus recovery_keys', () => {
    const out = parseInitOutput(
      JSON.stringify({ keys: [], keys_base64: [], recovery_keys: recovery.map(hex), recovery_keys_base64: recovery.map(b64), root_token: 't' }),
    );
    expect(out).toMatchObject({ format: 'http', kind: 'recovery' });
    expect(out.threshold).toBeUndefined();
    expect(out.shares.map(hex)).toEqual(recovery.map(hex));
  });

  it('1-of-1: the 32-byte key itself (64 hex / 44 base64 with one =)', () => {
    const out = parseInitOutput(JSON.stringify({ unseal_keys_b64: [b64(single)], unseal_keys_hex: [hex(single)], unseal_shares: 1, unseal_threshold: 1 }));
    expect(b64(single)).toMatch(/=$/);
    expect(out.shares).toHaveLength(1);
    expect(validateShares(out.shares, 1)).toEqual({ shares: 1, threshold: 1, shareLength: 32 });
  });

  it('initOutputFromResponse reads our own client`s sys/init answer', () => {
    const out = initOutputFromResponse({ keys: shares.map(hex), keysBase64: shares.map(b64), rootToken: 'hvs.x' });
    expect(out).toMatchObject({ format: 'http', kind: 'unseal', rootToken: 'hvs.x' });
    expect(out.shares.map(b64)).toEqual(shares.map(b64));
  });
});

describe('parseInitOutput: refused inputs name the problem, never a share', () => {
  it.each([
    ['not JSON', () => `{"unseal_keys_b64": ["${b64(shares[0]!)}"`, /not JSON/],
    ['a JSON array', () => JSON.stringify(shares.map(b64)), /JSON object/],
    ['no key fields at all', () => JSON.stringify({ root_token: 'x' }), /no key shares/],
    ['every list empty (stored or PGP-less output)', () => JSON.stringify({ keys: [], keys_base64: [] }), /no key shares|lists no key shares/],
    ['CLI and HTTP fields mixed', () => JSON.stringify({ unseal_keys_b64: shares.map(b64), keys: shares.map(hex) }), /mixes/],
    [
      'both unseal and recovery keys',
      () => JSON.stringify({ unseal_keys_b64: shares.map(b64), recovery_keys_b64: shares.map(b64) }),
      /both unseal and recovery/,
    ],
    [
      'hex and base64 disagree on share 2',
      () => JSON.stringify({ unseal_keys_hex: shares.map(hex), unseal_keys_b64: [b64(shares[0]!), b64(shares[2]!), ...shares.slice(2).map(b64)] }),
      /share 2: .* different keys/,
    ],
    [
      'hex and base64 lists of different lengths',
      () => JSON.stringify({ keys: shares.map(hex), keys_base64: shares.slice(1).map(b64) }),
      /has 5 keys but keys_base64 has 4/,
    ],
    ['a key that is not hex', () => JSON.stringify({ keys: [hex(shares[0]!), `${hex(shares[1]!).slice(0, -1)}g`] }), /keys\[1\] \(share 2\): not hex/],
    [
      'url-safe base64 (sys/unseal would refuse it)',
      () => JSON.stringify({ keys_base64: [Buffer.from([0xfb, 0xff, ...shares[0]!.slice(2)]).toString('base64url')] }),
      /not standard base64/,
    ],
    ['unpadded base64 of the 1-of-1 key', () => JSON.stringify({ keys_base64: [b64(single).replace(/=$/, '')] }), /not standard base64/],
    ['keys not a list of strings', () => JSON.stringify({ keys_base64: [1, 2] }), /must be a list of strings/],
    ['threshold not a number', () => JSON.stringify({ unseal_keys_b64: shares.map(b64), unseal_threshold: '3' }), /unseal_threshold: must be a whole number/],
    [
      'declared share count disagrees with the list',
      () => JSON.stringify({ unseal_keys_b64: shares.map(b64), unseal_shares: 6, unseal_threshold: 3 }),
      /says 6 but 5 keys/,
    ],
  ] as const)('%s', (_name, build, pattern) => {
    expectProblem(build(), pattern, [...shares, single]);
  });
});

describe('validateShares: shape rules of Vault share sets', () => {
  const set = () => shares.map((s) => Uint8Array.from(s));
  it.each([
    [
      'duplicate x-coordinate',
      () => {
        const s = set();
        s[3]![32] = s[1]![32]!;
        return [s, 3] as const;
      },
      /shares 2 and 4 have the same x-coordinate/,
    ],
    [
      'a share copied twice',
      () => {
        const s = set();
        s[4] = Uint8Array.from(s[0]!);
        return [s, 3] as const;
      },
      /shares 1 and 5 have the same x-coordinate/,
    ],
    [
      'unequal lengths',
      () => {
        const s = set();
        s[2] = s[2]!.slice(0, 32);
        return [s, 3] as const;
      },
      /share 3: 32 bytes, expected 33.*|different lengths/,
    ],
    ['32-byte shares when there are several', () => [set().map((s) => s.slice(0, 32)), 3] as const, /share 1: 32 bytes, expected 33/],
    ['34-byte shares', () => [set().map((s) => Uint8Array.from([...s, 1])), 3] as const, /34 bytes, expected 33/],
    ['a 33-byte share as the only share', () => [[set()[0]!], 1] as const, /33 bytes, expected 32/],
    ['threshold above the share count', () => [set(), 6] as const, /threshold 6 is larger than the 5 shares/],
    ['threshold 1 with several shares', () => [set(), 1] as const, /threshold above 1/],
    [
      'x-coordinate 0',
      () => {
        const s = set();
        s[0]![32] = 0;
        return [s, 3] as const;
      },
      /share 1: x-coordinate .* is 0/,
    ],
    ['PGP-encrypted shares', () => [set().map(() => randomBytes(300)), 3] as const, /PGP-encrypted shares cannot be imported/],
  ] as const)('%s', (_name, build, pattern) => {
    const [list, t] = build();
    let caught: unknown;
    try {
      validateShares(list, t);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const text = (caught as ValidationError).problems.join('\n');
    expect(text).toMatch(pattern);
    for (const form of forms(list as Uint8Array[])) expect(text).not.toContain(form);
  });

  it('accepts what split produces', () => {
    expect(validateShares(shares, 3)).toEqual({ shares: 5, threshold: 3, shareLength: 33 });
    expect(validateShares(shares, 5)).toEqual({ shares: 5, threshold: 5, shareLength: 33 });
  });
});
