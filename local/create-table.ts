import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CONNECTION_TABLE, SESSION_TABLE, type SecondaryIndex, type TableSchema } from '../lambda/store/table-schema';

/**
 * Creates the session table as the CDK stack defines it (lambda/store/table-schema.ts: partition key `pk`, on demand,
 * TTL on `ttl`) unless it exists. Safe to call repeatedly and concurrently.
 */
export function ensureSessionTable(
  client: DynamoDBClient,
  tableName: string,
  options: { readonly stream?: boolean } = {},
): Promise<void> {
  // `stream: false` is for tests that never read taps: DynamoDB Local writes each stream record as part of the write,
  // which was measured to push a 100-writer hot-session test past its retry budget on a busy 2-core machine (real
  // DynamoDB's stream costs a write nothing). Everything that serves taps (npm start, realTime tests) keeps it.
  if (options.stream === false) {
    const { stream: _omitted, ...withoutStream } = SESSION_TABLE;
    return ensureTable(client, tableName, withoutStream);
  }
  return ensureTable(client, tableName, SESSION_TABLE);
}

/** Creates the real-time activity connections table (lambda/store/table-schema.ts CONNECTION_TABLE) unless it exists. */
export function ensureConnectionTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return ensureTable(client, tableName, CONNECTION_TABLE);
}

/**
 * Creates a table of the given schema unless it exists. Safe to call repeatedly and concurrently: an existing table
 * is left as it is, apart from enabling TTL.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<void> {
  const { partitionKey } = schema;
  const indexes = schema.indexes ?? [];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitionsOf(schema),
        KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
        ...(indexes.length === 0 ? {} : { GlobalSecondaryIndexes: indexes.map(indexDefinitionOf) }),
        BillingMode: schema.billingMode,
        ...(schema.stream === undefined
          ? {}
          : { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } }),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // DynamoDB Local creates tables at once, but real DynamoDB (and UpdateTimeToLive) needs the table ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  if (schema.stream !== undefined) await ensureStream(client, tableName, schema.stream);
  await ensureIndexes(client, tableName, schema);

  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // Another caller enabled it between our describe and update: DynamoDB refuses enabling it twice.
    if (!(error instanceof Error && error.name === 'ValidationException' && /already enabled/i.test(error.message))) {
      throw error;
    }
  }
}

/**
 * Turns the table's stream on when it is off (a table kept from before the stream existed, with
 * DYNAMODB_LOCAL_DB_PATH); a stream of another view type is left as it is and refused.
 */
async function ensureStream(client: DynamoDBClient, tableName: string, viewType: 'NEW_AND_OLD_IMAGES'): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const current = Table?.StreamSpecification;
  if (current?.StreamEnabled === true) {
    if (current.StreamViewType !== viewType) {
      throw new Error(`The table ${tableName} has a ${current.StreamViewType} stream; the service needs ${viewType}.`);
    }
    return;
  }
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    }),
  );
  await waitUntilSettled(client, tableName);
}

/**
 * Waits until the table and every index on it are ACTIVE: DynamoDB refuses another UpdateTable (and creates one
 * index at a time) while an update is under way, and a busy DynamoDB Local takes its time too. Polls for at most
 * a minute, a deadline, never a measure of speed.
 */
async function waitUntilSettled(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const settled =
      Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (settled) return;
    if (Date.now() > deadline) throw new Error(`The table ${tableName} is still being updated after a minute.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every key attribute of the table and its indexes, each defined once. */
function attributeDefinitionsOf(schema: TableSchema): AttributeDefinition[] {
  const keys = [schema.partitionKey, ...(schema.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey])];
  const byName = new Map(keys.map((key) => [key.name, key.type]));
  return [...byName].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function indexDefinitionOf(index: SecondaryIndex): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: index.projection },
  };
}

/** Adds the indexes a table kept from before they existed lacks (DYNAMODB_LOCAL_DB_PATH). */
async function ensureIndexes(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<void> {
  const wanted = schema.indexes ?? [];
  if (wanted.length === 0) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of wanted) {
    if (present.has(index.name)) continue;
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitionsOf(schema),
          GlobalSecondaryIndexUpdates: [{ Create: indexDefinitionOf(index) }],
        }),
      );
    } catch (error) {
      // Another caller added it between our describe and update.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
    await waitUntilSettled(client, tableName);
  }
}
