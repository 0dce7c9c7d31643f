import { ConflictError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import { freshVersion } from './fresh-version.ts';
import type { PutRequest, QueryPage, QueryRequest, StateItem, StateStore, VersionPage, WriteCondition } from '../ports/state-store.ts';

export interface MemoryStateStoreOptions {
  /** Decides which items count as expired. */
  clock: Clock;
}

interface Stored {
  pk: string;
  sk: string;
  version: number;
  /** JSON text, so callers never share an object with the store (as with a real table). */
  json: string;
  expiresAt?: number;
}

// DynamoDB's limits, so code that passes here does not fail on the real table.
const MAX_ITEM_BYTES = 400 * 1024;
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
const MAX_EXPIRES_AT = 100_000_000_000;

/**
 * An in-process StateStore with the behaviour of the DynamoDB one: the same write conditions,
 * versions that keep counting across an expired item being replaced, expiry by `clock`, sort-key
 * order (UTF-8 bytes), and paging (writes are counted, where wanted, by app/counting-store.ts). For unit tests of application services.
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions): StateStore {
  return new MemoryStateStore(options.clock);
}

class MemoryStateStore implements StateStore {
  readonly #clock: Clock;
  readonly #items = new Map<string, Stored>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async getMany<T>(keys: readonly { pk: string; sk: string }[]): Promise<(StateItem<T> | null)[]> {
    const items: (StateItem<T> | null)[] = [];
    for (const k of keys) items.push(await this.get<T>(k.pk, k.sk));
    return items;
  }

  async versions(keys: readonly { pk: string; sk: string }[]): Promise<(number | null)[]> {
    const now = this.#nowSeconds();
    return keys.map((k) => {
      checkKey(k.pk, k.sk);
      const stored = this.#items.get(mapKey(k.pk, k.sk));
      return stored && !this.#expired(stored, now) ? stored.version : null;
    });
  }

  async get<T>(pk: string, sk: string): Promise<StateItem<T> | null> {
    checkKey(pk, sk);
    const stored = this.#items.get(mapKey(pk, sk));
    return stored && !this.#expired(stored, this.#nowSeconds()) ? toItem<T>(stored) : null;
  }

  async putMany<T>(items: readonly Omit<PutRequest<T>, 'condition'>[]): Promise<number[]> {
    // All validated before any is written, as one failed BatchWriteItem writes nothing.
    const stored = new Map<string, Stored>();
    for (const { pk, sk, data, expiresAt } of items)
      stored.set(mapKey(pk, sk), { ...this.#encode(pk, sk, data, expiresAt), version: freshVersion(this.#clock.now()) });
    for (const [k, s] of stored) this.#items.set(k, s);
    return items.map(({ pk, sk }) => stored.get(mapKey(pk, sk))?.version ?? 0);
  }

  async put<T>(request: PutRequest<T>): Promise<StateItem<T>> {
    const { pk, sk, data, expiresAt, condition } = request;
    const encoded = this.#encode(pk, sk, data, expiresAt);
    const previous = this.#items.get(mapKey(pk, sk));
    this.#check(condition, previous, pk, sk);
    const stored: Stored = { ...encoded, version: (previous?.version ?? 0) + 1 };
    this.#items.set(mapKey(pk, sk), stored);
    return { pk, sk, version: stored.version, data, ...(expiresAt === undefined ? {} : { expiresAt }) };
  }

  /** Checks an item against DynamoDB's limits and turns it into what is stored, minus the version. */
  #encode(pk: string, sk: string, data: unknown, expiresAt: number | undefined): Omit<Stored, 'version'> {
    checkKey(pk, sk);
    if (expiresAt !== undefined && !(Number.isFinite(expiresAt) && expiresAt >= 0 && expiresAt < MAX_EXPIRES_AT)) {
      throw new ValidationError(`expiresAt must be epoch seconds, got ${expiresAt}`);
    }
    const json = data === undefined ? undefined : JSON.stringify(data);
    if (json === undefined) throw new ValidationError(`state item ${pk} ${sk}: data is not JSON`);
    const size = bytes('pk' + pk + 'sk' + sk + 'v' + 'data' + json + 'ttl') + 32;
    if (size > MAX_ITEM_BYTES) {
      throw new ValidationError(`state item ${pk} ${sk} is larger than 400 KB`, ['item size: at most 400 KB']);
    }
    return { pk, sk, json, ...(expiresAt === undefined ? {} : { expiresAt }) };
  }

  async delete(pk: string, sk: string, condition: WriteCondition = { kind: 'any' }): Promise<void> {
    checkKey(pk, sk);
    this.#check(condition, this.#items.get(mapKey(pk, sk)), pk, sk);
    this.#items.delete(mapKey(pk, sk));
  }

  async query<T>(request: QueryRequest): Promise<QueryPage<T>> {
    const { pk, skPrefix = '', limit, cursor } = request;
    checkPart('pk', pk, MAX_PK_BYTES);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
      throw new ValidationError(`query limit must be a positive integer, got ${limit}`);
    }
    const after = cursor === undefined ? undefined : decodeCursor(cursor, pk);
    const matching = [...this.#items.values()]
      .filter((s) => s.pk === pk && s.sk.startsWith(skPrefix))
      .filter((s) => after === undefined || compareSk(s.sk, after) > 0)
      .sort((a, b) => compareSk(a.sk, b.sk));
    // Like DynamoDB, the limit counts items examined, expired ones included.
    const page = limit === undefined ? matching : matching.slice(0, limit);
    const now = this.#nowSeconds();
    const items = page.filter((s) => !this.#expired(s, now)).map((s) => toItem<T>(s));
    const last = page.at(-1);
    return last !== undefined && page.length < matching.length ? { items, cursor: encodeCursor(pk, last.sk) } : { items };
  }

  async queryVersions(request: QueryRequest): Promise<VersionPage> {
    const page = await this.query(request);
    const items = page.items.map((item) => ({ sk: item.sk, version: item.version }));
    return page.cursor === undefined ? { items } : { items, cursor: page.cursor };
  }

  async close(): Promise<void> {}

  #nowSeconds(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  #expired(stored: Stored, nowSeconds: number): boolean {
    return stored.expiresAt !== undefined && stored.expiresAt <= nowSeconds;
  }

  #check(condition: WriteCondition, stored: Stored | undefined, pk: string, sk: string): void {
    let ok: boolean;
    switch (condition.kind) {
      case 'any':
        ok = true;
        break;
      case 'version':
        if (!(Number.isInteger(condition.version) && condition.version >= 1)) {
          throw new ValidationError(`version condition needs a positive integer, got ${condition.version}`);
        }
        ok = stored?.version === condition.version;
        break;
      case 'absent':
        ok = stored === undefined || this.#expired(stored, this.#nowSeconds());
        break;
      case 'same-data': {
        const expected = JSON.stringify(condition.data);
        if (expected === undefined) throw new ValidationError(`state item ${pk} ${sk}: data is not JSON`);
        ok = stored !== undefined && stored.json === expected;
        break;
      }
      case 'absent-or-expired':
        ok = stored === undefined || this.#expired(stored, condition.nowSeconds);
        break;
    }
    if (!ok) throw new ConflictError(`state item ${pk} ${sk}: write condition (${condition.kind}) not met`);
  }
}

function toItem<T>(stored: Stored): StateItem<T> {
  const { pk, sk, version, json, expiresAt } = stored;
  return { pk, sk, version, data: JSON.parse(json) as T, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

function mapKey(pk: string, sk: string): string {
  return JSON.stringify([pk, sk]);
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** DynamoDB orders string sort keys by their UTF-8 bytes, not by UTF-16 code units. */
function compareSk(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkKey(pk: string, sk: string): void {
  checkPart('pk', pk, MAX_PK_BYTES);
  checkPart('sk', sk, MAX_SK_BYTES);
}

function checkPart(label: string, value: string, maxBytes: number): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`state item ${label} must be a non-empty string`);
  }
  if (bytes(value) > maxBytes) throw new ValidationError(`state item ${label} is longer than ${maxBytes} bytes`);
}

function encodeCursor(pk: string, sk: string): string {
  return Buffer.from(JSON.stringify({ pk, sk }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, pk: string): string {
  let parsed: { pk?: unknown; sk?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed?.sk !== 'string' || parsed.pk !== pk) {
    throw new ValidationError('query cursor is malformed or belongs to another partition');
  }
  return parsed.sk;
}
