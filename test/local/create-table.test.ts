import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { RATE_LIMIT_TABLE, SESSION_TABLE, type TableSchema } from '../../lambda/store/table-schema';
import { ensureRateLimitTable } from '../../local/create-rate-limit-table';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// Against the DynamoDB Local of global setup, whose endpoint reaches this worker through the environment.

let client: DynamoDBClient;
const created: string[] = [];

function newTableName(): string {
  const name = `create-table-test-${randomUUID()}`;
  created.push(name);
  return name;
}

beforeAll(() => {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: global setup did not reach this worker.');
  client = makeLocalAdminClient(endpoint);
});

afterAll(async () => {
  await Promise.allSettled(created.map((TableName) => client.send(new DeleteTableCommand({ TableName }))));
  client.destroy();
});

async function describeTtl(tableName: string) {
  return (await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription;
}

describe('ensureSessionTable', () => {
  it('creates an on-demand table keyed by the string pk, with TTL on ttl (the table schema)', async () => {
    const tableName = newTableName();

    await ensureSessionTable(client, tableName);

    await expectTableOf(tableName, SESSION_TABLE);
  });

  it('turns on the stream with both images, also on a table kept from before the stream (and only for taps)', async () => {
    const streamOf = async (name: string) =>
      (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.StreamSpecification;
    const tableName = newTableName();
    await ensureSessionTable(client, tableName, { stream: false });
    expect(await streamOf(tableName)).toBeUndefined();
    await ensureSessionTable(client, tableName);
    expect(await streamOf(tableName)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    await ensureSessionTable(client, tableName);
    expect(await streamOf(tableName)).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('succeeds again on a table it already created', async () => {
    const tableName = newTableName();
    await ensureSessionTable(client, tableName);

    await expect(ensureSessionTable(client, tableName)).resolves.toBeUndefined();
    expect((await describeTtl(tableName))?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('succeeds when several callers ensure the same table at once', async () => {
    const tableName = newTableName();

    await expect(Promise.all([1, 2, 3].map(() => ensureSessionTable(client, tableName)))).resolves.toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect((await describeTtl(tableName))?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('enables TTL on an existing table that has it off', async () => {
    const tableName = newTableName();
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: SESSION_TABLE.partitionKey.name, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: SESSION_TABLE.partitionKey.name, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await describeTtl(tableName))?.TimeToLiveStatus).toBe('DISABLED');

    await ensureSessionTable(client, tableName);

    expect(await describeTtl(tableName)).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: SESSION_TABLE.timeToLiveAttribute,
    });
  });
});

describe('ensureRateLimitTable', () => {
  it('creates the counters table of the table schema', async () => {
    const tableName = newTableName();

    await ensureRateLimitTable(client, tableName);

    await expectTableOf(tableName, RATE_LIMIT_TABLE);
  });
});

async function expectTableOf(tableName: string, schema: TableSchema) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  expect(Table?.TableStatus).toBe('ACTIVE');
  expect(Table?.KeySchema).toEqual([{ AttributeName: schema.partitionKey.name, KeyType: 'HASH' }]);
  const indexes = schema.indexes ?? [];
  const keys = [schema.partitionKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  expect(Table?.AttributeDefinitions).toEqual(
    keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
  );
  // The indexes as the schema names them: the activities by SCID (handles) and the due-time index the sweeper
  // Queries (never a Scan).
  expect(
    // DynamoDB does not keep the indexes in the order they were created: compared by name.
    (Table?.GlobalSecondaryIndexes ?? [])
      .map((index) => ({
        name: index.IndexName,
        keys: index.KeySchema,
        projection: index.Projection?.ProjectionType,
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
  ).toEqual(
    [...indexes]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((index) => ({
        name: index.name,
        keys: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        projection: index.projection,
      })),
  );
  expect(Table?.BillingModeSummary?.BillingMode).toBe(schema.billingMode);
  expect(await describeTtl(tableName)).toEqual({
    TimeToLiveStatus: 'ENABLED',
    AttributeName: schema.timeToLiveAttribute,
  });
}
