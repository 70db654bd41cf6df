import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeFinderIndexerFor } from '../lambda/runtime/wiring';
import { type StreamPoller, startStreamPoller } from './stream-poller';

/**
 * The finder's Lambda event source, locally (README "Finding sessions"): polls the sessions table's stream into the
 * very finder handler Lambda runs, which keeps the index of sessions by xuid and keyword. The table needs its stream.
 */
export function startLocalFinder(
  admin: DynamoDBClient,
  config: RuntimeConfig,
  options: { readonly startAt?: 'TRIM_HORIZON' | 'LATEST'; readonly log?: (line: string) => void } = {},
): Promise<StreamPoller> {
  if (config.dynamoDbEndpoint === undefined) throw new Error('The local finder needs the DynamoDB endpoint.');
  const log = options.log ?? ((line: string) => console.log(line));
  return startStreamPoller(admin, {
    endpoint: config.dynamoDbEndpoint,
    tableName: config.tableName,
    handle: makeFinderIndexerFor(config, {
      error: (message, details) => log(JSON.stringify({ level: 'ERROR', message, ...details })),
    }),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
    log,
  });
}
