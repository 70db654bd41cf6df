// `npm start`: the session directory on this machine, the same handler modules as in Lambda, on DynamoDB Local.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { mintToken } from '../lambda/auth/development-token';
import { loadFairUsePolicies } from '../lambda/config/fair-use-files';
import { loadTemplateCatalogue } from '../lambda/config/template-files';
import type { ApiHandler } from '../lambda/http/api-types';
import { EXPLORER_PATH, FUNCTIONS, type FunctionName } from '../lambda/http/routes';
import { SWEEP_INTERVAL_MS } from '../lambda/runtime/sweeper-runtime';
import { makeTimerSweeperFor, type SessionHandlers } from '../lambda/runtime/wiring';
import { DEFAULT_RATE_LIMIT_TABLE_NAME, ensureRateLimitTable } from './create-rate-limit-table';
import { ensureConnectionTable, ensureSessionTable } from './create-table';
import { type DynamoDbLocal, makeLocalAdminClient, startDynamoDbLocal } from './dynamodb-local';
import { LOCAL_ROUTES, makeLocalExplorerHandlers } from './explorer-routes';
import { faultInjectionDecorator, parseFaultInjection } from './fault-injection';
import { createLocalServer } from './http-server';
import { localRuntimeConfig, TEMPLATES_DIR } from './local-config';
import { makeLocalHandlers } from './local-handlers';
import { type RealTime, startRealTime } from './real-time';
import { formatStartBanner, SAMPLE_GAMERTAG, SAMPLE_XUID } from './start-banner';
import { type LocalSweeper, startLocalSweeper } from './sweeper';

const DEFAULT_PORT = 8080;
const DEFAULT_TABLE_NAME = 'sessions';
const DEFAULT_CONNECTION_TABLE_NAME = 'rta-connections';
const PRINTED_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** How often the server checks that the process that started it is still there. */
const PARENT_POLL_INTERVAL_MS = 200;
/** Longest a stop may take before the process exits anyway (Java is then SIGKILLed by the exit hook). */
const STOP_DEADLINE_MS = 4_000;

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
  // The same variable as the Lambda functions'; the repository's templates by default.
  const templatesDir = process.env.SESSION_TEMPLATES_DIR || TEMPLATES_DIR;
  // Every template is checked (by the rules of a creating PUT) before anything starts: a bad one stops npm start in
  // milliseconds, naming the file, the template and the rule, instead of making every creating PUT answer 400.
  checkServiceConfigFiles(templatesDir);

  let dynamoDbLocal: DynamoDbLocal | undefined;
  let realTime: RealTime | undefined;
  let sweeper: LocalSweeper | undefined;
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
  // One deferred handler per function of the route table, so a new function is served without an edit here.
  const names = Object.keys(FUNCTIONS) as FunctionName[];
  // The session explorer's page and its local development token need no DynamoDB: served from the start.
  const server = createLocalServer(
    {
      ...(Object.fromEntries(names.map((name) => [name, deferred((h) => h[name])])) as SessionHandlers),
      ...makeLocalExplorerHandlers(),
    },
    { log: (line) => console.log(line), routes: LOCAL_ROUTES },
  );

  const shutdown = async (signal: NodeJS.Signals | 'parent exited') => {
    if (stopping) return;
    stopping = true;
    // Stopping is bounded: if Java outlives its SIGTERM grace, exiting anyway runs the 'exit' hook of
    // dynamodb-local.ts, which SIGKILLs it. Within the 5 s a supervisor gives before its own SIGKILL.
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    console.log(`\n${signal}: stopping the server${dynamoDbLocal === undefined ? '' : ' and DynamoDB Local'}...`);
    await sweeper?.stop();
    await realTime?.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await dynamoDbLocal?.stop();
    process.exit(0);
  };
  // Registered before Java starts, so Ctrl-C during start-up also leaves no Java process behind. `on`, not `once`:
  // Ctrl-C reaches this process twice (from the terminal, and forwarded by npm), and a second signal without a
  // listener would kill it before Java is stopped.
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
  stopWhenParentExits(() => void shutdown('parent exited'));

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
    // Before the handlers: `GET /nonce` (an HTTP route) stores its nonces there.
    await ensureConnectionTable(admin, connectionTableName);
  } finally {
    admin.destroy();
  }
  const decorateStore = faultInjectionDecorator(faults);
  const config = {
    ...localRuntimeConfig(tableName, endpoint),
    templatesDir,
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
      // Keepalives, owed resyncs and the 2-hour lifetime, checked as often as the deployed sweeper runs its pass.
      intervalMs: SWEEP_INTERVAL_MS,
    });
  } finally {
    realTimeAdmin.destroy();
  }
  // The timer sweeper, as the deployed schedule runs it: due timers and disconnect checks committed on their own.
  sweeper = startLocalSweeper(makeTimerSweeperFor(config), {
    // The deployed sweeper's interval (lambda/runtime/sweeper-runtime.ts).
    intervalMs: SWEEP_INTERVAL_MS,
    log: (line) => console.log(line),
  });

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
  console.log(
    `Real-time activity (RTA): ${baseUrl.replace(/^http/, 'ws')}/connect (or ?nonce= from GET ${baseUrl}/nonce)`,
  );
  console.log(`Session explorer: ${baseUrl}${EXPLORER_PATH} (signs itself in with a development server token)`);
  console.log(`Timer sweeper: every ${SWEEP_INTERVAL_MS / 1000} s (due timers, disconnect checks)`);
  if (faults !== undefined) console.log(`FAULT_INJECTION is on: ${JSON.stringify(faults)}`);
}

/**
 * How a signal sent to `npm start`'s own pid (docker stop, systemd, CI runners, supervisors) reaches this server.
 * npm forwards SIGINT and SIGTERM only to its child, the `sh -c` running the script. With the old script
 * (`tsx local/start.ts`) that child was sh, then tsx's CLI, then the node process running this file: sh (dash) dies
 * of SIGTERM without passing it on and sits out SIGINT waiting for its child, so the server and Java kept running.
 * So the start script is `exec node --import tsx local/start.ts`: `exec` replaces sh, and tsx is loaded into this
 * very process instead of spawning another, so npm's child *is* the server and npm's forwarded signal arrives here.
 * As a second line of defence the server also watches its parent: if the process that started it goes away (npm
 * killed with SIGKILL, a shell that does not exec, another launcher) it is re-parented and stops as if signalled.
 * Polling `process.ppid` is the portable way to see that (Linux's PR_SET_PDEATHSIG is not reachable from Node).
 */
function stopWhenParentExits(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop();
    }
  }, PARENT_POLL_INTERVAL_MS);
  timer.unref();
}

/** Loads the templates and fair-use limits as the handlers will, turning a bad file into a start-up error. */
function checkServiceConfigFiles(templatesDir: string): void {
  try {
    loadTemplateCatalogue(templatesDir);
    loadFairUsePolicies(templatesDir);
  } catch (error) {
    throw new StartError(
      `The session templates in ${templatesDir} cannot be used (SESSION_TEMPLATES_DIR): ${(error as Error).message}`,
    );
  }
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
