import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
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
  it('creates an on-demand table keyed by the string pk, with TTL on ttl', async () => {
    const tableName = newTableName();

    await ensureSessionTable(client, tableName);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(await describeTtl(tableName)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
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
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect((await describeTtl(tableName))?.TimeToLiveStatus).toBe('DISABLED');

    await ensureSessionTable(client, tableName);

    expect(await describeTtl(tableName)).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
  });
});
