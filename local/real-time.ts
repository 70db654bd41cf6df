import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeRtaHandlersFor, makeTapHandlerFor } from '../lambda/runtime/wiring';
import { ensureConnectionTable } from './create-table';
import { startStreamPoller } from './stream-poller';
import { attachRtaEndpoint, type RtaEndpoint } from './websocket-endpoint';

/** Options of {@link startRealTime}. */
export interface RealTimeOptions {
  /** Where the stream poller starts in the shards that exist now (see StreamPollerOptions). */
  readonly startAt?: 'TRIM_HORIZON' | 'LATEST';
  /** Upgrade and poller lines; console.log when absent. */
  readonly log?: (line: string) => void;
}

/** The real-time activity side of a local run: the WebSocket endpoint and the tap pipeline behind it. */
export interface RealTime {
  readonly endpoint: RtaEndpoint;
  /** Stops the poller, then drops every socket. */
  close(): Promise<void>;
}

/**
 * What API Gateway's WebSocket API and the stream's Lambda event source are deployed, on the local server: creates
 * the connections table (config.connectionTableName) unless it exists, serves `ws://…/connect` on `server` through
 * the RTA handler modules, and polls the sessions table's stream into the very tap handler Lambda runs, delivering
 * through the local sockets.
 */
export async function startRealTime(
  server: Server,
  config: RuntimeConfig,
  admin: DynamoDBClient,
  options: RealTimeOptions = {},
): Promise<RealTime> {
  if (config.connectionTableName === undefined || config.dynamoDbEndpoint === undefined) {
    throw new Error('Real-time activity needs a connections table name and the DynamoDB endpoint.');
  }
  await ensureConnectionTable(admin, config.connectionTableName);
  const endpoint = attachRtaEndpoint(
    server,
    makeRtaHandlersFor(config),
    options.log === undefined ? {} : { log: options.log },
  );
  const poller = await startStreamPoller(admin, {
    endpoint: config.dynamoDbEndpoint,
    tableName: config.tableName,
    handle: makeTapHandlerFor(config, endpoint.gateway),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return {
    endpoint,
    async close() {
      await poller.stop();
      endpoint.close();
    },
  };
}
