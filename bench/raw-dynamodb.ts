// The raw DynamoDB work the service is measured against: the consistent GetItem of a GET, and the GetItem plus
// conditional PutItem at the next version of a PUT. The in-process ceiling (throughput.ts) and the trivial HTTP server
// (bench-servers.ts) both run exactly this, so their figures compare the same work.
import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

/** A consistent GetItem by key. */
export function rawGet(client: DynamoDBClient, tableName: string, key: string) {
  return client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }));
}

/** Writes the item back at the next version, conditional on the version it was read at. */
export async function rawWriteNextVersion(
  client: DynamoDBClient,
  tableName: string,
  item: Record<string, AttributeValue>,
): Promise<void> {
  const version = Number(item.version?.N);
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...item, version: { N: String(version + 1) } },
      ConditionExpression: '#v = :v',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: { ':v': { N: String(version) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
}
