/**
 * The state store: one table of items keyed by partition (`pk`, e.g. `CLUSTER#prod`) and sort
 * key (`sk`, e.g. `STATE`, `LEASE#unseal`, `SHARE#3`). Each item carries an optimistic
 * `version` that every write increments, an opaque JSON `data` object and, for audit, outbox
 * and idempotency records, an `expiresAt` (epoch seconds).
 *
 * Guarantees:
 * - Writes are conditional; no transactions are used (dynalite has none).
 * - Reads never return an item whose `expiresAt` is in the past (the embedded store never
 *   deletes expired items itself, so readers filter by the clock they are given).
 * - `data` is stored as given: callers must never put plaintext key material in it.
 *
 * Errors: ConflictError when a write condition fails; UnavailableError when the store cannot be
 * reached (retryable); ValidationError for malformed keys or oversized items (400 KB).
 */
export interface StateItem<T = Record<string, unknown>> {
  pk: string;
  sk: string;
  /** 1 after the first write; incremented by every successful write. */
  version: number;
  data: T;
  /** Epoch seconds after which the item counts as gone. */
  expiresAt?: number;
}

/** When a write may happen. */
export type WriteCondition =
  /** Unconditional. */
  | { kind: 'any' }
  /** Only if no (unexpired) item exists at that key. */
  | { kind: 'absent' }
  /** Only if the stored item has exactly this version. */
  | { kind: 'version'; version: number }
  /** Only if there is no item, or it has expired (`expiresAt` ≤ nowSeconds). Leases use this. */
  | { kind: 'absent-or-expired'; nowSeconds: number }
  /**
   * Only if the stored item holds exactly this data (compared as written: the same fields in the
   * same order). For an item its writer knows by content, so no read is needed first: a lease
   * record names its owner and expiry. Unlike a version, content written once by one owner does
   * not come back when the item is deleted and written again.
   */
  | { kind: 'same-data'; data: unknown };

export interface PutRequest<T> {
  pk: string;
  sk: string;
  data: T;
  expiresAt?: number;
  condition: WriteCondition;
}

export interface QueryRequest {
  pk: string;
  /** Only items whose sort key starts with this. */
  skPrefix?: string;
  /** Page size; the store may return fewer. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface QueryPage<T> {
  items: StateItem<T>[];
  cursor?: string;
}

/** A page of `queryVersions`: each unexpired item's sort key and version, in sort-key order. */
export interface VersionPage {
  items: { sk: string; version: number }[];
  cursor?: string;
}

export interface StateStore {
  get<T = Record<string, unknown>>(pk: string, sk: string): Promise<StateItem<T> | null>;
  /**
   * Reads several items in as few round trips as the backend allows (a sweep reads every
   * cluster's record at once). Results are in key order; missing or expired items are null.
   */
  getMany<T = Record<string, unknown>>(keys: readonly { pk: string; sk: string }[]): Promise<(StateItem<T> | null)[]>;
  /**
   * The current version of each item (null when missing or expired), without its data, in key
   * order: a reader that keeps what it read checks it with this instead of reading it again (a
   * sweep's cluster records). A version names one write of its key: a later write never gives
   * the key an earlier version back unless the item was deleted in between.
   */
  versions(keys: readonly { pk: string; sk: string }[]): Promise<(number | null)[]>;
  /** Writes and returns the item with its new version. */
  put<T>(request: PutRequest<T>): Promise<StateItem<T>>;
  /**
   * Writes several items unconditionally in as few round trips as the backend allows (DynamoDB:
   * BatchWriteItem, 25 items a call): a sweep's per-cluster heartbeats, and the records of
   * clusters seen for the first time. Each item replaces whatever was at its key. A batch write
   * cannot count versions up, so each item gets a fresh version no earlier write of that key
   * holds (epoch milliseconds × 1000 plus a random part): a writer still holding an older version
   * fails its version condition, as after any other write, and later puts count up from it.
   * Keys, expiries and data are validated before any item is written; a key given twice is
   * written once, with its last data. Each item written counts as one write. Returns the version
   * each item was written with, in item order (a key given twice: its one version, twice).
   */
  putMany<T>(items: readonly Omit<PutRequest<T>, 'condition'>[]): Promise<number[]>;
  /** Deletes; with a version condition only if it still matches. Deleting nothing is fine. */
  delete(pk: string, sk: string, condition?: WriteCondition): Promise<void>;
  query<T = Record<string, unknown>>(request: QueryRequest): Promise<QueryPage<T>>;
  /**
   * Like `query`, but each item's sort key and version only, without its data: a reader that keeps
   * a partition's items checks them with one request (a sweep's cluster records), where `versions`
   * asks for every key. Pages and cursors as `query`'s.
   */
  queryVersions(request: QueryRequest): Promise<VersionPage>;
  close(): Promise<void>;
}
