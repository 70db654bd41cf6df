import { type DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { CounterIncrement, RateLimitStore } from './rate-limit-store';
import { RATE_LIMIT_TABLE } from './table-schema';

// The counters table's key and TTL attribute (epoch seconds: DynamoDB deletes a counter after its window closes).
const RATE_LIMIT_PARTITION_KEY = RATE_LIMIT_TABLE.partitionKey.name;
const RATE_LIMIT_TTL_ATTRIBUTE = RATE_LIMIT_TABLE.timeToLiveAttribute;

/**
 * One atomic update per item: `ADD` creates each counter at 1 or adds 1, whatever other instances do at the same
 * moment, and the TTL is set only by the request that creates the item. Counter attributes are named by placeholders.
 */
export function buildCounterIncrement(
  tableName: string,
  key: string,
  attributes: readonly string[],
  expiresAt: number,
): UpdateItemCommandInput {
  const names: Record<string, string> = { '#ttl': RATE_LIMIT_TTL_ATTRIBUTE };
  attributes.forEach((attribute, i) => {
    names[`#c${i}`] = attribute;
  });
  return {
    TableName: tableName,
    Key: { [RATE_LIMIT_PARTITION_KEY]: { S: key } },
    UpdateExpression: `ADD ${attributes.map((_, i) => `#c${i} :one`).join(', ')} SET #ttl = if_not_exists(#ttl, :ttl)`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':one': { N: '1' }, ':ttl': { N: String(expiresAt) } },
    ReturnValues: 'UPDATED_NEW',
  };
}

/** Fair-use counters in their own DynamoDB table (the GET function may not write the sessions table). */
export class DynamoDbRateLimitStore implements RateLimitStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async increment(counters: readonly CounterIncrement[], options?: { abortSignal?: AbortSignal }): Promise<number[]> {
    const byItem = new Map<string, CounterIncrement[]>();
    for (const counter of counters) byItem.set(counter.key, [...(byItem.get(counter.key) ?? []), counter]);
    const counts = new Map<CounterIncrement, number>();
    await Promise.all(
      [...byItem].map(async ([key, inItem]) => {
        const attributes = inItem.map((c) => c.attribute);
        const expiresAt = Math.max(...inItem.map((c) => c.expiresAt));
        const answer = await this.client.send(
          new UpdateItemCommand(buildCounterIncrement(this.tableName, key, attributes, expiresAt)),
          options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal },
        );
        for (const counter of inItem) {
          const count = Number(answer.Attributes?.[counter.attribute]?.N);
          if (!Number.isFinite(count)) throw new Error(`DynamoDB returned no count for ${key} ${counter.attribute}`);
          counts.set(counter, count);
        }
      }),
    );
    return counters.map((c) => counts.get(c) ?? 0);
  }
}
