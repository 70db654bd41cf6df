// `npm start`: the session directory on this machine, the same handler modules as in Lambda, on DynamoDB Local.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { mintToken } from '../lambda/auth/development-token';
import type { ApiHandler } from '../lambda/http/api-types';
import type { SessionHandlers } from '../lambda/runtime/wiring';
import { DEFAULT_RATE_LIMIT_TABLE_NAME, ensureRateLimitTable } from './create-rate-limit-table';
import { ensureSessionTable } from './create-table';
import { type DynamoDbLocal, makeLocalAdminClient, startDynamoDbLocal } from './dynamodb-local';
import { faultInjectionDecorator, parseFaultInjection } from './fault-injection';
import { createLocalServer } from './http-server';
import { localRuntimeConfig } from './local-config';
import { makeLocalHandlers } from './local-handlers';
import { type RealTime, startRealTime } from './real-time';
import { formatStartBanner, SAMPLE_GAMERTAG, SAMPLE_XUID } from './start-banner';

const DEFAULT_PORT = 8080;
const DEFAULT_TABLE_NAME = 'sessions';
const DEFAULT_CONNECTION_TABLE_NAME = 'rta-connections';
const PRINTED_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/** Start-up failures whose message is the whole story (no stack trace is printed for them). */
class StartError extends Error {}

async function main(): Promise<void> {
  // The SDK warns about Node 20 when a client is created; the warning is noise for someone running the service here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const port = readPort(process.env.PORT);
  const tableName = process.env.SESSION_TABLE_NAME || DEFAULT_TABLE_NAME;
  // Fair-use counters (spec §1.6), as deployed; RATE_LIMITS=off switches the limits off.
  const rateLimitTableName = process.env.RATE_LIMIT_TABLE_NAME || DEFAULT_RATE_LIMIT_TABLE_NAME;
  // Real-time activity (README, "Real-time activity"): its connection state has a table of its own.
  const connectionTableName = process.env.CONNECTION_TABLE_NAME || DEFAULT_CONNECTION_TABLE_NAME;
  const givenEndpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  const dbPath = process.env.DYNAMODB_LOCAL_DB_PATH || undefined;
  // Fault injection for QA (README, "Fault injection"): only this local server reads FAULT_INJECTION.
  const faults = readFaultInjection(process.env.FAULT_INJECTION);

  let dynamoDbLocal: DynamoDbLocal | undefined;
  let realTime: RealTime | undefined;
  let stopping = false;
  // The HTTP server answers only once the handlers exist; it listens first so a taken port fails in milliseconds,
  // before Java has started.
  let resolveHandlers: (handlers: SessionHandlers) => void = () => {};
  const handlersReady = new Promise<SessionHandlers>((resolve) => {
    resolveHandlers = resolve;
  });
  const deferred = (pick: (handlers: SessionHandlers) => ApiHandler): ApiHandler => {
    return async (event) => pick(await handlersReady)(event);
  };
  const server = createLocalServer(
    { getSession: deferred((h) => h.getSession), putSession: deferred((h) => h.putSession) },
    { log: (line) => console.log(line) },
  );

  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the server${dynamoDbLocal === undefined ? '' : ' and DynamoDB Local'}...`);
    await realTime?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await dynamoDbLocal?.stop();
    process.exit(0);
  };
  // Registered before Java starts, so Ctrl-C during start-up also leaves no Java process behind.
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));

  await listen(server, port);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let endpoint: string;
  let storage: string;
  if (givenEndpoint === undefined) {
    console.log('Starting DynamoDB Local...');
    dynamoDbLocal = await startDynamoDbLocal(dbPath === undefined ? {} : { dbPath });
    if (stopping) return;
    endpoint = dynamoDbLocal.endpoint;
    const where = dbPath === undefined ? 'in memory' : `persisted to ${path.resolve(dbPath)}`;
    storage = `DynamoDB Local (pid ${dynamoDbLocal.pid}) at ${endpoint}, ${where}, table "${tableName}"`;
  } else {
    endpoint = givenEndpoint;
    storage = `DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT), table "${tableName}"`;
  }

  const admin = makeLocalAdminClient(endpoint);
  try {
    await ensureSessionTable(admin, tableName);
    await ensureRateLimitTable(admin, rateLimitTableName);
  } finally {
    admin.destroy();
  }
  const decorateStore = faultInjectionDecorator(faults);
  const config = {
    ...localRuntimeConfig(tableName, endpoint),
    rateLimitTableName,
    rateLimits: process.env.RATE_LIMITS === 'off' ? ('off' as const) : ('on' as const),
    connectionTableName,
  };
  resolveHandlers(makeLocalHandlers(config, decorateStore === undefined ? {} : { decorateStore }));
  // The WebSocket endpoint on the same port and the stream poller driving the tap handler. A kept database's old
  // changes were tapped when they happened: read only new ones then.
  const realTimeAdmin = makeLocalAdminClient(endpoint);
  try {
    realTime = await startRealTime(server, config, realTimeAdmin, {
      startAt: dbPath === undefined && givenEndpoint === undefined ? 'TRIM_HORIZON' : 'LATEST',
    });
  } finally {
    realTimeAdmin.destroy();
  }

  const authorization = await mintToken(
    { xuid: SAMPLE_XUID, gamertag: SAMPLE_GAMERTAG },
    { expiresInSeconds: PRINTED_TOKEN_LIFETIME_SECONDS },
  );
  console.log(
    formatStartBanner({
      baseUrl,
      authorization,
      tokenLifetimeHours: PRINTED_TOKEN_LIFETIME_SECONDS / 3600,
      storage,
    }),
  );
  console.log(`Real-time activity (RTA): ${baseUrl.replace(/^http/, 'ws')}/connect`);
  if (faults !== undefined) console.log(`FAULT_INJECTION is on: ${JSON.stringify(faults)}`);
}

function readFaultInjection(value: string | undefined) {
  try {
    return parseFaultInjection(value);
  } catch (error) {
    throw new StartError((error as Error).message);
  }
}

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartError(`PORT must be a whole number from 0 to 65535 (0 picks a free port), not "${value}".`);
  }
  return port;
}

function listen(server: ReturnType<typeof createLocalServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new StartError(
            `Port ${port} on 127.0.0.1 is already in use. Stop whatever is using it, or choose another port: PORT=8081 npm start`,
          ),
        );
      } else {
        reject(error);
      }
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

main().catch((error: unknown) => {
  // Java missing, port taken, DynamoDB Local failing to start: say why and stop; the 'exit' hook in
  // dynamodb-local.ts takes down a Java process that did start.
  console.error(error instanceof StartError || isJavaMissing(error) ? (error as Error).message : error);
  process.exit(1);
});

function isJavaMissing(error: unknown): boolean {
  return error instanceof Error && error.message.includes('needs Java');
}
