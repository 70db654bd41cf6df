// Plain data, importing nothing: the route table that both the CDK HTTP API (lib/constructs/session-api.ts) and the
// local server (local/http-server.ts) are built from, so they cannot disagree (DESIGN.md, "Layout"). A new route is
// one entry here plus one handler; a new function is also one entry in FUNCTIONS and one Lambda entry module.

/** HTTP methods a route may answer (API Gateway HTTP API route keys). */
export type RouteMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

/**
 * What a route's path names: the request pipeline resolves a session, a handle, a nonce or a service config (the
 * session queries) from the request; a `page` is a static web page (the session explorer), served without the
 * pipeline because it holds no data of its own.
 */
export type ResourceKind = 'session' | 'handle' | 'nonce' | 'serviceConfig' | 'page';

/** One API Gateway route: `<method> <path>` sent to one function. */
export interface Route<FunctionName extends string = string> {
  readonly method: RouteMethod;
  /**
   * API Gateway path template: literal segments match case-sensitively, `{name}` matches one non-empty segment and
   * arrives URL-decoded in `pathParameters.name`.
   */
  readonly path: string;
  /** Key of the function (in FUNCTIONS and in the handlers the wiring builds) that answers the route. */
  readonly function: FunctionName;
  readonly resource: ResourceKind;
}

/** A Lambda function behind the API: its entry module and what it may do to the sessions table. */
export interface FunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
  /**
   * What it may do to the sessions table (least privilege; the explicit actions of each are in
   * lib/constructs/table-grants.ts): `read` items by key and nothing else, `read-write` sessions (the conditional
   * write), `query-handles` (activity pointers and the activity index), `write-handles` (put and delete handles),
   * `query-sessions` (the listing index and the sessions it names), `none` for one that never touches it (it is still
   * told the table's name: every HTTP function reads the same settings).
   */
  readonly sessionTableAccess: 'read' | 'read-write' | 'query-handles' | 'write-handles' | 'query-sessions' | 'none';
  /**
   * `put-nonce`: the function stores real-time activity nonces in the connections table (PutItem only, and it is told
   * the table's name); absent: it never touches that table.
   */
  readonly connectionTableAccess?: 'put-nonce';
}

/** The functions behind the API, keyed as the wiring names their handlers. */
export const FUNCTIONS = {
  getSession: { entry: 'lambda/functions/get-session.ts', sessionTableAccess: 'read' },
  putSession: { entry: 'lambda/functions/put-session.ts', sessionTableAccess: 'read-write' },
  // The session sub-resources (family spec §2): one function per handler, as the wiring builds one handler per
  // function; each writes sessions through the same conditional write as PUT.
  putSessionProperties: { entry: 'lambda/functions/put-session-properties.ts', sessionTableAccess: 'read-write' },
  deleteSessionMember: { entry: 'lambda/functions/delete-session-member.ts', sessionTableAccess: 'read-write' },
  deleteSessionServer: { entry: 'lambda/functions/delete-session-server.ts', sessionTableAccess: 'read-write' },
  // Handles (spec/mpsd-family.md §3): their items live in the sessions table (README "Handles").
  postHandle: { entry: 'lambda/functions/post-handle.ts', sessionTableAccess: 'write-handles' },
  queryHandles: { entry: 'lambda/functions/query-handles.ts', sessionTableAccess: 'query-handles' },
  getHandle: { entry: 'lambda/functions/get-handle.ts', sessionTableAccess: 'read' },
  deleteHandle: { entry: 'lambda/functions/delete-handle.ts', sessionTableAccess: 'write-handles' },
  getHandleSession: { entry: 'lambda/functions/get-handle-session.ts', sessionTableAccess: 'read' },
  putHandleSession: { entry: 'lambda/functions/put-handle-session.ts', sessionTableAccess: 'read-write' },
  // Real-time activity's one-use nonce (family spec §6.1), on the HTTP API: a WebSocket API answers no plain GET.
  getNonce: { entry: 'lambda/functions/get-nonce.ts', sessionTableAccess: 'none', connectionTableAccess: 'put-nonce' },
  // Session queries and the QA listing (spec/mpsd-family.md §5; README "Finding sessions"): read only.
  querySessions: { entry: 'lambda/functions/query-sessions.ts', sessionTableAccess: 'query-sessions' },
  batchQuerySessions: { entry: 'lambda/functions/batch-query-sessions.ts', sessionTableAccess: 'query-sessions' },
  // Template reads come from the configuration bundled with the function, never from the table.
  getSessionTemplates: { entry: 'lambda/functions/get-session-templates.ts', sessionTableAccess: 'none' },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof FUNCTIONS;

/**
 * The literal segment before the template name, in every spelling real callers send. API Gateway matches paths
 * case-sensitively, but MPSD does not: the docs write `sessiontemplates` while XSAPI sends `sessionTemplates`
 * (spec/mpsd-session.md §1.1). Any other casing gets API Gateway's 404.
 */
export const SESSION_TEMPLATES_SEGMENTS = ['sessiontemplates', 'sessionTemplates'] as const;

/** The session resource path for one spelling of the template segment (spec/mpsd-session.md §1.1). */
export function toSessionPath(templatesSegment: string): string {
  return sessionPathOf(
    { scid: '{scid}', templateName: '{sessionTemplateName}', name: '{sessionName}' },
    templatesSegment,
  );
}

/** The parts of one session's path, as `{scid}`, `{sessionTemplateName}` and `{sessionName}` hold them. */
export interface SessionPathParts {
  readonly scid: string;
  readonly templateName: string;
  readonly name: string;
}

/**
 * One session's path, the one home of its shape (the route template is this path with its placeholders as parts):
 * the parts as given (a caller encodes or lower-cases them first), in the docs' spelling unless another is asked
 * for. Built directly rather than by filling the template with a regular expression: every session request builds
 * it twice (its log line and Content-Location), issue 12.
 */
export function sessionPathOf(
  parts: SessionPathParts,
  templatesSegment: string = SESSION_TEMPLATES_SEGMENTS[0],
): string {
  return `/serviceconfigs/${parts.scid}/${templatesSegment}/${parts.templateName}/sessions/${parts.name}`;
}

/** The handle routes (spec/mpsd-family.md §3.2, §3.7-§3.11); `{handleId}` is resolved to its handle and session. */
export const HANDLE_ROUTES: readonly Route<FunctionName>[] = [
  { method: 'POST', path: '/handles', function: 'postHandle', resource: 'handle' },
  { method: 'POST', path: '/handles/query', function: 'queryHandles', resource: 'handle' },
  { method: 'GET', path: '/handles/{handleId}', function: 'getHandle', resource: 'handle' },
  { method: 'DELETE', path: '/handles/{handleId}', function: 'deleteHandle', resource: 'handle' },
  { method: 'GET', path: '/handles/{handleId}/session', function: 'getHandleSession', resource: 'handle' },
  { method: 'PUT', path: '/handles/{handleId}/session', function: 'putHandleSession', resource: 'handle' },
];

/**
 * The session query routes (spec/mpsd-family.md §5.1): a SCID's sessions, or one template's in both spellings of the
 * template segment (XSAPI writes `sessiontemplates` here, §1.1).
 */
export const QUERY_ROUTES: readonly Route<FunctionName>[] = [
  { method: 'GET', path: '/serviceconfigs/{scid}/sessions', function: 'querySessions', resource: 'serviceConfig' },
  { method: 'POST', path: '/serviceconfigs/{scid}/batch', function: 'batchQuerySessions', resource: 'serviceConfig' },
  ...SESSION_TEMPLATES_SEGMENTS.flatMap((segment): Route<FunctionName>[] => [
    {
      method: 'GET',
      path: `/serviceconfigs/{scid}/${segment}/{sessionTemplateName}/sessions`,
      function: 'querySessions',
      resource: 'serviceConfig',
    },
    {
      method: 'POST',
      path: `/serviceconfigs/{scid}/${segment}/{sessionTemplateName}/batch`,
      function: 'batchQuerySessions',
      resource: 'serviceConfig',
    },
    // Template reads (§5.6).
    {
      method: 'GET',
      path: `/serviceconfigs/{scid}/${segment}`,
      function: 'getSessionTemplates',
      resource: 'serviceConfig',
    },
    {
      method: 'GET',
      path: `/serviceconfigs/{scid}/${segment}/{sessionTemplateName}`,
      function: 'getSessionTemplates',
      resource: 'serviceConfig',
    },
  ]),
];

/**
 * Every route the service answers: in both spellings, GET and PUT on the session resource, and its sub-resources
 * (family spec §2; `members/me` is a literal segment, which API Gateway and the local router prefer to `{index}`);
 * the handles; real-time activity's nonce; the session queries.
 */
export const ROUTES: readonly Route<FunctionName>[] = [
  ...SESSION_TEMPLATES_SEGMENTS.flatMap((segment): Route<FunctionName>[] => [
    { method: 'GET', path: toSessionPath(segment), function: 'getSession', resource: 'session' },
    { method: 'PUT', path: toSessionPath(segment), function: 'putSession', resource: 'session' },
    // Session sub-resources (family spec §2).
    {
      method: 'PUT',
      path: `${toSessionPath(segment)}/properties`,
      function: 'putSessionProperties',
      resource: 'session',
    },
    {
      method: 'DELETE',
      path: `${toSessionPath(segment)}/members/me`,
      function: 'deleteSessionMember',
      resource: 'session',
    },
    {
      method: 'DELETE',
      path: `${toSessionPath(segment)}/members/{index}`,
      function: 'deleteSessionMember',
      resource: 'session',
    },
    {
      method: 'DELETE',
      path: `${toSessionPath(segment)}/servers/{serverName}`,
      function: 'deleteSessionServer',
      resource: 'session',
    },
  ]),
  ...HANDLE_ROUTES,
  // xbox-rta's `GET https://rta.xboxlive.com/nonce` (family spec §6.1): the socket is then opened with `?nonce=`.
  { method: 'GET', path: '/nonce', function: 'getNonce', resource: 'nonce' },
  ...QUERY_ROUTES,
];

/**
 * A function serving a web page of the service's own (the session explorer): static files bundled from the repository,
 * no table, no token. What the page shows it reads through the public API with the token the tester gives it.
 */
export interface PageFunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
  /** Folder of the page's files, relative to the repository root; copied into the bundle under `bundledAs`. */
  readonly assetsDir: string;
  /** The folder's name inside the Lambda package. */
  readonly bundledAs: string;
}

/** The page functions behind the HTTP API. */
export const PAGE_FUNCTIONS = {
  // The session explorer for QA (README, "Session explorer"): lambda/explorer/, served at /explorer.
  explorerPage: { entry: 'lambda/functions/explorer-page.ts', assetsDir: 'lambda/explorer', bundledAs: 'explorer' },
} as const satisfies Record<string, PageFunctionDefinition>;

export type PageFunctionName = keyof typeof PAGE_FUNCTIONS;

/** Where the session explorer is served: the page itself, and its files one segment below. */
export const EXPLORER_PATH = '/explorer';

/**
 * The page routes of the HTTP API, deployed and local alike. `{asset}` is one file name; the handler answers only the
 * files the page is made of (lambda/http/explorer-page.ts) and 404 for anything else.
 */
export const PAGE_ROUTES: readonly Route<PageFunctionName>[] = [
  { method: 'GET', path: EXPLORER_PATH, function: 'explorerPage', resource: 'page' },
  { method: 'GET', path: `${EXPLORER_PATH}/{asset}`, function: 'explorerPage', resource: 'page' },
];

/** The route key API Gateway names a route by, e.g. `GET /serviceconfigs/{scid}/...`. */
export function routeKeyOf(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * A real-time activity (family spec §6) function: one behind a route of the WebSocket API, or the tap function on
 * the sessions table's stream. Its settings are read by its own reader (lambda/runtime/rta-runtime.ts).
 */
export interface RealTimeFunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
  /** The WebSocket API route it answers; absent for the tap function. */
  readonly routeKey?: '$connect' | '$disconnect' | '$default';
  /** The `$default` route answers each frame with the function's result body (a two-way route). */
  readonly returnsResponse?: boolean;
  /** Reads the sessions table's stream (the tap function); it never reads or writes the table itself. */
  readonly readsSessionStream?: boolean;
  /** Posts frames to sockets: `execute-api:ManageConnections` on this API's stage only. */
  readonly managesConnections?: boolean;
}

/** The real-time activity functions: the WebSocket API's three routes and the tap function. */
export const REAL_TIME_FUNCTIONS = {
  rtaConnect: { entry: 'lambda/functions/rta-connect.ts', routeKey: '$connect' },
  rtaDisconnect: { entry: 'lambda/functions/rta-disconnect.ts', routeKey: '$disconnect' },
  rtaMessage: { entry: 'lambda/functions/rta-message.ts', routeKey: '$default', returnsResponse: true },
  sessionTaps: { entry: 'lambda/functions/session-taps.ts', readsSessionStream: true, managesConnections: true },
} as const satisfies Record<string, RealTimeFunctionDefinition>;

export type RealTimeFunctionName = keyof typeof REAL_TIME_FUNCTIONS;

/** A function that runs on a schedule (an EventBridge rule), behind no API. */
export interface ScheduledFunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
  /** How often the rule invokes it, in minutes (EventBridge's finest rate is one minute). */
  readonly everyMinutes: number;
}

/**
 * The scheduled functions: the timer sweeper (README, "Timers that fire on their own"), which commits due timers and
 * disconnect checks through the conditional write. Each invocation sweeps every 10 s for a minute, so due work waits
 * at most about one sweep interval although the rule fires once a minute.
 */
export const SCHEDULED_FUNCTIONS = {
  timerSweeper: { entry: 'lambda/functions/timer-sweeper.ts', everyMinutes: 1 },
} as const satisfies Record<string, ScheduledFunctionDefinition>;

export type ScheduledFunctionName = keyof typeof SCHEDULED_FUNCTIONS;

/** A function on the sessions table's stream that keeps an index of its own (not a real-time one). */
export interface StreamFunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
}

/**
 * The stream functions: the finder, which keeps the index of sessions by xuid and keyword for session queries
 * (README "Finding sessions"). It writes only finder items (BatchWriteItem), never a session.
 */
export const STREAM_FUNCTIONS = {
  sessionFinder: { entry: 'lambda/functions/session-finder.ts' },
} as const satisfies Record<string, StreamFunctionDefinition>;

export type StreamFunctionName = keyof typeof STREAM_FUNCTIONS;
