import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DueIndex } from './due-index';
import { translateStoreError } from './error-translation';
import { DUE_INDEX, DUE_INDEX_SHARDS } from './table-schema';

/**
 * Keys (the table's partition key values) of the items of `tableName` due at or before `now`: one Query per shard of
 * DUE_INDEX, paged, at most `limit` in all. Each Query reads only keys (KEYS_ONLY): 0.5 read units per 4 KB page.
 * `shardPrefix` names a kind of due work sharing the index under shards of its own (`keepalive#0`…, dueShardOf).
 */
export async function queryDueKeys(
  client: DynamoDBClient,
  tableName: string,
  keyName: string,
  now: number,
  limit: number,
  shardPrefix = '',
): Promise<string[]> {
  const keys: string[] = [];
  for (let shard = 0; shard < DUE_INDEX_SHARDS && keys.length < limit; shard += 1) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: DUE_INDEX.name,
          KeyConditionExpression: '#shard = :shard AND #due <= :now',
          ExpressionAttributeNames: { '#shard': DUE_INDEX.partitionKey.name, '#due': DUE_INDEX.sortKey.name },
          ExpressionAttributeValues: { ':shard': { S: `${shardPrefix}${shard}` }, ':now': { N: String(now) } },
          Limit: limit - keys.length,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const key = item[keyName]?.S;
        if (key !== undefined) keys.push(key);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined && keys.length < limit);
  }
  return keys;
}

/** The DueIndex of the sessions table: session keys whose next timer is due. */
export class DynamoDbDueIndex implements DueIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly keyName: string,
  ) {}

  async findDueKeys(now: number, limit: number): Promise<readonly string[]> {
    try {
      return await queryDueKeys(this.client, this.tableName, this.keyName, now, limit);
    } catch (error) {
      return translateStoreError(error, 'Query');
    }
  }
}
