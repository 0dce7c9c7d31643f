/** A stored share as the rewrap planner sees it: identifiers and the item version, no ciphertext. */
export interface RewrapShareRead {
  index: number;
  wrapper: string;
  keyId: string;
  version: number;
}

export interface RewrapPlanInput {
  /** Null when the cluster has no custody metadata. */
  generation: number | null;
  shares: readonly RewrapShareRead[];
  /** Target wrapper id. */
  to: string;
  /** 1-based share indexes asked for; undefined: every stored share. */
  indexes?: readonly number[];
  /** Ids of the configured wrappers. */
  wrapperIds: readonly string[];
}

/**
 * Rewrap one share: unwrap under `from`, wrap under `to`, prove it by unwrapping, then overwrite
 * the share item only if it still has version `ifVersion`. Printable as it is.
 */
export interface RewrapAction {
  kind: 'rewrap-share';
  index: number;
  from: string;
  fromKeyId: string;
  to: string;
  ifVersion: number;
  reason: string;
}

export type RewrapRefusal =
  | { reason: 'no-custody' }
  | { reason: 'unknown-wrapper'; wrapper: string }
  | { reason: 'unknown-shares'; indexes: number[]; stored: number[] };

export type RewrapPlan = { outcome: 'refused'; refusal: RewrapRefusal } | { outcome: 'rewrap'; generation: number; actions: RewrapAction[] };

/**
 * Plans `keys rewrap`: one action per selected share, in index order. The metadata is not
 * touched (same shares, same key, same generation). Refused before anything is unwrapped when
 * there is no custody, a wrapper involved is not configured, or a share asked for is not stored.
 */
export function planRewrap(input: RewrapPlanInput): RewrapPlan {
  const refuse = (refusal: RewrapRefusal): RewrapPlan => ({ outcome: 'refused', refusal });
  if (!input.wrapperIds.includes(input.to)) return refuse({ reason: 'unknown-wrapper', wrapper: input.to });
  if (input.generation === null) return refuse({ reason: 'no-custody' });
  const shares = [...input.shares].sort((a, b) => a.index - b.index);
  const stored = shares.map((s) => s.index);
  const wanted = input.indexes ?? stored;
  const unknown = wanted.filter((index) => !stored.includes(index));
  if (unknown.length > 0) return refuse({ reason: 'unknown-shares', indexes: unknown, stored });
  const selected = shares.filter((s) => wanted.includes(s.index));
  const missing = selected.find((s) => !input.wrapperIds.includes(s.wrapper));
  if (missing) return refuse({ reason: 'unknown-wrapper', wrapper: missing.wrapper });
  const actions = selected.map(
    (s): RewrapAction => ({
      kind: 'rewrap-share',
      index: s.index,
      from: s.wrapper,
      fromKeyId: s.keyId,
      to: input.to,
      ifVersion: s.version,
      reason:
        s.wrapper === input.to
          ? `share ${s.index} moves to the current key of wrapper ${input.to} (rotation)`
          : `share ${s.index} moves from wrapper ${s.wrapper} to ${input.to} (migration)`,
    }),
  );
  return { outcome: 'rewrap', generation: input.generation, actions };
}

export function describeRewrapAction(action: RewrapAction): string {
  return `rewrap share ${action.index}: ${action.from} (key ${action.fromKeyId}) → ${action.to}`;
}
