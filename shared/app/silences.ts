import { randomBytes } from 'node:crypto';
import { isKnownFindingId, similarFindingIds } from '../core/finding-catalogue.ts';
import type { Silence } from '../core/incidents/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { AuditLog } from './audit-log.ts';

const PK = 'SILENCES';
/** Longest silence: a forgotten one should not mute a cluster forever. */
export const MAX_SILENCE_MS = 90 * 24 * 3_600_000;
const MAX_TEXT = 500;

export interface SilenceInput {
  cluster: string;
  node?: string;
  finding?: string;
  forMs: number;
  /** Required: why (a ticket, the maintenance). */
  comment: string;
  /** Required: who (API key name, `--author`, the OS user). */
  createdBy: string;
}

export interface SilenceStore {
  /** Throws ValidationError for a bad duration, an empty comment or author, or a finding id not in the catalogue. */
  add(input: SilenceInput): Promise<Silence>;
  /** Unexpired silences, soonest expiry first. */
  list(): Promise<Silence[]>;
  /** Ends a silence now; throws NotFoundError when no unexpired silence has that id. */
  remove(id: string, removedBy?: string): Promise<Silence>;
}

export interface SilenceStoreOptions {
  store: StateStore;
  clock: Clock;
  /** Adding and removing silences is audited in the cluster's trail when given. */
  audit?: AuditLog;
  /** Id suffix; default 4 random bytes, hex. */
  random?: () => string;
}

/** Checks a silence's finding id against the catalogue; the message suggests close ids. */
export function checkFindingId(finding: string): void {
  if (isKnownFindingId(finding)) return;
  const similar = similarFindingIds(finding);
  throw new ValidationError(
    `unknown finding id "${finding.slice(0, 128)}"${similar.length > 0 ? ` (did you mean ${similar.join(', ')}?)` : ''}; see README "Findings" for the catalogue`,
    ['finding: not in the catalogue'],
  );
}

/**
 * Silences in the state store: `pk SILENCES`, `sk <id>`, expiring through `expiresAt`, so an
 * ended silence disappears without anyone removing it. Like Alertmanager's, each carries who
 * created it and why.
 */
export function createSilenceStore(options: SilenceStoreOptions): SilenceStore {
  const { store, clock, audit } = options;
  if (!store || !clock) throw new TypeError('createSilenceStore needs a store and a clock');
  const random = options.random ?? (() => randomBytes(4).toString('hex'));

  async function record(silence: Silence, outcome: 'silence-added' | 'silence-removed', by: string): Promise<void> {
    if (!audit) return;
    const where = `${silence.node ?? '*'} ${silence.finding ?? '(every finding)'}`;
    await audit.record(silence.cluster, {
      at: new Date(clock.now()).toISOString(),
      trigger: by,
      action: 'silence',
      node: silence.node ?? '-',
      shareIndexes: [],
      wrappers: [],
      outcome,
      timings: { unwrapMs: 0, submitMs: 0, totalMs: 0 },
      message: `${silence.id} ${where} until ${silence.expiresAt}: ${silence.comment}`.slice(0, MAX_TEXT),
    });
  }

  return {
    async add(input) {
      if (!Number.isFinite(input.forMs) || input.forMs <= 0 || input.forMs > MAX_SILENCE_MS) {
        throw new ValidationError(`a silence lasts more than 0 and at most 90 days`);
      }
      const comment = (input.comment ?? '').trim();
      const createdBy = (input.createdBy ?? '').trim();
      if (comment === '') throw new ValidationError('a silence needs a comment saying why (a ticket, the maintenance)', ['comment: required']);
      if (createdBy === '') throw new ValidationError('a silence needs an author', ['createdBy: required']);
      if (input.finding !== undefined) checkFindingId(input.finding);
      const now = clock.now();
      const expires = now + input.forMs;
      const silence: Silence = {
        id: `sil-${random()}`,
        cluster: input.cluster,
        ...(input.node === undefined ? {} : { node: input.node }),
        ...(input.finding === undefined ? {} : { finding: input.finding }),
        createdBy: createdBy.slice(0, 200),
        comment: comment.slice(0, MAX_TEXT),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(expires).toISOString(),
      };
      await store.put({ pk: PK, sk: silence.id, data: silence, expiresAt: Math.ceil(expires / 1000), condition: { kind: 'absent' } });
      await record(silence, 'silence-added', silence.createdBy);
      return silence;
    },
    async list() {
      const silences: Silence[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<Silence>({ pk: PK, ...(cursor ? { cursor } : {}) });
        silences.push(...page.items.map((i) => upgrade(i.data)));
        cursor = page.cursor;
      } while (cursor);
      const now = clock.now();
      return silences.filter((s) => Date.parse(s.expiresAt) > now).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
    },
    async remove(id, removedBy = 'unknown') {
      const item = id.length <= 64 ? await store.get<Silence>(PK, id) : null;
      if (!item || Date.parse(item.data.expiresAt) <= clock.now()) throw new NotFoundError(`no active silence "${id.slice(0, 64)}"`);
      await store.delete(PK, id, { kind: 'version', version: item.version });
      const silence = upgrade(item.data);
      await record(silence, 'silence-removed', removedBy);
      return silence;
    },
  };
}

/** Silences written before `createdBy`/`comment` existed carried an optional `reason`. */
function upgrade(stored: Silence & { reason?: string }): Silence {
  const { reason, ...rest } = stored;
  return { ...rest, createdBy: stored.createdBy ?? 'unknown', comment: stored.comment ?? reason ?? '' };
}
