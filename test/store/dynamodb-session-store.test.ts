import { randomUUID } from 'node:crypto';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { StoreUnavailableError } from '../../lambda/store/session-store';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// The DynamoDB store against DynamoDB Local (test/support/global-setup.ts sets DYNAMODB_ENDPOINT): what the retry
// loop relies on — conditional writes, the winner's item on a lost race, faults mapped to StoreUnavailableError.

// The SDK's default time-outs, not the service's 1 s ones: on a busy machine a slow answer must not fail a test.
const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `store-test-${randomUUID()}`;
const store = new DynamoDbSessionStore(client, tableName);
const documentWith = (marker: number) => ({ changeNumber: marker, marker }) as unknown as SessionDocument;

beforeAll(() => ensureSessionTable(client, tableName));
afterAll(() => client.destroy());

test('a create on an existing key is rejected with the item that is there (ALL_OLD)', async () => {
  const key = `k-${randomUUID()}`;
  expect(await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true })).toEqual({
    outcome: 'written',
    version: 1,
  });
  const lost = await store.write(key, { kind: 'session', document: documentWith(2) }, { absent: true });
  expect(lost.outcome).toBe('rejected');
  expect(lost.outcome === 'rejected' && lost.current).toMatchObject({
    kind: 'session',
    version: 1,
    document: { marker: 1 },
  });
});

test('a write on a stale version is rejected with the winning item, and the winner stays stored', async () => {
  const key = `k-${randomUUID()}`;
  await store.write(key, { kind: 'session', document: documentWith(1) }, { absent: true });
  await store.write(key, { kind: 'session', document: documentWith(2) }, { version: 1 });
  const lost = await store.write(key, { kind: 'session', document: documentWith(3) }, { version: 1 });
  expect(lost.outcome === 'rejected' && lost.current).toMatchObject({ version: 2, document: { marker: 2 } });
  expect(await store.read(key)).toMatchObject({ version: 2, document: { marker: 2 } });
});

test('a call aborted by the time budget is a StoreUnavailableError (the caller may retry)', async () => {
  const signal = AbortSignal.abort();
  await expect(store.read(`k-${randomUUID()}`, { abortSignal: signal })).rejects.toBeInstanceOf(StoreUnavailableError);
});

test('an error a retry cannot cure (no such table) is passed on as it is, for a 500', async () => {
  const missing = new DynamoDbSessionStore(client, `missing-${randomUUID()}`);
  const failure = await missing.read('k').catch((error: unknown) => error);
  expect(failure).not.toBeInstanceOf(StoreUnavailableError);
  expect((failure as Error).name).toBe('ResourceNotFoundException');
});
