// Pins what `sys/unseal` answers per version when the threshold-th share cannot unseal: status and
// exact text, each row citing the Go source it was read from.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster, VaultProfileName } from '../../../shared/simulator/index.ts';
import { body, call, keys, unsealWith, url, useCluster, withCluster } from './http.ts';

const AUTH = 'cipher: message authentication failed';
const KMS_CAUSE = 'AccessDeniedException: simulated';
// hashicorp/vault `vault/seal/seal.go` JoinSealWrapErrors: errors.Join of the message and one line per seal.
const joined = (seal: string, cause: string) => `error decrypting seal wrapped value\nerror decrypting using seal ${seal}: ${cause}`;

type Answer = [status: number, text: string];
interface Row {
  wrongShare: Answer;
  recoveryMismatch: Answer;
  combine: Answer;
  setup: Answer;
  kms: Answer;
}

/**
 * ≤ 1.12: `vault/core.go` getUnsealKey / unsealKeyToMasterKey and `vault/seal.go` readStoredKeys
 * @ git 4891122917^ (OpenBao history, before GH-17836) return plain errors; `http/sys_seal.go`
 * handleSysUnseal answers them in its default branch with 500.
 */
const V112: Row = {
  wrongShare: [500, `unable to retrieve stored keys: failed to decrypt keys from storage: ${AUTH}`],
  recoveryMismatch: [500, 'recovery key does not match submitted values'],
  combine: [500, 'failed to compute combined key: all parts must be the same length'],
  setup: [500, 'failed to setup unseal key: crypto/aes: invalid key size 19'],
  // `vault/seal_autoseal.go` getRecoveryKeyInternal @ git 4891122917^.
  kms: [500, `failed to decrypt encrypted stored keys: ${KMS_CAUSE}`],
};

/**
 * 1.13–1.14 and OpenBao (forked 1.14.9): ErrInvalidKey (`invalid key: …`) → 400. `vault/core.go`,
 * `vault/seal.go` readStoredKeys (message authentication failed → ErrInvalidKey) @ v1.14.9;
 * unchanged in OpenBao `vault/core.go` @ v2.5.0 / v2.6.0.
 */
const V114: Row = {
  wrongShare: [400, `unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: ${AUTH}`],
  recoveryMismatch: [400, 'invalid key: failed to verify recovery key: recovery key does not match submitted values'],
  combine: [400, 'invalid key: failed to compute combined key: all parts must be the same length'],
  setup: [400, 'invalid key: failed to setup unseal key: crypto/aes: invalid key size 19'],
  kms: [400, `invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys: ${KMS_CAUSE}`],
};

/**
 * 1.15.4+ : stored keys and the recovery key are seal-wrapped values; a decrypt failure is the
 * joined multi-seal text (hashicorp/vault `vault/seal/seal.go`, `vault/seal_autoseal.go`
 * getRecoveryKeyInternal, default seal named `shamir` in `command/server.go`).
 */
const V116: Row = {
  ...V114,
  wrongShare: [400, `unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: ${joined('shamir', AUTH)}`],
  kms: [400, `invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys: ${joined('awskms', KMS_CAUSE)}`],
};

const ROWS: Record<VaultProfileName, Row> = {
  'vault-1.12': V112,
  'vault-1.14': V114,
  'vault-1.15.4': V116,
  'vault-1.16': V116,
  'vault-1.19': V116,
  'openbao-2.5': V114,
  'openbao-2.6': V114,
};

const PROFILES = Object.keys(ROWS) as VaultProfileName[];

const unseal = (base: string, key: string) => call(base, 'PUT', 'sys/unseal', { body: { key } });

async function expectCleared(base: string): Promise<void> {
  expect(body(await call(base, 'GET', 'sys/seal-status'))).toMatchObject({ sealed: true, progress: 0, nonce: '' });
}

describe('foreign shares come from another cluster', () => {
  const foreignShamir = useCluster({ profile: 'vault-1.19', nodes: 1, unsealed: false });
  const foreignAuto = useCluster({ profile: 'vault-1.19', nodes: 1, sealType: 'awskms', init: { shares: 3, threshold: 2 } });

  describe.each(PROFILES)('%s', (profile) => {
    const row = ROWS[profile];
    const shamir = useCluster({ profile, nodes: 1, unsealed: false });
    const auto = useCluster({ profile, nodes: 1, sealType: 'awskms', kmsFailureCause: KMS_CAUSE, init: { shares: 3, threshold: 2 } });
    let node: string;
    beforeEach(async () => {
      node = url(shamir(), 0);
      await call(node, 'PUT', 'sys/unseal', { body: { reset: true } });
    });

    it('a consistent threshold of another key: the last share gets the wrong-key answer, attempt cleared', async () => {
      const foreign = keys(foreignShamir());
      const first = await unsealWith(node, foreign.slice(0, 2));
      expect(first.status).toBe(200);
      const last = await unseal(node, foreign[2] ?? '');
      expect([last.status, last.json]).toEqual([row.wrongShare[0], { errors: [row.wrongShare[1]] }]);
      await expectCleared(node);
      expect(shamir().nodes[0]?.state()).toMatchObject({ sealed: true, progress: 0 });
    });

    it('combine failure (parts of different lengths)', async () => {
      const [a = '', b = ''] = keys(shamir());
      const res = await unsealWith(node, [a, b, randomBytes(32).toString('hex')]);
      expect([res.status, res.json]).toEqual([row.combine[0], { errors: [row.combine[1]] }]);
      await expectCleared(node);
    });

    it('setup failure (parts combining to 19 bytes: crypto/aes rejects the key size)', async () => {
      const parts = [1, 2, 3].map((x) => Buffer.concat([randomBytes(19), Buffer.from([x])]).toString('hex'));
      const res = await unsealWith(node, parts);
      expect([res.status, res.json]).toEqual([row.setup[0], { errors: [row.setup[1]] }]);
    });

    it('recovery shares of another cluster on a sealed awskms node', async () => {
      const cluster: SimulatedCluster = auto();
      cluster.nodes[0]?.seal();
      const mine = cluster.init?.recoveryKeys ?? [];
      const foreign = foreignAuto().init?.recoveryKeys ?? [];
      const res = await unsealWith(url(cluster, 0), [foreign[0] ?? '', foreign[1] ?? '']);
      expect([res.status, res.json]).toEqual([row.recoveryMismatch[0], { errors: [row.recoveryMismatch[1]] }]);
      await expectCleared(url(cluster, 0));
      // The KMS failing is a node-side answer, not a wrong share.
      cluster.setKmsAvailable(false);
      const kms = await unsealWith(url(cluster, 0), mine.slice(0, 2));
      expect([kms.status, kms.json]).toEqual([row.kms[0], { errors: [row.kms[1]] }]);
      cluster.setKmsAvailable(true);
      expect(body(await unsealWith(url(cluster, 0), mine.slice(1, 3)))).toMatchObject({ sealed: false, recovery_seal: true });
    });
  });
});

describe('Vault 1.12 with awskms (recovery seal), as a real 1.12 node answers', () => {
  it('type shamir after init, recovery_seal true, recovery shares through sys/unseal, 500 unprefixed mismatch', async () => {
    await withCluster({ profile: 'vault-1.12', nodes: 2, sealType: 'awskms' }, async (cluster) => {
      await withCluster({ profile: 'vault-1.12', nodes: 1, sealType: 'awskms' }, async (other) => {
        const node = url(cluster, 1);
        // `vault/logical_system.go` @ v1.14.9 (and 1.12): an initialized auto seal reports the recovery config's type.
        expect(body(await call(node, 'GET', 'sys/seal-status'))).toMatchObject({
          type: 'shamir',
          initialized: true,
          sealed: false,
          recovery_seal: true,
          t: 3,
          n: 5,
        });
        expect(cluster.init?.keys).toEqual([]);
        cluster.nodes[1]?.seal();
        const foreign = other.init?.recoveryKeys ?? [];
        const wrong = await unsealWith(node, foreign.slice(0, 3));
        expect(wrong.status).toBe(500);
        expect(wrong.json).toEqual({ errors: ['recovery key does not match submitted values'] });
        const recovery = cluster.init?.recoveryKeys ?? [];
        expect(body(await unsealWith(node, recovery.slice(2, 5)))).toMatchObject({ type: 'shamir', sealed: false, recovery_seal: true });
      });
    });
  });
});

describe('request body errors per product', () => {
  const MUST_SPECIFY = "'key' must be specified in request body as JSON, or 'reset' set to true";
  const TYPE = 'json: cannot unmarshal number into Go struct field UnsealRequest.Key of type string';
  // [empty body, truncated JSON, invalid character, wrong type]
  const rows: [VaultProfileName, string, string, string, string][] = [
    // `http/sys_seal.go` + `http/handler.go` parseJSONRequest @ v1.14.9: EOF passed through; one prefix.
    [
      'vault-1.14',
      'EOF',
      'failed to parse JSON input: unexpected EOF',
      "failed to parse JSON input: invalid character 'x' looking for beginning of value",
      `failed to parse JSON input: ${TYPE}`,
    ],
    [
      'vault-1.19',
      'EOF',
      'failed to parse JSON input: unexpected EOF',
      "failed to parse JSON input: invalid character 'x' looking for beginning of value",
      `failed to parse JSON input: ${TYPE}`,
    ],
    // `http/handler.go` @ v2.5.0: EnforceJSONComplexityLimits' token loop first (`failed to limit`;
    // io.EOF ends it, so truncation reaches the decoder), EOF passed through.
    [
      'openbao-2.5',
      'EOF',
      'failed to parse JSON input: unexpected EOF',
      "failed to limit JSON input: invalid character 'x' looking for beginning of value",
      `failed to parse JSON input: ${TYPE}`,
    ],
    // `http/sys_seal.go` @ v2.6.0 filters io.EOF; `http/json.go` @ v2.6.0 says `failed to decode`.
    [
      'openbao-2.6',
      MUST_SPECIFY,
      'failed to decode JSON input: unexpected EOF',
      "failed to decode JSON input: invalid character 'x' looking for beginning of value",
      `failed to decode JSON input: ${TYPE}`,
    ],
  ];

  it.each(rows)('%s', async (profile, empty, truncated, invalid, typed) => {
    await withCluster({ profile, nodes: 1, unsealed: false }, async (cluster) => {
      const node = url(cluster, 0);
      const answers = [];
      for (const rawBody of ['', '{"key":', 'x', '{"key":42}']) {
        const res = await call(node, 'PUT', 'sys/unseal', { rawBody });
        answers.push([res.status, res.json]);
      }
      expect(answers).toEqual([empty, truncated, invalid, typed].map((text) => [400, { errors: [text] }]));
    });
  });
});
