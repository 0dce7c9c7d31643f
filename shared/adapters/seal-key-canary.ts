import { randomBytes, timingSafeEqual } from 'node:crypto';
import { describeError } from '../errors.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';

const CANARY_CONTEXT = { purpose: 'seal-canary' };

/**
 * Wraps 32 random bytes and unwraps them again: the same calls Vault's seal makes (KMS
 * Encrypt/Decrypt, Key Vault wrapKey/unwrapKey). The bytes are random and thrown away, so the
 * canary carries nothing worth protecting; they are still zeroed.
 */
export async function runCanary(wrapper: KeyWrapper, signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
  const probe = Uint8Array.from(randomBytes(32));
  let back: Uint8Array | undefined;
  try {
    const wrapped = await wrapper.wrap(probe, CANARY_CONTEXT, signal);
    back = await wrapper.unwrap(wrapped, CANARY_CONTEXT, signal);
    const same = back.length === probe.length && timingSafeEqual(back, probe);
    return same ? { ok: true, message: 'round trip ok' } : { ok: false, message: 'unwrapped bytes differ from the wrapped ones' };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  } finally {
    probe.fill(0);
    back?.fill(0);
  }
}
