import type { CustodyMeta, NodeUnsealGuard, ShareRecord, UnsealBlock } from '../core/custody-types.ts';
import type { WrappedSecret } from '../ports/key-wrapper.ts';
import type { StateItem, StateStore, WriteCondition } from '../ports/state-store.ts';

const pk = (clusterId: string) => `CLUSTER#${clusterId}`;
const GUARD_PREFIX = 'UNSEAL_GUARD#';
const shareSk = (index: number) => `SHARE#${String(index).padStart(3, '0')}`;

/**
 * Custody records in the state store: `CUSTODY` (meta), `SHARE#001`… (one wrapped share each),
 * `TOKEN#<name>` (wrapped Vault tokens), `UNSEAL_BLOCK` (the cluster's custody is blocked),
 * `UNSEAL_GUARD#<node>` (a node's rejections and block). Only ciphertext, identifiers and Vault's
 * redacted texts are stored.
 */
export function createCustodyRepository(store: StateStore) {
  return {
    async meta(clusterId: string): Promise<StateItem<CustodyMeta> | null> {
      return store.get<CustodyMeta>(pk(clusterId), 'CUSTODY');
    },

    async putMeta(clusterId: string, meta: CustodyMeta, condition: WriteCondition): Promise<StateItem<CustodyMeta>> {
      return store.put({ pk: pk(clusterId), sk: 'CUSTODY', data: meta, condition });
    },

    async shares(clusterId: string): Promise<StateItem<ShareRecord>[]> {
      const items: StateItem<ShareRecord>[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<ShareRecord>({ pk: pk(clusterId), skPrefix: 'SHARE#', ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return items.sort((a, b) => a.data.index - b.data.index);
    },

    async putShare(clusterId: string, share: ShareRecord, condition: WriteCondition = { kind: 'any' }) {
      return store.put({ pk: pk(clusterId), sk: shareSk(share.index), data: share, condition });
    },

    async deleteShare(clusterId: string, index: number) {
      await store.delete(pk(clusterId), shareSk(index));
    },

    async token(clusterId: string, name: string): Promise<StateItem<WrappedSecret> | null> {
      return store.get<WrappedSecret>(pk(clusterId), `TOKEN#${name}`);
    },

    async putToken(clusterId: string, name: string, wrapped: WrappedSecret) {
      return store.put({ pk: pk(clusterId), sk: `TOKEN#${name}`, data: wrapped, condition: { kind: 'any' } });
    },

    async block(clusterId: string): Promise<StateItem<UnsealBlock> | null> {
      return store.get<UnsealBlock>(pk(clusterId), 'UNSEAL_BLOCK');
    },

    async putBlock(clusterId: string, block: UnsealBlock) {
      return store.put({ pk: pk(clusterId), sk: 'UNSEAL_BLOCK', data: block, condition: { kind: 'any' } });
    },

    async clearBlock(clusterId: string) {
      await store.delete(pk(clusterId), 'UNSEAL_BLOCK');
    },

    async guards(clusterId: string): Promise<StateItem<NodeUnsealGuard>[]> {
      const items: StateItem<NodeUnsealGuard>[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<NodeUnsealGuard>({ pk: pk(clusterId), skPrefix: GUARD_PREFIX, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return items;
    },

    async putGuard(clusterId: string, guard: NodeUnsealGuard) {
      return store.put({ pk: pk(clusterId), sk: `${GUARD_PREFIX}${guard.nodeId}`, data: guard, condition: { kind: 'any' } });
    },

    async deleteGuard(clusterId: string, nodeId: string) {
      await store.delete(pk(clusterId), `${GUARD_PREFIX}${nodeId}`);
    },
  };
}

export type CustodyRepository = ReturnType<typeof createCustodyRepository>;
