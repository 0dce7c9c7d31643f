import { randomBytes } from 'node:crypto';
import type { Silence } from '../core/incidents/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';

const PK = 'SILENCES';
/** Longest silence: a forgotten one should not mute a cluster forever. */
export const MAX_SILENCE_MS = 90 * 24 * 3_600_000;

export interface SilenceStore {
  add(input: { cluster: string; node?: string; finding?: string; forMs: number; reason?: string }): Promise<Silence>;
  /** Unexpired silences, soonest expiry first. */
  list(): Promise<Silence[]>;
  /** Throws NotFoundError when no unexpired silence has that id. */
  remove(id: string): Promise<void>;
}

export interface SilenceStoreOptions {
  store: StateStore;
  clock: Clock;
  /** Id suffix; default 4 random bytes, hex. */
  random?: () => string;
}

/**
 * Silences in the state store: `pk SILENCES`, `sk <id>`, expiring through `expiresAt`, so an
 * ended silence disappears without anyone removing it.
 */
export function createSilenceStore(options: SilenceStoreOptions): SilenceStore {
  const { store, clock } = options;
  if (!store || !clock) throw new TypeError('createSilenceStore needs a store and a clock');
  const random = options.random ?? (() => randomBytes(4).toString('hex'));

  return {
    async add(input) {
      if (!Number.isFinite(input.forMs) || input.forMs <= 0 || input.forMs > MAX_SILENCE_MS) {
        throw new ValidationError(`a silence lasts more than 0 and at most 90 days`);
      }
      const now = clock.now();
      const expires = now + input.forMs;
      const silence: Silence = {
        id: `sil-${random()}`,
        cluster: input.cluster,
        ...(input.node === undefined ? {} : { node: input.node }),
        ...(input.finding === undefined ? {} : { finding: input.finding }),
        ...(input.reason === undefined ? {} : { reason: input.reason.slice(0, 500) }),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(expires).toISOString(),
      };
      await store.put({ pk: PK, sk: silence.id, data: silence, expiresAt: Math.ceil(expires / 1000), condition: { kind: 'absent' } });
      return silence;
    },
    async list() {
      const silences: Silence[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<Silence>({ pk: PK, ...(cursor ? { cursor } : {}) });
        silences.push(...page.items.map((i) => i.data));
        cursor = page.cursor;
      } while (cursor);
      const now = clock.now();
      return silences.filter((s) => Date.parse(s.expiresAt) > now).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
    },
    async remove(id) {
      const item = await store.get<Silence>(PK, id);
      if (!item) throw new NotFoundError(`no active silence "${id}"`);
      await store.delete(PK, id, { kind: 'version', version: item.version });
    },
  };
}
