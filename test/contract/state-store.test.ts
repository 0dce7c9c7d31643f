import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbStateStore, ensureStateTable } from '../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../shared/adapters/embedded-dynamo.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { AccessDeniedError, ConflictError, NotFoundError, ThrottledError, UnavailableError, ValidationError } from '../../shared/errors.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { describeStateStoreContract } from './state-store.contract.ts';
import { countingStore } from '../../shared/app/counting-store.ts';

const TABLE = 'sealwatch-contract';
let dynamo: EmbeddedDynamo;
let wire: { server: Server; endpoint: string; answer: { status: number; type: string } };

/** maxAttempts 1: fault tests must not wait on SDK backoff. */
function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ inMemory: true });
  const setup = client(dynamo.endpoint);
  await ensureStateTable(setup, TABLE);
  setup.destroy();

  // Answers every DynamoDB call with one configurable error, as DynamoDB puts it on the wire.
  const answer = { status: 400, type: 'ThrottlingException' };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: 'refused by test' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  wire = { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answer };
});

afterAll(async () => {
  await dynamo?.close();
  if (wire) await new Promise<void>((done) => wire.server.close(() => done()));
});

describeStateStoreContract('memory', (clock) => createMemoryStateStore({ clock }));

describeStateStoreContract('dynamodb (real @aws-sdk/client-dynamodb against dynalite)', (clock) =>
  createDynamoDbStateStore({ client: client(dynamo.endpoint), table: TABLE, clock }),
);

describe('dynamodb state store: table layout and error translation', () => {
  const clock = new FakeClock();

  it('stores pk, sk, v, data (JSON) and ttl as the table layout says', async () => {
    const raw = client(dynamo.endpoint);
    const store = createDynamoDbStateStore({ client: raw, table: TABLE, clock });
    const expiresAt = Math.floor(clock.now() / 1000) + 60;
    await store.put({ pk: 'CLUSTER#layout', sk: 'AUDIT#1', data: { a: 1 }, expiresAt, condition: { kind: 'any' } });
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const out = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'CLUSTER#layout' }, sk: { S: 'AUDIT#1' } } }));
    expect(out.Item).toEqual({
      pk: { S: 'CLUSTER#layout' },
      sk: { S: 'AUDIT#1' },
      v: { N: '1' },
      data: { S: '{"a":1}' },
      ttl: { N: String(expiresAt) },
    });
    await store.close();
  });

  it('a missing table is a NotFoundError naming the table', async () => {
    const store = createDynamoDbStateStore({ client: client(dynamo.endpoint), table: 'no-such-table', clock });
    const error = await store.get('CLUSTER#x', 'STATE').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('no-such-table');
    expect((error as Error).cause).toBeDefined();
    await store.close();
  });

  it('a store nobody listens on is Unavailable (retryable)', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const store = createDynamoDbStateStore({ client: client(`http://127.0.0.1:${port}`), table: TABLE, clock });
    await expect(store.get('CLUSTER#x', 'STATE')).rejects.toBeInstanceOf(UnavailableError);
    await store.close();
  });

  it.each([
    [400, 'ThrottlingException', ThrottledError],
    [400, 'ProvisionedThroughputExceededException', ThrottledError],
    [400, 'AccessDeniedException', AccessDeniedError],
    [400, 'ValidationException', ValidationError],
    [400, 'ConditionalCheckFailedException', ConflictError],
    [500, 'InternalServerError', UnavailableError],
    [503, 'ServiceUnavailable', UnavailableError],
  ])('HTTP %i %s becomes %O', async (status, type, expected) => {
    wire.answer.status = status;
    wire.answer.type = type;
    const store = countingStore(createDynamoDbStateStore({ client: client(wire.endpoint), table: TABLE, clock }));
    const error = await store.put({ pk: 'CLUSTER#x', sk: 'STATE', data: { n: 1 }, condition: { kind: 'any' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(expected);
    expect((error as Error).message).toContain(TABLE);
    expect(((error as Error).cause as Error).name).toBe(type);
    expect(store.writeCount()).toBe(0);
    await store.close();
  });

  it('rejects an invalid table name at creation', () => {
    expect(() => createDynamoDbStateStore({ client: client(dynamo.endpoint), table: 'a b', clock })).toThrow(ValidationError);
  });
});
