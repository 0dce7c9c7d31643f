import type { ShareAssignment } from './custody-policy.ts';
import { isBlocked, standingBlocks, type CustodyKind, type NodeUnsealGuard, type UnsealBlock } from './custody-types.ts';

/**
 * Custody as read before a write: what the planner decides from. Identifiers, versions and the
 * one-way key check only; never a ciphertext.
 */
export interface CustodyWriteRead {
  meta: {
    generation: number;
    kind: CustodyKind;
    threshold: number;
    shares: number;
    keyCheck: string;
    createdAt: string;
    /** The item's version, the condition the new metadata is written under. */
    version: number;
  } | null;
  /** Indexes of the share items present (with or without metadata: an interrupted write leaves some). */
  shareIndexes: readonly number[];
  block: UnsealBlock | null;
  guards: readonly NodeUnsealGuard[];
}

/** What is to be stored: validated facts and the policy's placement, before anything is wrapped. */
export interface CustodyWriteIntent {
  kind: CustodyKind;
  threshold: number;
  /** One entry per share, from `resolveCustodyPolicy`. */
  assignment: readonly ShareAssignment[];
  /**
   * The key check of the new shares. Null when it is not known yet (`init` plans before Vault
   * answers) or does not matter: then the replaced custody's key is not compared.
   */
  keyCheck: string | null;
  /** Keep the root token, wrapped under this wrapper. */
  tokenWrapper?: string;
  /** Existing custody may be replaced. */
  replace: boolean;
  /** With `replace`: a different key is expected (the cluster was rekeyed). */
  rekeyed: boolean;
}

/**
 * One custody write, in the order the executor applies them. Printable as it is: share indexes,
 * wrapper ids, generations and item versions only.
 */
export type CustodyWriteAction =
  | { kind: 'write-share'; index: number; wrapper: string; generation: number; reason: string }
  | { kind: 'delete-share'; index: number; reason: string }
  | { kind: 'write-token'; name: 'root'; wrapper: string; reason: string }
  | {
      kind: 'write-meta';
      generation: number;
      /** The generation replaced, null for a first custody. */
      replaces: number | null;
      /** Written only if the metadata still has this version (null: only if there is none). */
      ifVersion: number | null;
      reason: string;
    }
  | { kind: 'clear-block'; generation: number; reason: string }
  | { kind: 'delete-guard'; node: string; generation: number; reason: string };

/** Why a write is refused; the entry points say how to ask differently. */
export type CustodyWriteRefusal =
  /** Custody exists and replacing it was not asked for. */
  | 'custody-exists'
  /** The shares rebuild another key than the custody they would replace, and no rekey was declared. */
  | 'shares-differ';

export type CustodyWritePlan =
  | {
      outcome: 'refused';
      reason: CustodyWriteRefusal;
      existing: NonNullable<CustodyWriteRead['meta']>;
    }
  | {
      outcome: 'write';
      generation: number;
      /** The generation replaced, null for a first custody. */
      replaces: number | null;
      actions: CustodyWriteAction[];
      warnings: string[];
    };

/**
 * Plans storing new custody. The order is the safety argument, because the store has no
 * transactions: shares first, then surplus shares and the token, and the metadata LAST —
 * conditioned on the version read — so custody becomes readable only once complete. A first
 * custody interrupted half-way has no metadata and reads as absent (a rerun writes it again,
 * deleting any stray share). A replace interrupted half-way leaves the old metadata over a mix of
 * shares: its key check no longer matches what they rebuild, so an unseal sends nothing
 * (`unseal.custody-inconsistent`) until a rerun of the replace completes it. Blocks and guards
 * of the replaced generation go only after the new metadata, so an interrupted replace never
 * lifts the block of custody Vault rejected.
 */
export function planCustodyWrite(read: CustodyWriteRead, intent: CustodyWriteIntent): CustodyWritePlan {
  const existing = read.meta;
  if (existing && !intent.replace) return { outcome: 'refused', reason: 'custody-exists', existing };
  const warnings: string[] = [];
  if (existing && intent.keyCheck !== null) {
    const keyChanged = existing.keyCheck !== intent.keyCheck;
    // Shares of another key replacing working custody would strand the cluster: only a rekey, or
    // custody Vault already rejected (a standing block), justifies it.
    if (keyChanged && !intent.rekeyed) {
      if (!isBlocked(standingBlocks(existing.generation, read.block, read.guards))) return { outcome: 'refused', reason: 'shares-differ', existing };
      warnings.push(
        `these shares rebuild a different key than the custody they replace, which Vault rejected (blocked for generation ${existing.generation}): replaced`,
      );
    }
    if (!keyChanged && intent.rekeyed) warnings.push('a rekey was declared, but these shares rebuild the same key as the custody they replace');
  }

  const generation = existing ? existing.generation + 1 : 1;
  const replaces = existing?.generation ?? null;
  const actions: CustodyWriteAction[] = intent.assignment.map(({ index, wrapper }) => ({
    kind: 'write-share',
    index,
    wrapper,
    generation,
    reason: `share ${index} of ${intent.assignment.length} (${intent.kind}, threshold ${intent.threshold}) goes under wrapper ${wrapper}, as the custody policy places it`,
  }));
  const kept = new Set(intent.assignment.map((a) => a.index));
  for (const index of [...read.shareIndexes].sort((a, b) => a - b)) {
    if (kept.has(index)) continue;
    actions.push({
      kind: 'delete-share',
      index,
      reason: existing
        ? `generation ${generation} has ${intent.assignment.length} shares: share ${index} of generation ${existing.generation} has no place in it`
        : `share ${index} was left without custody metadata (an interrupted write) and is not part of the new custody`,
    });
  }
  if (intent.tokenWrapper !== undefined) {
    actions.push({ kind: 'write-token', name: 'root', wrapper: intent.tokenWrapper, reason: `the root token is kept, wrapped under ${intent.tokenWrapper}` });
  }
  actions.push({
    kind: 'write-meta',
    generation,
    replaces,
    ifVersion: existing?.version ?? null,
    reason: existing
      ? `generation ${generation} replaces generation ${existing.generation}; written last, so the new custody is readable only once complete`
      : 'first custody of the cluster; written last, so it is readable only once complete',
  });
  actions.push(...staleBlockActions(read, generation));
  return { outcome: 'write', generation, replaces, actions, warnings };
}

/**
 * Plans keeping only a root token (init with PGP-encrypted shares: no custody of shares). Nothing
 * else is read or written, so existing custody is neither refused nor touched.
 */
export function planTokenOnlyWrite(tokenWrapper: string): CustodyWriteAction[] {
  return [
    {
      kind: 'write-token',
      name: 'root',
      wrapper: tokenWrapper,
      reason: `the root token is kept, wrapped under ${tokenWrapper} (the shares went to PGP custodians)`,
    },
  ];
}

/**
 * Every block and guard read belongs to custody this write replaces (or to custody whose metadata
 * is gone: a new first generation must not inherit a block of an old generation 1).
 */
function staleBlockActions(read: CustodyWriteRead, generation: number): CustodyWriteAction[] {
  const actions: CustodyWriteAction[] = [];
  if (read.block) {
    actions.push({
      kind: 'clear-block',
      generation: read.block.generation,
      reason: `the cluster block of generation ${read.block.generation} does not apply to the new generation ${generation}`,
    });
  }
  for (const guard of [...read.guards].sort((a, b) => a.nodeId.localeCompare(b.nodeId))) {
    actions.push({
      kind: 'delete-guard',
      node: guard.nodeId,
      generation: guard.generation,
      reason: `node ${guard.nodeId}'s ${guard.blocked ? 'block' : 'rejection record'} of generation ${guard.generation} does not apply to the new generation ${generation}`,
    });
  }
  return actions;
}

/** One line per action, for people (the JSON form is the action itself). */
export function describeCustodyAction(action: CustodyWriteAction): string {
  switch (action.kind) {
    case 'write-share':
      return `write share ${action.index} (generation ${action.generation}) wrapped by ${action.wrapper}`;
    case 'delete-share':
      return `delete share ${action.index}`;
    case 'write-token':
      return `write token ${action.name} wrapped by ${action.wrapper}`;
    case 'write-meta':
      return `write metadata generation ${action.generation}${action.replaces === null ? '' : ` (replaces ${action.replaces})`}`;
    case 'clear-block':
      return `clear the cluster block of generation ${action.generation}`;
    case 'delete-guard':
      return `delete the unseal guard of node ${action.node} (generation ${action.generation})`;
  }
}
