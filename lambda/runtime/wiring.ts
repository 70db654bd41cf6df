import { randomBytes, randomUUID } from 'node:crypto';
import { DEVELOPMENT_TOKEN_SECRET } from '../auth/development-token';
import { makeHmacTokenVerifier, makeJwksTokenVerifier, type TokenVerifier } from '../auth/token-verifier';
import { makeVerifiedTokenCache } from '../auth/verified-token-cache';
import { loadFairUsePolicies } from '../config/fair-use-files';
import { loadTemplateCatalogue } from '../config/template-files';
import type { ApiHandler } from '../http/api-types';
import {
  deleteHandle,
  getHandle,
  getHandleSession,
  type HandleResourceDeps,
  postHandle,
  putHandleSession,
  queryHandles,
} from '../http/handle-resource';
import { getNonce, type NonceResourceDeps } from '../http/nonce-resource';
import { type HttpHandler, makePipelineHandler, type PipelineDeps } from '../http/pipeline';
import { noteWrite } from '../http/request-facts';
import type { RequestLog } from '../http/request-log';
import type { FunctionName } from '../http/routes';
import { batchQuerySessions, getSessionTemplates, querySessions, type SessionQueryDeps } from '../http/session-queries';
import { getSession, putSession, type SessionResourceDeps } from '../http/session-resource';
import { deleteSessionMember, deleteSessionServer, putSessionProperties } from '../http/session-sub-resources';
import { type KeepalivePass, makeKeepalivePass } from '../rta/keepalive';
import { makeRtaHandlers, type RtaHandlers, type RtaLog } from '../rta/rta-handlers';
import { type ConnectionGateway, makeTapHandler, type TapHandler } from '../rta/tap-delivery';
import { ConditionalWriter } from '../service/conditional-write';
import { type FairUseGate, makeFairUseGate } from '../service/fair-use-gate';
import { HandleService } from '../service/handle-service';
import { makeNonceService, type NonceService } from '../service/nonce-service';
import { DEFAULT_RETRY_POLICY } from '../service/retry-policy';
import { type FinderIndexer, makeFinderIndexer } from '../service/session-finder-indexer';
import { SessionQueryService } from '../service/session-query-service';
import { SessionService } from '../service/session-service';
import { makeTimerSweeper, type TimerSweeper } from '../service/timer-sweeper';
import type { ConnectionStore } from '../store/connection-store';
import { DynamoDbConnectionStore } from '../store/dynamodb-connection-store';
import { DynamoDbDueIndex } from '../store/dynamodb-due-index';
import { DynamoDbHandleStore } from '../store/dynamodb-handle-store';
import { DynamoDbNonceStore } from '../store/dynamodb-nonce-store';
import { DynamoDbRateLimitStore } from '../store/dynamodb-rate-limit-store';
import { DynamoDbSessionFinder } from '../store/dynamodb-session-finder';
import { DynamoDbSessionListing } from '../store/dynamodb-session-listing';
import { DynamoDbSessionStore } from '../store/dynamodb-session-store';
import type { HandleStore } from '../store/handle-store';
import type { NonceStore } from '../store/nonce-store';
import type { RateLimitStore } from '../store/rate-limit-store';
import type { SessionFinder } from '../store/session-finder';
import type { SessionListing } from '../store/session-listing';
import type { SessionStore } from '../store/session-store';
import { SESSION_ITEM_ATTRIBUTES } from '../store/table-schema';
import { makeDynamoDbClient } from './dynamodb-client';
import type { RuntimeConfig } from './runtime-config';

// The one place that picks the DynamoDB adapters and builds handlers from a RuntimeConfig. A Lambda function's entry
// (lambda/functions/*.ts) names its handler and the builder of that handler's dependencies below
// (sessionResourceDeps, handleResourceDeps, handleSessionDeps, nonceResourceDeps,
// sessionQueryDeps); each builder reaches only the parts
// its handler runs, so esbuild's tree shaking leaves every other handler, service and store out of that function's
// bundle. The local server builds every handler over one shared set of parts (makeSessionHandlers).

/** The handler of every function the route table names, keyed as in `FUNCTIONS` (lambda/http/routes.ts). */
export type SessionHandlers = Readonly<Record<FunctionName, ApiHandler>>;

/** The stores the handlers work on. */
export interface Stores {
  readonly sessions: SessionStore;
  /** Handles: items of their own in the sessions table (README "Handles"). */
  readonly handles: HandleStore;
  /** The fair-use counters; absent when the limits are off or no counters table is configured. */
  readonly rateLimits: RateLimitStore | undefined;
  /** Real-time activity nonces (connections table); absent when no connections table is configured. */
  readonly nonces?: NonceStore;
  /** The sessions of a SCID by the listing index (the QA listing); the configuration's table when absent. */
  readonly listing?: SessionListing;
  /** The index of sessions by xuid and keyword (session queries); the configuration's table when absent. */
  readonly finder?: SessionFinder;
}

/** What every handler is built from: the request pipeline's dependencies and those of all handlers in it. */
export type HandlerDeps = PipelineDeps &
  SessionResourceDeps &
  HandleResourceDeps &
  NonceResourceDeps &
  SessionQueryDeps;

/**
 * The handler module of each function, which the request pipeline (lambda/http/pipeline.ts) runs and the local server
 * serves: a new handler is one line here, and its Lambda entry names it with its dependencies' builder. Each declares
 * its method, whether it takes a body and how it resolves its resource. No Lambda bundle keeps this table: an entry
 * imports its handler module directly.
 */
export const HTTP_HANDLERS = {
  getSession,
  putSession,
  // The session sub-resources (family spec §2).
  putSessionProperties,
  deleteSessionMember,
  deleteSessionServer,
  // Handles (family spec §3).
  postHandle,
  queryHandles,
  getHandle,
  deleteHandle,
  getHandleSession,
  putHandleSession,
  // Real-time activity's nonce (family spec §6.1).
  getNonce,
  // Session queries and the QA listing, batch queries, template reads (family spec §5).
  querySessions,
  batchQuerySessions,
  getSessionTemplates,
} as const satisfies Record<FunctionName, HttpHandler<HandlerDeps, unknown>>;

/**
 * What one function's dependencies are built from: its configuration, the stores when they are given (the local
 * server's, perhaps wrapped with faults), and the parts built so far. Every part is built once per WiringParts and shared
 * by every handler built over it: the local server's handlers share one SessionService (and its write queue), one
 * DynamoDB client (one connection pool), one template catalogue.
 */
export interface WiringParts {
  readonly config: RuntimeConfig;
  readonly given: Stores | undefined;
  readonly built: Map<(parts: WiringParts) => unknown, unknown>;
}

/** Builds the dependencies of one kind of handler (the pipeline's own included) from the parts. */
export type DepsBuilder<Deps> = (parts: WiringParts) => Deps;

/** Refuses a configuration that must never run, before anything is built. */
function wiringParts(config: RuntimeConfig, given: Stores | undefined): WiringParts {
  if (config.environment !== 'local' && config.tokenSecret === DEVELOPMENT_TOKEN_SECRET) {
    throw new Error('The development token secret is public and may only be used locally; configure a real secret.');
  }
  return { config, given, built: new Map() };
}

/**
 * The part `make` builds, built on first use and kept in `parts`. Keyed by the builder function itself, so a part
 * that no handler of a bundle asks for is never referenced there (a keyed table of every part would keep them all).
 */
function part<T>(parts: WiringParts, make: (parts: WiringParts) => T): T {
  if (!parts.built.has(make)) parts.built.set(make, make(parts));
  return parts.built.get(make) as T;
}

const clientPart = (parts: WiringParts) => makeDynamoDbClient(parts.config);
const clockPart = (parts: WiringParts) => parts.config.clock ?? Date.now;
const templatesPart = (parts: WiringParts) => loadTemplateCatalogue(parts.config.templatesDir);
const listingPart = (parts: WiringParts): SessionListing =>
  parts.given?.listing ?? new DynamoDbSessionListing(part(parts, clientPart), parts.config.tableName);
const sessionStorePart = (parts: WiringParts): SessionStore =>
  parts.given?.sessions ?? new DynamoDbSessionStore(part(parts, clientPart), parts.config.tableName);

/** The request pipeline's own dependencies: token verification, the fair-use gate, the clock and the log. */
function pipelineDepsPart(parts: WiringParts): PipelineDeps {
  const { config } = parts;
  const verifier = makeVerifier(config);
  const clock = part(parts, clockPart);
  const log = config.log ?? consoleLog;
  const fairUseOn = config.rateLimits !== 'off' && config.rateLimitTableName !== undefined;
  const store =
    parts.given === undefined
      ? fairUseOn
        ? new DynamoDbRateLimitStore(part(parts, clientPart), config.rateLimitTableName as string)
        : undefined
      : parts.given.rateLimits;
  const fairUse = makeFairUse(config, store, clock, log);
  return {
    verifier,
    clock,
    log,
    ...(config.metrics === undefined ? {} : { metrics: config.metrics }),
    ...(fairUse === undefined ? {} : { fairUse }),
  };
}

/** The session rules over the sessions table: one per container (it holds the per-process write queue). */
function sessionServicePart(parts: WiringParts): SessionService {
  const { config } = parts;
  return new SessionService({
    store: part(parts, sessionStorePart),
    templates: part(parts, templatesPart),
    clock: part(parts, clockPart),
    newGuid: randomUUID,
    retry: config.retry ?? DEFAULT_RETRY_POLICY,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Each write's report goes to its request's line and metrics (request-facts.ts), and to the config's observer.
    observeWrite: (report) => {
      noteWrite(report);
      config.observeWrite?.(report);
    },
  });
}

/** The session resource and its sub-resources (getSession, putSession, putSessionProperties, delete...). */
export function sessionResourceDeps(parts: WiringParts): PipelineDeps & SessionResourceDeps {
  return { ...part(parts, pipelineDepsPart), service: part(parts, sessionServicePart) };
}

/** The handles (family spec §3): create, query, read and delete them. */
export function handleResourceDeps(parts: WiringParts): PipelineDeps & HandleResourceDeps {
  return { ...part(parts, pipelineDepsPart), handles: part(parts, handleServicePart) };
}

/** The session a handle names (GET and PUT on it, family spec §3.9, §3.10): the handles and the session rules. */
export function handleSessionDeps(parts: WiringParts): PipelineDeps & HandleResourceDeps & SessionResourceDeps {
  return { ...sessionResourceDeps(parts), handles: part(parts, handleServicePart) };
}

function handleServicePart(parts: WiringParts): HandleService {
  return new HandleService({
    handles: parts.given?.handles ?? new DynamoDbHandleStore(part(parts, clientPart), parts.config.tableName),
    sessions: part(parts, sessionStorePart),
    templates: part(parts, templatesPart),
    clock: part(parts, clockPart),
    newGuid: randomUUID,
    // A search handle's session is read by key with the listing's batch read, and its `searchHandle` field is set and
    // cleared through the session's conditional write (the commit point of a search handle).
    sessionsByKey: part(parts, listingPart),
    changeSearchHandle: (ref, change) => part(parts, sessionServicePart).changeSearchHandle(ref, change),
  });
}

/** Real-time activity's nonce (family spec §6.1): none where no connections table is configured. */
export function nonceResourceDeps(parts: WiringParts): PipelineDeps & NonceResourceDeps {
  const { config, given } = parts;
  const store =
    given === undefined
      ? hasConnectionTable(config)
        ? new DynamoDbNonceStore(part(parts, clientPart), config.connectionTableName)
        : undefined
      : given.nonces;
  const nonces = store === undefined ? undefined : nonceServiceOf(store, part(parts, clockPart));
  return { ...part(parts, pipelineDepsPart), nonces };
}

/** Session queries, batch queries and template reads (family spec §5) over the listing and finder indexes. */
export function sessionQueryDeps(parts: WiringParts): PipelineDeps & SessionQueryDeps {
  const { config, given } = parts;
  const queries = new SessionQueryService({
    listing: part(parts, listingPart),
    finder: given?.finder ?? new DynamoDbSessionFinder(part(parts, clientPart), config.tableName),
    templates: part(parts, templatesPart),
    clock: part(parts, clockPart),
  });
  return { ...part(parts, pipelineDepsPart), queries };
}

/** The DynamoDB stores a configuration names, over one client (one connection pool) for both tables. */
export function makeStores(config: RuntimeConfig): Stores {
  const client = makeDynamoDbClient(config);
  const fairUseOn = config.rateLimits !== 'off' && config.rateLimitTableName !== undefined;
  return {
    sessions: new DynamoDbSessionStore(client, config.tableName),
    handles: new DynamoDbHandleStore(client, config.tableName),
    listing: new DynamoDbSessionListing(client, config.tableName),
    finder: new DynamoDbSessionFinder(client, config.tableName),
    rateLimits: fairUseOn ? new DynamoDbRateLimitStore(client, config.rateLimitTableName as string) : undefined,
    ...(hasConnectionTable(config) ? { nonces: new DynamoDbNonceStore(client, config.connectionTableName) } : {}),
  };
}

/** Whether the configuration names the real-time activity connections table. */
function hasConnectionTable<C extends { connectionTableName?: string }>(
  config: C,
): config is C & { connectionTableName: string } {
  return config.connectionTableName !== undefined && config.connectionTableName !== '';
}

/** A nonce (family spec §6.1): 128 random bits as base64url, 22 URL-safe characters like the spec's example. */
function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** The nonce rules over a store, with the service's clock. */
function nonceServiceOf(store: NonceStore, clock: () => number): NonceService {
  return makeNonceService({ store, clock, newNonce });
}

/**
 * One function's handler, and nothing another function needs, over the DynamoDB stores the configuration names:
 * what a Lambda container builds (lambda/runtime/lambda-runtime.ts) from its entry's handler and builder.
 */
export function makeFunctionHandler<Deps>(
  name: FunctionName,
  handler: HttpHandler<Deps, unknown>,
  deps: DepsBuilder<PipelineDeps & Deps>,
  config: RuntimeConfig,
): ApiHandler {
  return makePipelineHandler(handler, deps(wiringParts(config, undefined)), name);
}

/** Every handler's dependencies: what the local server gives each handler it serves. */
function allHandlerDeps(parts: WiringParts): HandlerDeps {
  return {
    ...handleSessionDeps(parts),
    ...nonceResourceDeps(parts),
    ...sessionQueryDeps(parts),
  };
}

/**
 * Every function's handler from one configuration, sharing one set of parts: what the local server and the tests
 * build (local/local-handlers.ts). `stores` defaults to the DynamoDB stores the configuration names; the local
 * server passes them wrapped when it injects faults.
 */
export function makeSessionHandlers(config: RuntimeConfig, stores?: Stores): SessionHandlers {
  const deps = allHandlerDeps(wiringParts(config, stores));
  const names = Object.keys(HTTP_HANDLERS) as FunctionName[];
  const handlers = HTTP_HANDLERS as Record<FunctionName, HttpHandler<HandlerDeps, unknown>>;
  return Object.fromEntries(
    names.map((name) => [name, makePipelineHandler(handlers[name], deps, name)]),
  ) as SessionHandlers;
}

/** Errors only: the local server prints its own line per request. */
const consoleLog: RequestLog = {
  error: (message, details) => console.error(JSON.stringify({ level: 'ERROR', message, ...details }, errorReplacer)),
};

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

/** What the real-time activity functions are built from: a part of RuntimeConfig. */
export type RtaConfig = Pick<
  RuntimeConfig,
  | 'region'
  | 'dynamoDbEndpoint'
  | 'tokenSecret'
  | 'tokenJwksUrl'
  | 'tokenIssuer'
  | 'tokenAudience'
  | 'environment'
  | 'clock'
  | 'log'
  | 'connectionTableName'
>;

/** The token verifier the configuration names: a JWKS URL (with issuer and audience) or an HS256 secret. */
function makeVerifier(config: RtaConfig): TokenVerifier {
  const checks = {
    ...(config.tokenIssuer === undefined ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === undefined ? {} : { audience: config.tokenAudience }),
  };
  if (config.tokenJwksUrl !== undefined) {
    if (config.tokenIssuer === undefined || config.tokenAudience === undefined) {
      throw new Error('A token JWKS URL needs a token issuer and a token audience to check as well.');
    }
    return makeJwksTokenVerifier({
      jwksUrl: config.tokenJwksUrl,
      issuer: config.tokenIssuer,
      audience: config.tokenAudience,
    });
  }
  if (config.tokenSecret === undefined || config.tokenSecret === '') {
    throw new Error('Configure a token secret (HS256) or a token JWKS URL: tokens cannot be verified otherwise.');
  }
  // Tokens verified once are remembered for the container's life (bounded), their time claims checked per request.
  return makeHmacTokenVerifier({ secret: config.tokenSecret, ...checks, verifiedTokens: makeVerifiedTokenCache() });
}

/** The fair-use gate over the counters store, unless the limits are off or no counters table is configured. */
function makeFairUse(
  config: RuntimeConfig,
  store: RateLimitStore | undefined,
  clock: () => number,
  log: RequestLog,
): FairUseGate | undefined {
  if (store === undefined) return undefined;
  return makeFairUseGate({
    store,
    policies: loadFairUsePolicies(config.templatesDir),
    clock,
    // A degraded path, not a failure: WARN where the log has it (Powertools), else with the errors.
    warn: (message, details) => (log.warn === undefined ? log.error(message, details) : log.warn(message, details)),
    ...(config.fairUseTimeoutMs === undefined ? {} : { timeoutMs: config.fairUseTimeoutMs }),
  });
}

/** The real-time activity connections store the configuration names (it must name the connections table). */
export function makeConnectionStore(config: RtaConfig): ConnectionStore {
  if (!hasConnectionTable(config)) {
    throw new Error('The real-time activity handlers need the connections table: configure its name.');
  }
  return new DynamoDbConnectionStore(makeDynamoDbClient(config), config.connectionTableName);
}

const consoleRtaLog: RtaLog = {
  warn: (message, details) => console.warn(JSON.stringify({ level: 'WARN', message, ...details }, errorReplacer)),
  error: (message, details) => console.error(JSON.stringify({ level: 'ERROR', message, ...details }, errorReplacer)),
};

/**
 * The RTA log: the configuration's log when it has one (warnings at WARN where it has a warn, as Powertools does;
 * else with the errors, marked WARN), else the console.
 */
function rtaLogOf(config: RtaConfig): RtaLog {
  const log = config.log;
  if (log === undefined) return consoleRtaLog;
  const warn = log.warn?.bind(log);
  return {
    warn: warn ?? ((message, details) => log.error(message, { level: 'WARN', ...details })),
    error: log.error.bind(log),
  };
}

/**
 * The WebSocket API's handlers ($connect, $disconnect, $default; family spec §6.1-§6.5) over the connections store
 * the configuration names (or `connections`, when given), verifying tokens as the HTTP functions do.
 */
export function makeRtaHandlersFor(config: RtaConfig, connections?: ConnectionStore): RtaHandlers {
  if (config.environment !== 'local' && config.tokenSecret === DEVELOPMENT_TOKEN_SECRET) {
    throw new Error('The development token secret is public and may only be used locally; configure a real secret.');
  }
  if (!hasConnectionTable(config)) {
    throw new Error('The real-time activity handlers need the connections table: configure its name.');
  }
  const clock = config.clock ?? Date.now;
  const client = makeDynamoDbClient(config);
  return makeRtaHandlers({
    verifier: makeVerifier(config),
    connections: connections ?? new DynamoDbConnectionStore(client, config.connectionTableName),
    nonces: nonceServiceOf(new DynamoDbNonceStore(client, config.connectionTableName), clock),
    clock,
    newGuid: randomUUID,
    log: rtaLogOf(config),
  });
}

/** The tap function's handler (family spec §6.8): session changes in, event frames out through `gateway`. */
export function makeTapHandlerFor(
  config: RtaConfig,
  gateway: ConnectionGateway,
  connections?: ConnectionStore,
): TapHandler {
  return makeTapHandler({
    connections: connections ?? makeConnectionStore(config),
    gateway,
    newGuid: randomUUID,
    log: rtaLogOf(config),
  });
}

/**
 * The keepalive pass (family spec §6.4, §6.10): server traffic to sockets due for it (the keepalive, or an owed `[4]`)
 * through `gateway`, found on the connections table's due-time index.
 */
export function makeKeepalivePassFor(
  config: RtaConfig,
  gateway: ConnectionGateway,
  connections?: ConnectionStore,
): KeepalivePass {
  return makeKeepalivePass({
    connections: connections ?? makeConnectionStore(config),
    gateway,
    clock: config.clock ?? Date.now,
    log: rtaLogOf(config),
  });
}

/**
 * The timer sweeper (README, "Timers that fire on their own"): due timers and disconnect checks committed through the
 * conditional write over the sessions table, found by the due-time index; disconnect detection only when the
 * configuration names the connections table. `sessions` defaults to the DynamoDB store the configuration names.
 */
export function makeTimerSweeperFor(config: RuntimeConfig, sessions?: SessionStore): TimerSweeper {
  const client = makeDynamoDbClient(config);
  const clock = config.clock ?? Date.now;
  const writer = new ConditionalWriter(sessions ?? new DynamoDbSessionStore(client, config.tableName), {
    retry: config.retry ?? DEFAULT_RETRY_POLICY,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    clock,
    newWriteId: randomUUID,
  });
  const hasConnections = config.connectionTableName !== undefined && config.connectionTableName !== '';
  return makeTimerSweeper({
    writer,
    dueSessions: new DynamoDbDueIndex(client, config.tableName, SESSION_ITEM_ATTRIBUTES.key),
    ...(hasConnections
      ? { connections: new DynamoDbConnectionStore(client, config.connectionTableName as string) }
      : {}),
    templates: loadTemplateCatalogue(config.templatesDir),
    newGuid: randomUUID,
    clock,
    log: config.log ?? consoleLog,
  });
}

/**
 * The finder (README "Finding sessions") over the DynamoDB table the configuration names: the handler the stream
 * function (lambda/runtime/finder-runtime.ts) and the local stream poller (local/finder.ts) run.
 */
export function makeFinderIndexerFor(
  config: Pick<RuntimeConfig, 'tableName' | 'region' | 'dynamoDbEndpoint'>,
  log: { error(message: string, details?: Record<string, unknown>): void },
): FinderIndexer {
  return makeFinderIndexer({ finder: new DynamoDbSessionFinder(makeDynamoDbClient(config), config.tableName), log });
}
