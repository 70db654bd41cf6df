import { type DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { CounterIncrement, RateLimitStore } from './rate-limit-store';

/** Partition key of the counters table: `<xuid>#<title>#<period>s#<windowStart>`. */
export const RATE_LIMIT_PARTITION_KEY = 'pk';
/** Epoch-seconds TTL attribute: DynamoDB deletes a counter some time after its window closes. */
export const RATE_LIMIT_TTL_ATTRIBUTE = 'ttl';

/**
 * One atomic increment: `ADD` creates the item at 1 or adds 1, in one write, whatever other instances do at the same
 * moment; the TTL is set only by the request that creates the counter.
 */
export function buildCounterIncrement(tableName: string, counter: CounterIncrement): UpdateItemCommandInput {
  return {
    TableName: tableName,
    Key: { [RATE_LIMIT_PARTITION_KEY]: { S: counter.key } },
    UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
    ExpressionAttributeNames: { '#count': 'count', '#ttl': RATE_LIMIT_TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ':one': { N: '1' }, ':ttl': { N: String(counter.expiresAt) } },
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
    return Promise.all(
      counters.map(async (counter) => {
        const answer = await this.client.send(
          new UpdateItemCommand(buildCounterIncrement(this.tableName, counter)),
          options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal },
        );
        const count = Number(answer.Attributes?.count?.N);
        if (!Number.isFinite(count)) throw new Error(`DynamoDB returned no count for counter ${counter.key}`);
        return count;
      }),
    );
  }
}
