import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** The partition key: `<scid>#<template>#<name>` (DESIGN.md, one item per session). */
export const SESSION_PARTITION_KEY = 'pk';

/** Epoch-seconds attribute DynamoDB's TTL deletes untouched sessions by (garbage collection only). */
export const SESSION_TTL_ATTRIBUTE = 'ttl';

/**
 * Creates the session table as the CDK stack defines it (partition key `pk`, on demand, TTL on `ttl`) unless it
 * exists. Safe to call repeatedly and concurrently: an existing table is left as it is, apart from enabling TTL.
 */
export async function ensureSessionTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: SESSION_PARTITION_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: SESSION_PARTITION_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // DynamoDB Local creates tables at once, but real DynamoDB (and UpdateTimeToLive) needs the table ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });

  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: SESSION_TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // Another caller enabled it between our describe and update: DynamoDB refuses enabling it twice.
    if (!(error instanceof Error && error.name === 'ValidationException' && /already enabled/i.test(error.message))) {
      throw error;
    }
  }
}
