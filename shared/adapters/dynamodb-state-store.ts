import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError, type SealwatchError, UnavailableError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { PutRequest, QueryPage, QueryRequest, StateItem, StateStore, VersionPage, WriteCondition } from '../ports/state-store.ts';
import { classifyAwsError, translateAwsError, type AwsErrorOverrides } from './aws-errors.ts';
import { freshVersion } from './fresh-version.ts';
import { systemClock } from './system-clock.ts';

export interface DynamoDbStateStoreOptions {
  /** Owned by the store from now on: `close()` destroys it. */
  client: DynamoDBClient;
  table: string;
  /** Decides which items count as expired (the table's TTL attribute is only best-effort). */
  clock: Clock;
}

type Item = Record<string, AttributeValue>;
type Expression = { text?: string; names: Record<string, string>; values: Item };

const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
// Epoch seconds past year 5000 are almost surely milliseconds passed by mistake.
const MAX_EXPIRES_AT = 100_000_000_000;

/**
 * A StateStore on one DynamoDB table (`pk` S hash, `sk` S range; attributes `v` N, `data` S
 * holding the JSON of `data`, `ttl` N epoch seconds, the table's TTL attribute). Writes are one
 * conditional UpdateItem each, so versions keep counting up across an expired item being
 * replaced (`putMany` is one BatchWriteItem per 25 items and writes fresh versions); reads are strongly consistent and drop items whose `ttl` has passed by `clock`.
 * SDK errors become sealwatch errors here and nowhere else.
 *
 * @throws ValidationError when the table name is not a valid DynamoDB table name.
 */
export function createDynamoDbStateStore(options: DynamoDbStateStoreOptions): StateStore {
  const { client, table, clock } = options;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new ValidationError(`"${table}" is not a valid DynamoDB table name`, ['table: 3-255 of A-Z a-z 0-9 _ . -']);
  }
  const nowSeconds = (): number => Math.floor(clock.now() / 1000);
  const send = async <R>(action: string, run: () => Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (error) {
      throw translateDynamoDbError(error, table, action);
    }
  };

  /**
   * Every item of `keys` that exists, handed to `each` as DynamoDB returns it. BatchGetItem takes
   * 100 keys per call and may hand some back as unprocessed (throttling): those are asked for
   * again, a bounded number of times. The calls go out in parallel.
   */
  async function batchGet(
    keys: readonly { pk: string; sk: string }[],
    projection: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } | undefined,
    each: (raw: Item) => void,
  ): Promise<void> {
    for (const k of keys) checkKey(k.pk, k.sk);
    const chunks: { pk: string; sk: string }[][] = [];
    for (let start = 0; start < keys.length; start += 100) chunks.push(keys.slice(start, start + 100));
    await settleAll(
      chunks.map(async (chunk) => {
        let pending: Item[] = dedupeKeys(chunk).map((k) => key(k.pk, k.sk));
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt === 5) throw new UnavailableError(`BatchGetItem on ${table}: keys still unprocessed after ${attempt} attempts`);
          const request = { RequestItems: { [table]: { Keys: pending, ConsistentRead: true, ...projection } } };
          const out = await send(`BatchGetItem (${pending.length} keys)`, () => client.send(new BatchGetItemCommand(request)));
          for (const raw of out.Responses?.[table] ?? []) each(raw);
          pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
          if (pending.length > 0) await clock.sleep(25 * 2 ** attempt);
        }
      }),
    );
  }

  /** One page of a Query of `pk` (strongly consistent), all attributes or only `projection`. */
  async function queryPage(request: QueryRequest, projection: string | undefined) {
    const { pk, skPrefix, limit, cursor } = request;
    checkPart('pk', pk, MAX_PK_BYTES);
    const prefixed = skPrefix !== undefined && skPrefix !== '';
    if (prefixed) checkPart('skPrefix', skPrefix, MAX_SK_BYTES);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
      throw new ValidationError(`query limit must be a positive integer, got ${limit}`);
    }
    const names: Record<string, string> = { '#pk': 'pk' };
    if (prefixed || projection !== undefined) names['#sk'] = 'sk';
    if (projection !== undefined) Object.assign(names, { '#v': 'v', '#ttl': 'ttl' });
    return send(`Query ${pk}`, () =>
      client.send(
        new QueryCommand({
          TableName: table,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk' + (prefixed ? ' AND begins_with(#sk, :prefix)' : ''),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':pk': { S: pk }, ...(prefixed ? { ':prefix': { S: skPrefix } } : {}) },
          ...(projection === undefined ? {} : { ProjectionExpression: projection }),
          ...(limit === undefined ? {} : { Limit: limit }),
          ...(cursor === undefined ? {} : { ExclusiveStartKey: decodeCursor(cursor, pk) }),
        }),
      ),
    );
  }

  return {
    async get<T>(pk: string, sk: string): Promise<StateItem<T> | null> {
      checkKey(pk, sk);
      const out = await send(`GetItem ${pk} ${sk}`, () => client.send(new GetItemCommand({ TableName: table, Key: key(pk, sk), ConsistentRead: true })));
      if (!out.Item) return null;
      const item = decodeItem<T>(out.Item, table);
      return isExpired(item, nowSeconds()) ? null : item;
    },

    async getMany<T>(keys: readonly { pk: string; sk: string }[]): Promise<(StateItem<T> | null)[]> {
      const found = new Map<string, StateItem<T>>();
      await batchGet(keys, undefined, (raw) => {
        const item = decodeItem<T>(raw, table);
        found.set(`${item.pk}\u0000${item.sk}`, item);
      });
      const now = nowSeconds();
      return keys.map((k) => {
        const item = found.get(`${k.pk}\u0000${k.sk}`);
        return item && !isExpired(item, now) ? item : null;
      });
    },

    async versions(keys: readonly { pk: string; sk: string }[]): Promise<(number | null)[]> {
      const found = new Map<string, ItemHeader>();
      // Only the key, version and expiry come back: no data to send, parse or decode.
      await batchGet(
        keys,
        { ProjectionExpression: '#pk, #sk, #v, #ttl', ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#v': 'v', '#ttl': 'ttl' } },
        (raw) => {
          const header = decodeHeader(raw, table);
          found.set(`${header.pk}\u0000${header.sk}`, header);
        },
      );
      const now = nowSeconds();
      return keys.map((k) => {
        const item = found.get(`${k.pk}\u0000${k.sk}`);
        return item && !isExpired(item, now) ? item.version : null;
      });
    },

    async put<T>(request: PutRequest<T>): Promise<StateItem<T>> {
      const { pk, sk, data, expiresAt, condition } = request;
      checkKey(pk, sk);
      checkExpiresAt(expiresAt);
      const json = encodeData(data, pk, sk);
      const cond = conditionExpression(condition, nowSeconds(), { pk, sk });
      const ttl = expiresAt === undefined ? undefined : String(expiresAt);
      const out = await send(`UpdateItem ${pk} ${sk}`, () =>
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key(pk, sk),
            UpdateExpression: 'SET #v = if_not_exists(#v, :zero) + :one, #data = :data' + (ttl === undefined ? ' REMOVE #ttl' : ', #ttl = :ttl'),
            ...(cond.text === undefined ? {} : { ConditionExpression: cond.text }),
            ExpressionAttributeNames: { ...cond.names, '#v': 'v', '#data': 'data', '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ...cond.values,
              ':zero': { N: '0' },
              ':one': { N: '1' },
              ':data': { S: json },
              ...(ttl === undefined ? {} : { ':ttl': { N: ttl } }),
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      const version = Number(out.Attributes?.['v']?.N);
      if (!Number.isInteger(version)) {
        throw new UnavailableError(`DynamoDB UpdateItem on table ${table} returned no version for ${pk} ${sk}`);
      }
      return { pk, sk, version, data, ...(expiresAt === undefined ? {} : { expiresAt }) };
    },

    async putMany<T>(items: readonly Omit<PutRequest<T>, 'condition'>[]): Promise<number[]> {
      // Validated and encoded up front, so a bad item fails the call before anything is written.
      const encoded = new Map<string, Item>();
      for (const { pk, sk, data, expiresAt } of items) {
        checkKey(pk, sk);
        checkExpiresAt(expiresAt);
        // BatchWriteItem rejects a request naming one key twice; the last data wins, as with puts.
        encoded.set(`${pk}\u0000${sk}`, {
          ...key(pk, sk),
          v: { N: String(freshVersion(clock.now())) },
          data: { S: encodeData(data, pk, sk) },
          ...(expiresAt === undefined ? {} : { ttl: { N: String(expiresAt) } }),
        });
      }
      const all = [...encoded.values()];
      // 25 puts per call; DynamoDB may hand some back as unprocessed (throttling): those are sent
      // again, a bounded number of times. The chunks go out in parallel.
      const chunks: Item[][] = [];
      for (let start = 0; start < all.length; start += 25) chunks.push(all.slice(start, start + 25));
      await settleAll(
        chunks.map(async (chunk) => {
          let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt === 5) throw new UnavailableError(`BatchWriteItem on ${table}: items still unprocessed after ${attempt} attempts`);
            const request = { RequestItems: { [table]: pending } };
            const out = await send(`BatchWriteItem (${pending.length} items)`, () => client.send(new BatchWriteItemCommand(request)));
            const left = out.UnprocessedItems?.[table] ?? [];
            pending = left.flatMap((w) => (w.PutRequest?.Item ? [{ PutRequest: { Item: w.PutRequest.Item } }] : []));
            if (pending.length > 0) await clock.sleep(25 * 2 ** attempt);
          }
        }),
      );
      return items.map(({ pk, sk }) => Number(encoded.get(`${pk}\u0000${sk}`)?.['v']?.N));
    },

    async delete(pk: string, sk: string, condition: WriteCondition = { kind: 'any' }): Promise<void> {
      checkKey(pk, sk);
      const cond = conditionExpression(condition, nowSeconds(), { pk, sk });
      await send(`DeleteItem ${pk} ${sk}`, () =>
        client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: key(pk, sk),
            ...(cond.text === undefined
              ? {}
              : {
                  ConditionExpression: cond.text,
                  ExpressionAttributeNames: cond.names,
                  ExpressionAttributeValues: cond.values,
                }),
          }),
        ),
      );
    },

    async query<T>(request: QueryRequest): Promise<QueryPage<T>> {
      const out = await queryPage(request, undefined);
      const now = nowSeconds();
      const items = (out.Items ?? []).map((raw) => decodeItem<T>(raw, table)).filter((item) => !isExpired(item, now));
      const next = out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined;
      return next === undefined ? { items } : { items, cursor: next };
    },

    async queryVersions(request: QueryRequest): Promise<VersionPage> {
      // Only the key, version and expiry come back: no data to send, parse or decode.
      const out = await queryPage(request, '#sk, #v, #ttl');
      const now = nowSeconds();
      const items = (out.Items ?? [])
        .map((raw) => decodeHeader({ ...raw, pk: { S: request.pk } }, table))
        .filter((header) => !isExpired(header, now))
        .map((header) => ({ sk: header.sk, version: header.version }));
      const next = out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined;
      return next === undefined ? { items } : { items, cursor: next };
    },

    async close(): Promise<void> {
      client.destroy();
    },
  };
}

/**
 * Creates the state table (PAY_PER_REQUEST, `pk`/`sk` strings) if it is missing and waits until
 * it is ACTIVE. For the embedded store and tests; in AWS the table comes from infra (with TTL on
 * `ttl`, which dynalite cannot enable). Returns true when this call created it (a new, empty table).
 *
 * @throws UnavailableError when the table is not ACTIVE within `timeoutMs` (default 30 s).
 */
export async function ensureStateTable(client: DynamoDBClient, table: string, options: { clock?: Clock; timeoutMs?: number } = {}): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  const status = async (): Promise<string | undefined> => {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: table }));
      return out.Table?.TableStatus ?? 'UNKNOWN';
    } catch (error) {
      if (classifyAwsError(error) === 'not-found') return undefined;
      throw translateDynamoDbError(error, table, 'DescribeTable');
    }
  };
  let created = false;
  if ((await status()) === undefined) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      created = true;
    } catch (error) {
      // Another process created it first: fine, wait for it like our own.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) {
        throw translateDynamoDbError(error, table, 'CreateTable');
      }
    }
  }
  const attempts = Math.ceil((options.timeoutMs ?? 30_000) / 100);
  for (let i = 0; i < attempts; i += 1) {
    if ((await status()) === 'ACTIVE') return created;
    await clock.sleep(100);
  }
  throw new UnavailableError(`DynamoDB table ${table} did not become ACTIVE in time`);
}

/** DynamoDB names the generic AWS rules would misjudge. */
function stateStoreOverrides(table: string): AwsErrorOverrides {
  return {
    ConditionalCheckFailedException: (message, shape, cause) => new ConflictError(`${message}: write condition not met`, { cause, reason: 'write-condition' }),
    ResourceNotFoundException: (message, shape, cause) =>
      new NotFoundError(`DynamoDB table ${table} does not exist (or is not ACTIVE) in this account and region (${message})`, { cause }),
    // Too much data under one partition key: the same write fails again.
    ItemCollectionSizeLimitExceededException: 'validation',
  };
}

/**
 * Maps an SDK or transport error to the sealwatch hierarchy through the one AWS classifier,
 * keeping it as `cause`. DynamoDB's texts name attributes and limits, not values; they are quoted
 * (capped).
 */
export function translateDynamoDbError(error: unknown, table: string, action: string): SealwatchError {
  return translateAwsError(error, {
    where: `DynamoDB ${action} on table ${table}`,
    overrides: stateStoreOverrides(table),
    quoteProvider: true,
    rejectedCode: 'dynamodb_error',
  });
}

function key(pk: string, sk: string): Item {
  return { pk: { S: pk }, sk: { S: sk } };
}

function checkKey(pk: string, sk: string): void {
  checkPart('pk', pk, MAX_PK_BYTES);
  checkPart('sk', sk, MAX_SK_BYTES);
}

function checkPart(label: string, value: string, maxBytes: number): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`state item ${label} must be a non-empty string`);
  }
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new ValidationError(`state item ${label} is longer than ${maxBytes} bytes`);
  }
}

function checkExpiresAt(expiresAt: number | undefined): void {
  if (expiresAt === undefined) return;
  if (!(Number.isFinite(expiresAt) && expiresAt >= 0 && expiresAt < MAX_EXPIRES_AT)) {
    throw new ValidationError(`expiresAt must be epoch seconds, got ${expiresAt}`);
  }
}

function encodeData(data: unknown, pk: string, sk: string): string {
  const json = data === undefined ? undefined : JSON.stringify(data);
  if (json === undefined) throw new ValidationError(`state item ${pk} ${sk}: data is not JSON`);
  return json;
}

function conditionExpression(condition: WriteCondition, nowSeconds: number, key: { pk: string; sk: string }): Expression {
  switch (condition.kind) {
    case 'any':
      return { names: {}, values: {} };
    case 'version':
      if (!(Number.isInteger(condition.version) && condition.version >= 1)) {
        throw new ValidationError(`version condition needs a positive integer, got ${condition.version}`);
      }
      return { text: '#v = :expected', names: { '#v': 'v' }, values: { ':expected': { N: String(condition.version) } } };
    case 'same-data':
      // `data` is stored as its JSON text, so equal text is equal data as written.
      return { text: '#data = :expectedData', names: { '#data': 'data' }, values: { ':expectedData': { S: encodeData(condition.data, key.pk, key.sk) } } };
    case 'absent':
    case 'absent-or-expired': {
      // An item whose TTL passed still exists until DynamoDB sweeps it; it counts as absent.
      const now = condition.kind === 'absent' ? nowSeconds : condition.nowSeconds;
      return {
        text: 'attribute_not_exists(#pk) OR #ttl <= :now',
        names: { '#pk': 'pk', '#ttl': 'ttl' },
        values: { ':now': { N: String(now) } },
      };
    }
  }
}

function isExpired(item: { expiresAt?: number }, nowSeconds: number): boolean {
  return item.expiresAt !== undefined && item.expiresAt <= nowSeconds;
}

/** An item's key, version and expiry: what every read decodes, with or without its data. */
type ItemHeader = Omit<StateItem<never>, 'data'>;

function decodeHeader(raw: Item, table: string): ItemHeader {
  const pk = raw['pk']?.S;
  const sk = raw['sk']?.S;
  const version = Number(raw['v']?.N);
  const ttl = raw['ttl']?.N;
  if (pk === undefined || sk === undefined || !Number.isInteger(version)) {
    throw new ValidationError(`an item in DynamoDB table ${table} is not a sealwatch state item`);
  }
  return { pk, sk, version, ...(ttl === undefined ? {} : { expiresAt: Number(ttl) }) };
}

function decodeItem<T>(raw: Item, table: string): StateItem<T> {
  const header = decodeHeader(raw, table);
  const json = raw['data']?.S;
  if (json === undefined) throw new ValidationError(`an item in DynamoDB table ${table} is not a sealwatch state item`);
  let data: T;
  try {
    data = JSON.parse(json) as T;
  } catch (error) {
    throw new ValidationError(`state item ${header.pk} ${header.sk} in table ${table} holds malformed JSON`, [], { cause: error });
  }
  return { ...header, data };
}

function encodeCursor(lastKey: Item): string {
  return Buffer.from(JSON.stringify({ pk: lastKey['pk']?.S, sk: lastKey['sk']?.S }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, pk: string): Item {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const last = parsed as { pk?: unknown; sk?: unknown } | undefined;
  if (typeof last?.sk !== 'string' || last.pk !== pk) {
    throw new ValidationError('query cursor is malformed or belongs to another partition');
  }
  return key(pk, last.sk);
}

// BatchGetItem rejects a request that names the same key twice.
function dedupeKeys(keys: readonly { pk: string; sk: string }[]): { pk: string; sk: string }[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.pk}\u0000${k.sk}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Waits for every chunk of a batched call, then throws the first failure: a failed chunk does not
 * leave the others' requests and retries running after the call has returned.
 */
async function settleAll(calls: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
