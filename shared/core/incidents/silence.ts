import type { Silence } from './types.ts';

/** Whether an unexpired silence covers this condition at `now` (epoch ms). */
export function isSilenced(
  silences: readonly Silence[],
  condition: { cluster: string; node?: string | undefined; findingId: string },
  now: number,
): Silence | undefined {
  return silences.find(
    (s) =>
      Date.parse(s.expiresAt) > now &&
      s.cluster === condition.cluster &&
      (s.node === undefined || s.node === condition.node) &&
      (s.finding === undefined || s.finding === condition.findingId),
  );
}
