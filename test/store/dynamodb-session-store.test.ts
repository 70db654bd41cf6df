import { randomUUID } from 'node:crypto';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { StoreUnavailableError } from '../../lambda/store/session-store';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// What only the DynamoDB store has: errors of DynamoDB itself. Everything the SessionStore port promises
// (conditional writes, the winner's item on a lost race, tombstones, write ids, TTL, the time budget) is in the
// store contract suite, test/store/session-store-contract.test.ts, run on this store and on the in-memory one.

// The SDK's default time-outs, not the service's 1 s ones: on a busy machine a slow answer must not fail a test.
const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);

afterAll(() => client.destroy());

it('an error a retry cannot cure (no such table) is passed on as it is, for a 500', async () => {
  const missing = new DynamoDbSessionStore(client, `missing-${randomUUID()}`);
  const failure = await missing.read('k').catch((error: unknown) => error);
  expect(failure).not.toBeInstanceOf(StoreUnavailableError);
  expect((failure as Error).name).toBe('ResourceNotFoundException');
});
