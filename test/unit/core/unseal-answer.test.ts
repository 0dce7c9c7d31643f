import { describe, expect, it } from 'vitest';
import { classifyUnsealAnswer, type UnsealAnswerKind } from '../../../shared/core/unseal-answer.ts';

// Real answers of `sys/unseal`, per version, each row naming the Go source that writes it. Vault
// ≤ 1.12 returned the refusals unwrapped (500); GH-17836 (Vault 1.13, commit 4891122917 in
// OpenBao's history) wrapped them as `invalid key: …` (400); 1.16 wraps the Shamir failure again in
// the seal-wrap error chain. OpenBao forked Vault 1.14.9 and keeps the 1.14 texts.
const AUTH = 'cipher: message authentication failed';
const SEAL_WRAP = `error decrypting seal wrapped value\nerror decrypting using seal shamir: ${AUTH}`;

type Row = [source: string, status: number, text: string, thresholdReached: boolean, kind: UnsealAnswerKind];

const rows: Row[] = [
  // Vault 1.12: vault/core.go unsealFragment/getUnsealKey @ v1.12.0 returns these unprefixed; 500.
  [
    'vault/seal.go GetStoredKeys @ v1.12.0 (wrong Shamir share)',
    500,
    `unable to retrieve stored keys: failed to decrypt keys from storage: ${AUTH}`,
    true,
    'wrong-key',
  ],
  ['vault/seal_autoseal.go VerifyRecoveryKey @ v1.12.0 (wrong recovery share)', 500, 'recovery key does not match submitted values', true, 'wrong-key'],
  ['vault/core.go getUnsealKey @ v1.12.0 (shamir.Combine refused)', 500, 'failed to compute combined key: duplicate part detected', true, 'wrong-key'],
  ['vault/core.go getUnsealKey @ v1.12.0 (combined key is no AES key)', 500, 'failed to setup unseal key: crypto/aes: invalid key size 31', true, 'wrong-key'],
  // Vault 1.13–1.15.3 and OpenBao: the same failures, 400 with `invalid key:` (vault/core.go @ v1.14.9).
  [
    'vault/seal.go GetStoredKeys @ v1.14.9',
    400,
    `unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: ${AUTH}`,
    true,
    'wrong-key',
  ],
  [
    'vault/core.go getUnsealKey @ v1.14.9 (recovery)',
    400,
    'invalid key: failed to verify recovery key: recovery key does not match submitted values',
    true,
    'wrong-key',
  ],
  ['vault/core.go getUnsealKey @ v1.14.9 (combine)', 400, 'invalid key: failed to compute combined key: all parts must be the same length', true, 'wrong-key'],
  ['vault/core.go getUnsealKey @ v1.14.9 (setup)', 400, 'invalid key: failed to setup unseal key: crypto/aes: invalid key size 31', true, 'wrong-key'],
  // Vault ≥ 1.16 (and 1.15.x): vault/seal_util.go + vault/seal/seal.go JoinSealWrapErrors @ v1.16.0.
  [
    'vault/seal/seal.go JoinSealWrapErrors @ v1.16.0',
    400,
    `unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: ${SEAL_WRAP}`,
    true,
    'wrong-key',
  ],
  // The node's own KMS failed to decrypt what it stores: never a wrong share, even with the same cause.
  [
    'vault/seal_autoseal.go @ v1.14.9 (KMS failure)',
    400,
    `invalid key: failed to verify recovery key: failed to decrypt encrypted stored keys: ${AUTH}`,
    true,
    'seal-failure',
  ],
  [
    'vault/seal_autoseal.go @ v1.12.0 (KMS failure)',
    500,
    'failed to decrypt encrypted stored keys: AccessDeniedException: not authorized to perform kms:Decrypt',
    true,
    'seal-failure',
  ],
  // Vault ≥ 1.19: http/sys_seal.go handleSysUnseal @ v1.19.0 (PR #28909) refuses removed nodes first.
  ['http/sys_seal.go @ v1.19.0 (removed node)', 500, 'node was removed from a HA cluster', false, 'removed'],
  ['http/sys_seal.go @ v1.19.0 (removed node, last share)', 500, 'node was removed from a HA cluster', true, 'removed'],
  // Length checks and initialisation (vault/core.go unsealFragment @ v1.14.9): any share.
  ['vault/core.go unsealFragment @ v1.14.9 (short key)', 400, 'invalid key: key is shorter than minimum 16 bytes', false, 'custody-mismatch'],
  ['vault/core.go unsealFragment @ v1.14.9 (long key)', 400, 'invalid key: key is longer than maximum 33 bytes', false, 'custody-mismatch'],
  ['http/sys_seal.go @ v1.14.9 (ErrBarrierNotInit)', 400, 'Vault is not initialized', false, 'custody-mismatch'],
  // Before the threshold Vault has not combined anything: no answer can mean a wrong key.
  ['sdk/logical/response_util.go AdjustErrorStatusCode @ v1.14.9 (sealed → 503)', 503, 'Vault is sealed', false, 'transient'],
  ['http/handler.go @ v1.14.9 (rate limited)', 429, '', false, 'transient'],
  ['http/sys_seal.go @ v1.14.9 (bad encoding)', 400, "'key' must be a valid hex or base64 string", false, 'refused'],
  ['a wrong-key phrase before the threshold (only a hostile node says it)', 400, 'recovery key does not match submitted values', false, 'refused'],
  // At the threshold, anything unexplained is left to the seal status (a rejection when progress is 0).
  ['any version: storage failure after combining', 500, 'failed to unseal: storage: connection reset by peer', true, 'unclassified'],
  ['any version: 503 on the last share', 503, 'Vault is sealed', true, 'unclassified'],
  ['a future wording', 400, 'invalid key: the key does not fit', true, 'unclassified'],
];

describe('classifyUnsealAnswer', () => {
  it.each(rows)('%s: %i → %s', (_source, status, text, thresholdReached, kind) => {
    expect(classifyUnsealAnswer(status, text ? [text] : [], thresholdReached)).toBe(kind);
  });

  it('finds a phrase on any line of a multi-error answer, whatever the status', () => {
    const errors = ['1 error occurred:', `\t* unable to retrieve stored keys: failed to decrypt keys from storage: ${SEAL_WRAP}`];
    for (const status of [400, 409, 500, 502]) expect(classifyUnsealAnswer(status, errors, true)).toBe('wrong-key');
  });

  it('needs `message authentication failed` after `failed to decrypt keys from storage`', () => {
    expect(classifyUnsealAnswer(500, [`${AUTH}: then failed to decrypt keys from storage`], true)).toBe('unclassified');
  });
});
