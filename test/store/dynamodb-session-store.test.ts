import { randomUUID } from 'node:crypto';
import { makeDynamoDbClient } from '../../lambda/runtime/dynamodb-client';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { StoreUnavailableError } from '../../lambda/store/session-store';

// What only the DynamoDB store has: errors of DynamoDB itself. Everything the SessionStore port promises
// (conditional writes, the winner's item on a lost race, tombstones, write ids, TTL, the time budget) is in the
// store contract suite, test/store/session-store-contract.test.ts, run on this store and on the in-memory one.

const client = makeDynamoDbClient({ region: 'us-east-1', dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT });

afterAll(() => client.destroy());

test('an error a retry cannot cure (no such table) is passed on as it is, for a 500', async () => {
  const missing = new DynamoDbSessionStore(client, `missing-${randomUUID()}`);
  const failure = await missing.read('k').catch((error: unknown) => error);
  expect(failure).not.toBeInstanceOf(StoreUnavailableError);
  expect((failure as Error).name).toBe('ResourceNotFoundException');
});
