import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RATE_LIMIT_TABLE } from '../lambda/store/table-schema';
import { ensureTable } from './create-table';

/** Name of the fair-use counters table `npm start` creates beside the sessions table. */
export const DEFAULT_RATE_LIMIT_TABLE_NAME = 'session-rate-limits';

/**
 * Creates the fair-use counters table as the CDK stack defines it (lambda/store/table-schema.ts: partition key `pk`,
 * on demand, TTL on `ttl`) unless it exists.
 */
export function ensureRateLimitTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return ensureTable(client, tableName, RATE_LIMIT_TABLE);
}
