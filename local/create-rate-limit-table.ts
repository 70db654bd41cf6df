import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RATE_LIMIT_PARTITION_KEY, RATE_LIMIT_TTL_ATTRIBUTE } from '../lambda/store/dynamodb-rate-limit-store';
import { ensureSessionTable, SESSION_PARTITION_KEY, SESSION_TTL_ATTRIBUTE } from './create-table';

/** Name of the fair-use counters table `npm start` creates beside the sessions table. */
export const DEFAULT_RATE_LIMIT_TABLE_NAME = 'session-rate-limits';

/**
 * Creates the fair-use counters table as the CDK stack defines it (partition key `pk`, on demand, TTL on `ttl`) unless
 * it exists. Its key schema and TTL attribute are the sessions table's, so the same idempotent creation serves.
 */
export async function ensureRateLimitTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (RATE_LIMIT_PARTITION_KEY !== SESSION_PARTITION_KEY || RATE_LIMIT_TTL_ATTRIBUTE !== SESSION_TTL_ATTRIBUTE) {
    throw new Error('The counters table no longer shares the sessions table key schema; give it its own creation.');
  }
  await ensureSessionTable(client, tableName);
}
