import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbConnectionStore } from '../../lambda/store/dynamodb-connection-store';
import { ensureConnectionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

/** A connections table of a test file's own and the DynamoDB connection store over it ({@link connectionTableForFile}). */
export interface ConnectionTable {
  readonly tableName: string;
  readonly store: DynamoDbConnectionStore;
  /** The client the store uses, for a test that reads or writes the table directly. */
  readonly admin: DynamoDBClient;
}

/**
 * A uniquely named connections table on the DynamoDB Local of this test run, created before the file's tests and
 * deleted after them (registered as beforeAll and afterAll hooks), so test files, which Jest runs in parallel, never
 * see each other's sockets.
 */
export function connectionTableForFile(): ConnectionTable {
  const admin = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
  const tableName = `connections-test-${randomUUID()}`;
  beforeAll(() => ensureConnectionTable(admin, tableName));
  afterAll(async () => {
    await admin.send(new DeleteTableCommand({ TableName: tableName }));
    admin.destroy();
  });
  return { tableName, store: new DynamoDbConnectionStore(admin, tableName), admin };
}
