import { randomInt } from 'node:crypto';

/**
 * The version an unconditional batch write gives an item (see `StateStore.putMany`): epoch
 * milliseconds × 1000 plus a random 0–999. No counted version reaches that range (it would take
 * 10^15 writes), two batch writes of one key collide only within the same millisecond and with
 * the same random part, and the result stays a safe integer until the year 2255.
 */
export function freshVersion(nowMs: number): number {
  return Math.floor(nowMs) * 1000 + randomInt(1000);
}
