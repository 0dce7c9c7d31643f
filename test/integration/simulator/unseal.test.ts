// Pins `PUT /v1/sys/unseal` (Vault `http/sys_seal.go` handleSysUnseal, `vault/core.go` unsealFragment @ v1.14.9; Vault `http/sys_seal_test.go` @ v1.14.9) step by step, with real shares.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../../shared/simulator/index.ts';
import { body, call, errorsOf, keys, token, unsealWith, url, useCluster, withCluster } from './http.ts';

// 1.19 / 1.15.4 seal-wrap form: hashicorp/vault `vault/seal/seal.go` JoinSealWrapErrors, `vault/seal.go` readStoredKeys.
const WRONG_KEY_SEAL_WRAP =
  'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: error decrypting seal wrapped value\nerror decrypting using seal shamir: cipher: message authentication failed';
// 1.12: `vault/core.go` @ git 4891122917^ (no ErrInvalidKey, handler default 500). Other versions: unseal-versions.test.ts.
const WRONG_KEY_500 = 'unable to retrieve stored keys: failed to decrypt keys from storage: cipher: message authentication failed';
const MUST_SPECIFY = "'key' must be specified in request body as JSON, or 'reset' set to true";
const BAD_ENCODING = "'key' must be a valid hex or base64 string";

const unseal = (base: string, payload: unknown) => call(base, 'PUT', 'sys/unseal', { body: payload });
const hexToB64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('unseal request validation (Vault 1.19, node sealed)', () => {
  const get = useCluster({ profile: 'vault-1.19', nodes: 2 });
  let cluster: SimulatedCluster;
  let node: string;
  beforeEach(() => {
    cluster = get();
    cluster.nodes[1]?.seal();
    node = url(cluster, 1);
  });

  it.each([
    ['empty body', { rawBody: '' }, 'EOF'],
    ['whitespace body', { rawBody: '  \n' }, 'EOF'],
    ['{}', { body: {} }, MUST_SPECIFY],
    ['empty key', { body: { key: '' } }, MUST_SPECIFY],
    ['not hex nor base64', { body: { key: 'not-hex-or-b64!' } }, BAD_ENCODING],
    ['URL-safe base64', { body: { key: Buffer.alloc(33, 0xfb).toString('base64url') } }, BAD_ENCODING],
    ['unpadded base64', { body: { key: Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '') } }, BAD_ENCODING],
    ['odd-length hex', { body: { key: 'abc'.repeat(11) } }, BAD_ENCODING],
    ['short base64 (10 bytes)', { body: { key: Buffer.alloc(10, 1).toString('base64') } }, 'invalid key: key is shorter than minimum 16 bytes'],
    ['long base64 (40 bytes)', { body: { key: Buffer.alloc(40, 1).toString('base64') } }, 'invalid key: key is longer than maximum 33 bytes'],
    ['migrate without migration', { body: { key: 'ab'.repeat(33), migrate: true } }, "can't perform a seal migration, no migration seal found"],
  ])('%s → its Vault error', async (_label, options, message) => {
    const res = await call(node, 'PUT', 'sys/unseal', options);
    expect(res.status).toBe(message.startsWith("can't") ? 500 : 400);
    expect(res.json).toEqual({ errors: [message] });
  });

  it('malformed JSON and wrong types → 400 failed to parse JSON input', async () => {
    const broken = await call(node, 'PUT', 'sys/unseal', { rawBody: '{"key":' });
    expect(broken.status).toBe(400);
    expect(errorsOf(broken)?.[0]).toBe('failed to parse JSON input: unexpected EOF');
    const typed = await unseal(node, { key: 42 });
    expect(errorsOf(typed)?.[0]).toBe('failed to parse JSON input: json: cannot unmarshal number into Go struct field UnsealRequest.Key of type string');
  });

  it('field names match case-insensitively (untagged Go struct) and hex may be upper case', async () => {
    const [a] = keys(cluster);
    const res = await unseal(node, { KEY: a?.toUpperCase() });
    expect(res.status).toBe(200);
    expect(body(res)).toMatchObject({ sealed: true, progress: 1 });
  });

  it('reset clears the attempt on a sealed node and is refused on an unsealed one', async () => {
    await unsealWith(node, keys(cluster).slice(0, 2));
    const reset = await unseal(node, { reset: true, key: keys(cluster)[2] });
    expect(reset.status).toBe(200);
    expect(body(reset)).toMatchObject({ sealed: true, progress: 0, nonce: '' });
    const refused = await unseal(url(cluster, 0), { reset: true });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errors: ['vault is unsealed'] });
  });

  it('a duplicate part (hex or base64 of the same bytes) is ignored: same progress, same nonce', async () => {
    await unseal(node, { reset: true });
    const [a = ''] = keys(cluster);
    const first = body(await unseal(node, { key: a }));
    const again = body(await unseal(node, { key: hexToB64(a) }));
    expect(again).toMatchObject({ progress: 1, nonce: first['nonce'] });
  });

  it('any 3 of the 5 shares unseal; the attempt is then cleared', async () => {
    await unseal(node, { reset: true });
    const k = keys(cluster);
    const done = body(await unsealWith(node, [k[4] ?? '', hexToB64(k[2] ?? ''), k[0] ?? '']));
    expect(done).toMatchObject({ sealed: false, progress: 0, nonce: '', cluster_id: cluster.clusterId });
    expect(cluster.nodes[1]?.state()).toMatchObject({ sealed: false, progress: 0 });
  });

  it('an unsealed node answers 200 with its status to any well-sized key', async () => {
    const res = await unseal(url(cluster, 0), { key: randomBytes(20).toString('hex') });
    expect(res.status).toBe(200);
    expect(body(res)['sealed']).toBe(false);
  });

  it('only PUT/POST', async () => {
    expect((await call(node, 'GET', 'sys/unseal')).status).toBe(405);
    expect((await call(node, 'POST', 'sys/unseal', { body: { reset: true } })).status).toBe(200);
  });
});

describe('unseal at threshold: combine and verify', () => {
  const get = useCluster({ profile: 'vault-1.19', nodes: 1, unsealed: false });
  const other = useCluster({ profile: 'vault-1.19', nodes: 1, unsealed: false });
  const node = () => url(get(), 0);
  beforeEach(async () => {
    await unseal(node(), { reset: true });
  });

  it("another cluster's share: earlier parts 200, the last 400 with Vault's text, attempt cleared", async () => {
    const mine = keys(get());
    // A share's last byte is its x-coordinate, random per split (shamir/shamir.go @ v1.19.0): a
    // foreign share sharing one with an earlier part is refused as a duplicate part instead (the
    // next test), so the foreign share is one whose x-coordinate differs from both.
    const xOf = (share: string) => share.slice(-2);
    const foreign = keys(other()).find((k) => k !== '' && xOf(k) !== xOf(mine[0] ?? '') && xOf(k) !== xOf(mine[1] ?? '')) ?? '';
    expect(foreign).not.toBe('');
    expect((await unseal(node(), { key: mine[0] })).status).toBe(200);
    expect((await unseal(node(), { key: mine[1] })).status).toBe(200);
    const last = await unseal(node(), { key: foreign });
    expect(last.status).toBe(400);
    expect(last.json).toEqual({ errors: [WRONG_KEY_SEAL_WRAP] });
    expect(body(await call(node(), 'GET', 'sys/seal-status'))).toMatchObject({ sealed: true, progress: 0, nonce: '' });
  });

  it('parts of different lengths → all parts must be the same length', async () => {
    const [a = '', b = ''] = keys(get());
    const res = await unsealWith(node(), [a, b, randomBytes(32).toString('hex')]);
    expect(res.json).toEqual({ errors: ['invalid key: failed to compute combined key: all parts must be the same length'] });
  });

  it('two different parts with the same x-coordinate → duplicate part detected', async () => {
    const [a = '', b = ''] = keys(get());
    const twin = Buffer.from(a, 'hex');
    twin[0] = (twin[0] ?? 0) ^ 0xff; // same trailing x byte, different y
    const res = await unsealWith(node(), [a, b, twin.toString('hex')]);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: ['invalid key: failed to compute combined key: duplicate part detected'] });
  });

  it('parts combining to a non-AES length → crypto/aes: invalid key size', async () => {
    const parts = [1, 2, 3].map((x) => Buffer.concat([randomBytes(19), Buffer.from([x])]).toString('hex'));
    const res = await unsealWith(node(), parts);
    expect(res.json).toEqual({ errors: ['invalid key: failed to setup unseal key: crypto/aes: invalid key size 19'] });
  });
});

describe('wrong key status per version and 1-of-1 keys', () => {
  it('Vault 1.12 answers a wrong key with 500 and no invalid-key prefix', async () => {
    await withCluster({ profile: 'vault-1.12', nodes: 1, unsealed: false }, async (cluster) => {
      // Three well-formed parts (distinct x bytes) that combine to a key of the right size but wrong value.
      const parts = [1, 2, 3].map((x) => Buffer.concat([randomBytes(32), Buffer.from([x])]).toString('hex'));
      const res = await unsealWith(url(cluster, 0), parts);
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ errors: [WRONG_KEY_500] });
    });
  });

  it('1-of-1: the share is the raw 32-byte key; a wrong 32- or 16-byte key fails decryption, 33 bytes is no AES key', async () => {
    await withCluster({ profile: 'vault-1.15.4', nodes: 1, unsealed: false, init: { shares: 1, threshold: 1 } }, async (cluster) => {
      const [key = ''] = keys(cluster);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(cluster.init?.keysBase64[0]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      const node = url(cluster, 0);
      for (const wrong of [randomBytes(32), randomBytes(16)]) {
        const res = await unseal(node, { key: wrong.toString('base64') });
        expect(res.status).toBe(400);
        expect(res.json).toEqual({ errors: [WRONG_KEY_SEAL_WRAP] });
      }
      const odd = await unseal(node, { key: randomBytes(33).toString('hex') });
      expect(odd.json).toEqual({ errors: ['invalid key: failed to setup unseal key: crypto/aes: invalid key size 33'] });
      expect(body(await unseal(node, { key }))).toMatchObject({ sealed: false, t: 1, n: 1 });
    });
  });

  it('uninitialized node → 400 Vault is not initialized (after the key decodes)', async () => {
    await withCluster({ nodes: 1, init: false }, async (cluster) => {
      const res = await unseal(url(cluster, 0), { key: randomBytes(33).toString('hex') });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: ['Vault is not initialized'] });
    });
  });

  it('OpenBao 2.6 tolerates an empty body (then asks for a key)', async () => {
    await withCluster({ profile: 'openbao-2.6', nodes: 1, unsealed: false }, async (cluster) => {
      const res = await call(url(cluster, 0), 'PUT', 'sys/unseal', { rawBody: '' });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ errors: [MUST_SPECIFY] });
    });
  });

  it('Vault 1.19: a node removed from raft refuses unseal with 500 before anything else', async () => {
    await withCluster({ profile: 'vault-1.19', nodes: 3 }, async (cluster) => {
      await call(url(cluster, 0), 'POST', 'sys/storage/raft/remove-peer', { token: token(cluster), body: { server_id: 'vault-2' } });
      const res = await call(url(cluster, 2), 'PUT', 'sys/unseal', { rawBody: '' });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ errors: ['node was removed from a HA cluster'] });
    });
  });
});
