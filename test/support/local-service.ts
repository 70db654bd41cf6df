import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RequestLog } from '../../lambda/http/request-log';
import { makeDynamoDbClient } from '../../lambda/runtime/dynamodb-client';
import type { RuntimeConfig } from '../../lambda/runtime/runtime-config';
import { makeSessionHandlers, makeStores, makeTimerSweeperFor, type Stores } from '../../lambda/runtime/wiring';
import type { SweepReport } from '../../lambda/service/timer-sweeper';
import { ensureRateLimitTable } from '../../local/create-rate-limit-table';
import { ensureConnectionTable, ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';
import { LOCAL_ROUTES, makeLocalExplorerHandlers } from '../../local/explorer-routes';
import { startLocalFinder } from '../../local/finder';
import { createLocalServer } from '../../local/http-server';
import { localRuntimeConfig } from '../../local/local-config';
import { type LocalHandlerOptions, makeLocalHandlers } from '../../local/local-handlers';
import { type RealTime, startRealTime } from '../../local/real-time';
import { startLocalSweeper } from '../../local/sweeper';
import { closeServer, listenOnLoopback, onEverySend } from './loopback-server';
import type { SessionResponse } from './session-client';

/** A service under test: the real handlers on the local server, over a table of its own. */
export interface TestService {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string;
  readonly tableName: string;
  /** A client of the service's DynamoDB Local, for a test that reads or writes its tables directly; `close` ends it. */
  readonly admin: DynamoDBClient;
  /** The connections table when the service was started with `realTime`. */
  readonly connectionTableName?: string;
  /** `ws://127.0.0.1:<port>/connect` when the service was started with `realTime`. */
  readonly rtaUrl?: string;
  /** The real-time side (WebSocket endpoint, stream poller, tap handler) when started with `realTime`. */
  readonly realTime?: RealTime;
  /**
   * One sweep of the timer sweeper at the service's clock (README, "Timers that fire on their own"): due timers and,
   * with `realTime`, due disconnect checks committed. Tests move the injected clock, then sweep.
   */
  sweep(): Promise<SweepReport>;
  /** Stops the server and deletes the table. */
  close(): Promise<void>;
}

const verbose = process.env.TEST_LOG === '1';
/** Request and error logs are discarded unless TEST_LOG=1. */
const quietLog: RequestLog = { error: () => {} };

/** The DynamoDB Local of this test run, which Jest's global setup starts. */
function dynamoDbLocalEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error('DYNAMODB_ENDPOINT is not set: run the tests with Jest (its global setup starts DynamoDB Local).');
  }
  return endpoint;
}

/** Deletes a table that other services of the same test file may share and have deleted already. */
async function deleteSharedTable(admin: DynamoDBClient, tableName: string): Promise<void> {
  await admin.send(new DeleteTableCommand({ TableName: tableName })).catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
  });
}

/** What a test may change: any part of the configuration, and the store wrapper (fault injection). */
export type TestServiceOverrides = Partial<RuntimeConfig> &
  LocalHandlerOptions & {
    /**
     * Serve real-time activity too (family spec §6): the WebSocket endpoint on the same port, a connections table of
     * its own, and the stream poller driving the tap handler, as `npm start` does.
     */
    readonly realTime?: boolean;
    /**
     * Run the finder on the sessions stream (the index of sessions by xuid and keyword that session queries read), as
     * `npm start` does. Its index lags the writes by the poller's delay: a test waits for it ({@link waitForFinder}).
     */
    readonly finder?: boolean;
  };

/**
 * Starts the service on the DynamoDB Local of this test run (global setup), with a freshly created, uniquely named
 * table so test files (which Jest runs in parallel) never see each other's sessions. `overrides` replace any part of
 * the configuration, e.g. `clock` to move time, or wrap the store (`decorateStore`). Request and error logs are
 * discarded unless TEST_LOG=1.
 */
export async function startTestService(overrides: TestServiceOverrides = {}): Promise<TestService> {
  const endpoint = overrides.dynamoDbEndpoint ?? dynamoDbLocalEndpoint();
  const tableName = overrides.tableName ?? `sessions-test-${randomUUID()}`;
  const admin = makeLocalAdminClient(endpoint);
  // The stream only where taps are read (local/create-table.ts says why).
  await ensureSessionTable(admin, tableName, { stream: overrides.realTime === true || overrides.finder === true });
  // Fair-use counters only when a test asks for them (rateLimitTableName): other tests send far more than MPSD's limits.
  if (overrides.rateLimitTableName !== undefined) await ensureRateLimitTable(admin, overrides.rateLimitTableName);

  const { decorateStore, realTime: withRealTime, finder: withFinder, ...configOverrides } = overrides;
  const config: RuntimeConfig = {
    ...localRuntimeConfig(tableName, endpoint),
    ...(verbose ? {} : { log: quietLog }),
    ...(withRealTime === true ? { connectionTableName: `connections-test-${randomUUID()}` } : {}),
    ...configOverrides,
  };
  const handlers = makeLocalHandlers(config, decorateStore === undefined ? {} : { decorateStore });
  // The routes npm start serves: the API's (MPSD and the session explorer's page) and the local-only ones.
  const server = createLocalServer(
    { ...handlers, ...makeLocalExplorerHandlers() },
    { log: verbose ? (line) => console.log(line) : () => {}, routes: LOCAL_ROUTES },
  );
  const baseUrl = await listenOnLoopback(server);
  // No timer here: a test sweeps when its clock says so (npm start sweeps every 10 s).
  const stores = makeStores(config);
  const sweeper = startLocalSweeper(
    makeTimerSweeperFor(config, decorateStore === undefined ? stores.sessions : decorateStore(stores.sessions)),
  );
  const finder =
    withFinder === true
      ? await startLocalFinder(admin, config, { log: verbose ? (line) => console.log(line) : () => {} })
      : undefined;
  const realTime =
    withRealTime === true
      ? await startRealTime(server, config, admin, { log: verbose ? (line) => console.log(line) : () => {} })
      : undefined;

  return {
    baseUrl,
    tableName,
    admin,
    ...(realTime === undefined
      ? {}
      : {
          rtaUrl: `${baseUrl.replace(/^http:/, 'ws:')}/connect`,
          realTime,
          connectionTableName: config.connectionTableName,
        }),
    sweep: () => sweeper.sweepNow(),
    async close() {
      await sweeper.stop();
      await realTime?.close();
      await finder?.stop();
      await closeServer(server);
      try {
        await admin.send(new DeleteTableCommand({ TableName: tableName }));
        if (realTime !== undefined && config.connectionTableName !== undefined) {
          await admin.send(new DeleteTableCommand({ TableName: config.connectionTableName }));
        }
        // Several services may share one counters table (the limits hold across instances): the first close drops it.
        if (overrides.rateLimitTableName !== undefined) await deleteSharedTable(admin, overrides.rateLimitTableName);
      } finally {
        admin.destroy();
      }
    },
  };
}

/** A service whose stores the test built itself ({@link startServiceOnOwnStores}). */
export interface OwnStoresService {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string;
  /** The configuration the handlers run with: the tables it names were created for the service. */
  readonly config: RuntimeConfig;
  /** Stops the server, deletes the tables and ends the client. */
  close(): Promise<void>;
}

/** What {@link startServiceOnOwnStores} serves. */
export interface OwnStoresOptions {
  /** Replaces any part of the configuration (over the local one, on a uniquely named sessions table). */
  readonly config?: Partial<RuntimeConfig>;
  /** The stores the handlers use, built on the service's one DynamoDB Local client. */
  readonly stores: (client: DynamoDBClient, config: RuntimeConfig) => Stores;
  /** Sees every command that client sends, once per send (see onEverySend). */
  readonly observeSends?: (command: string, input: Record<string, unknown>) => void;
}

/**
 * The session handlers on the local server (the API's routes), over stores a test builds on a DynamoDB Local client
 * of its own, so that it sees every call they send: what a request costs, which calls a function's grant must allow.
 * {@link startTestService} serves the stores the wiring builds, whose client a test cannot reach (the wiring makes
 * it). The sessions table is created, and the counters and connections tables when the configuration names them;
 * `close` deletes them.
 */
export async function startServiceOnOwnStores(options: OwnStoresOptions): Promise<OwnStoresService> {
  const config: RuntimeConfig = {
    ...localRuntimeConfig(`sessions-test-${randomUUID()}`, dynamoDbLocalEndpoint()),
    ...(verbose ? {} : { log: quietLog }),
    ...options.config,
  };
  const client = makeDynamoDbClient(config);
  if (options.observeSends !== undefined) onEverySend(client, options.observeSends);
  await ensureSessionTable(client, config.tableName, { stream: false });
  const { rateLimitTableName, connectionTableName } = config;
  if (rateLimitTableName !== undefined) await ensureRateLimitTable(client, rateLimitTableName);
  if (connectionTableName !== undefined) await ensureConnectionTable(client, connectionTableName);
  const server = createLocalServer(makeSessionHandlers(config, options.stores(client, config)), {
    log: verbose ? (line) => console.log(line) : () => {},
  });
  const baseUrl = await listenOnLoopback(server);
  return {
    baseUrl,
    config,
    async close() {
      await closeServer(server);
      try {
        await client.send(new DeleteTableCommand({ TableName: config.tableName }));
        if (rateLimitTableName !== undefined) await deleteSharedTable(client, rateLimitTableName);
        if (connectionTableName !== undefined) {
          await client.send(new DeleteTableCommand({ TableName: connectionTableName }));
        }
      } finally {
        client.destroy();
      }
    },
  };
}

/** How long a test waits for the finder's index to catch up: generous, a deadline and never a measure of speed. */
export const FINDER_DEADLINE_MS = 30_000;

/**
 * Repeats `request` until `done` holds of its answer (the finder has caught up with the writes) or
 * {@link FINDER_DEADLINE_MS} has passed, and answers the last answer for the test to assert on.
 */
export async function waitForFinder(
  request: () => Promise<SessionResponse>,
  done: (answer: SessionResponse) => boolean,
): Promise<SessionResponse> {
  const deadline = Date.now() + FINDER_DEADLINE_MS;
  for (;;) {
    const answer = await request();
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
