import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CiphertextInvalidError } from '../../shared/errors.ts';
import type { KeyWrapper, WrapContext, WrappedSecret } from '../../shared/ports/key-wrapper.ts';

export interface KeyWrapperContractSubject {
  wrapper: KeyWrapper;
  /** Releases whatever setup started (servers are closed by their own suite). */
  close?: () => Promise<void>;
}

const context: WrapContext = { cluster: 'prod-eu', share: '3', purpose: 'unseal-share' };

/**
 * The guarantees of the KeyWrapper port (shared/ports/key-wrapper.ts), run against every
 * implementation. `setup` runs once; each test wraps its own fresh random secrets.
 */
export function describeKeyWrapperContract(name: string, setup: () => Promise<KeyWrapperContractSubject>): void {
  describe(`KeyWrapper contract: ${name}`, () => {
    let subject: KeyWrapperContractSubject;
    let wrapper: KeyWrapper;

    beforeAll(async () => {
      subject = await setup();
      wrapper = subject.wrapper;
    });
    afterAll(async () => {
      await subject?.close?.();
    });

    it.each([33, 32])('round-trips a %i-byte secret', async (size) => {
      const secret = randomBytes(size);
      const wrapped = await wrapper.wrap(secret, context);
      expect(wrapped.wrapper).toBe(wrapper.id);
      expect(wrapped.keyId.length).toBeGreaterThan(0);
      expect(wrapped.ciphertext).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const opened = await wrapper.unwrap(wrapped, context);
      expect(opened).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(opened).equals(secret)).toBe(true);
    });

    it('leaves the caller owning both the input and the output', async () => {
      const secret = randomBytes(33);
      const copy = Buffer.from(secret);
      const wrapped = await wrapper.wrap(secret, context);
      expect(secret.equals(copy)).toBe(true);
      const first = await wrapper.unwrap(wrapped, context);
      first.fill(0);
      const second = await wrapper.unwrap(wrapped, context);
      expect(Buffer.from(second).equals(copy)).toBe(true);
    });

    it('does not depend on the order of context keys', async () => {
      const secret = randomBytes(33);
      const wrapped = await wrapper.wrap(secret, context);
      const reordered: WrapContext = { purpose: 'unseal-share', share: '3', cluster: 'prod-eu' };
      expect(Buffer.from(await wrapper.unwrap(wrapped, reordered)).equals(secret)).toBe(true);
    });

    it('produces a different ciphertext each time', async () => {
      const secret = randomBytes(33);
      const a = await wrapper.wrap(secret, context);
      const b = await wrapper.wrap(secret, context);
      expect(a.ciphertext).not.toBe(b.ciphertext);
    });

    it.each<[string, WrapContext]>([
      ['another share index', { ...context, share: '4' }],
      ['another cluster', { ...context, cluster: 'prod-us' }],
      ['an extra key', { ...context, extra: 'x' }],
      ['a missing key', { cluster: 'prod-eu', share: '3' }],
    ])('refuses to unwrap under %s', async (_label, other) => {
      const wrapped = await wrapper.wrap(randomBytes(33), context);
      await expect(wrapper.unwrap(wrapped, other)).rejects.toBeInstanceOf(CiphertextInvalidError);
    });

    it('refuses a tampered ciphertext wherever the change is', async () => {
      const wrapped = await wrapper.wrap(randomBytes(33), context);
      const bytes = Buffer.from(wrapped.ciphertext, 'base64');
      for (const at of [0, Math.floor(bytes.length / 2), bytes.length - 1]) {
        const tampered = Buffer.from(bytes);
        tampered[at] = (tampered[at] ?? 0) ^ 0x01;
        const forged: WrappedSecret = { ...wrapped, ciphertext: tampered.toString('base64') };
        await expect(wrapper.unwrap(forged, context), `byte ${at}`).rejects.toBeInstanceOf(CiphertextInvalidError);
      }
      const truncated: WrappedSecret = { ...wrapped, ciphertext: bytes.subarray(0, bytes.length - 4).toString('base64') };
      await expect(wrapper.unwrap(truncated, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
      await expect(wrapper.unwrap({ ...wrapped, ciphertext: 'not base64!' }, context)).rejects.toBeInstanceOf(CiphertextInvalidError);
    });

    it('never carries the plaintext in any common encoding', async () => {
      const secret = randomBytes(33);
      const wrapped = await wrapper.wrap(secret, context);
      const decoded = Buffer.from(wrapped.ciphertext, 'base64');
      const haystacks = [JSON.stringify(wrapped), decoded.toString('latin1'), decoded.toString('utf8')];
      const needles = [secret.toString('hex'), secret.toString('base64'), secret.toString('base64url'), secret.toString('latin1')];
      for (const hay of haystacks) for (const needle of needles) expect(hay.includes(needle)).toBe(false);
      expect(decoded.includes(secret)).toBe(false);
    });

    it('reports a healthy key', async () => {
      const health = await wrapper.health();
      expect(health.wrapper).toBe(wrapper.id);
      expect(health.keyId.length).toBeGreaterThan(0);
      expect(health.problems).toEqual([]);
      expect(health.status).toBe('ok');
    });
  });
}
