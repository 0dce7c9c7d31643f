import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbStateStore, ensureStateTable } from '../../shared/adapters/dynamodb-state-store.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../shared/adapters/embedded-dynamo.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { createLeaseManager } from '../../shared/app/lease-manager.ts';
import { describeLeaseContract } from './lease.contract.ts';

const TABLE = 'sealwatch-lease-contract';
let dynamo: EmbeddedDynamo;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({ inMemory: true });
  const setup = dynamoClient();
  await ensureStateTable(setup, TABLE);
  setup.destroy();
});
afterAll(async () => {
  await dynamo?.close();
});

/** maxAttempts 1: a conditional-check loss must surface at once, not after SDK backoff. */
function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'AKIDSEALWATCHTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
  });
}

describeLeaseContract('lease manager on the memory store', (clock) => {
  const store = createMemoryStateStore({ clock });
  return { manager: () => createLeaseManager({ store, clock }), close: () => store.close() };
});

describeLeaseContract('lease manager on the DynamoDB store (real @aws-sdk/client-dynamodb against dynalite)', (clock) => {
  const store = createDynamoDbStateStore({ client: dynamoClient(), table: TABLE, clock });
  return { manager: () => createLeaseManager({ store, clock }), close: () => store.close() };
});
