import type { Server } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeepaliveReport } from '../lambda/rta/keepalive';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';
import { makeKeepalivePassFor, makeRtaHandlersFor, makeTapHandlerFor } from '../lambda/runtime/wiring';
import { ensureConnectionTable } from './create-table';
import { oneAtATime } from './one-at-a-time';
import { startStreamPoller } from './stream-poller';
import { attachRtaEndpoint, type RtaEndpoint } from './websocket-endpoint';

/** Options of {@link startRealTime}. */
export interface RealTimeOptions {
  /** Where the stream poller starts in the shards that exist now (see StreamPollerOptions). */
  readonly startAt?: 'TRIM_HORIZON' | 'LATEST';
  /** Upgrade and poller lines; console.log when absent. */
  readonly log?: (line: string) => void;
  /**
   * How often the keepalive pass runs and sockets past their 2-hour lifetime are dropped (`npm start`: the sweeper's
   * interval); absent: only on `keepAliveNow` and `endpoint.dropExpired` (tests, which move their own clock).
   */
  readonly intervalMs?: number;
}

/** The real-time activity side of a local run: the WebSocket endpoint and the tap pipeline behind it. */
export interface RealTime {
  readonly endpoint: RtaEndpoint;
  /** One keepalive pass now (keepalives and owed resyncs to the sockets due), as the deployed sweeper runs it. */
  keepAliveNow(): Promise<KeepaliveReport>;
  /** Stops the timer and the poller, then drops every socket. */
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
  const endpoint = attachRtaEndpoint(server, makeRtaHandlersFor(config), {
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(config.clock === undefined ? {} : { clock: config.clock }),
  });
  const keepalive = makeKeepalivePassFor(config, endpoint.gateway);
  // One pass at a time: a slow pass is never overlapped by the next.
  const keepAliveNow = oneAtATime(keepalive);
  const timer =
    options.intervalMs === undefined
      ? undefined
      : setInterval(() => {
          endpoint.dropExpired();
          keepAliveNow().catch((error: unknown) =>
            (options.log ?? console.log)(`keepalive pass failed: ${String(error)}`),
          );
        }, options.intervalMs);
  timer?.unref();
  const poller = await startStreamPoller(admin, {
    endpoint: config.dynamoDbEndpoint,
    tableName: config.tableName,
    handle: makeTapHandlerFor(config, endpoint.gateway),
    ...(options.startAt === undefined ? {} : { startAt: options.startAt }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return {
    endpoint,
    keepAliveNow,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await keepAliveNow.settled();
      await poller.stop();
      endpoint.close();
    },
  };
}
