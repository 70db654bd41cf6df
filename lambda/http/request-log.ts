import type { LambdaContext } from './api-types';

/**
 * The one line of a request (DESIGN.md, "Logs"), also what its metrics are made from (request-metrics.ts). Keys as
 * Logs Insights queries name them (docs/operations.md); never a token or a body.
 */
export interface RequestLine {
  /** API Gateway's request id (the access log's `requestId`); Powertools adds the invocation's own. */
  readonly requestId: string | undefined;
  /** The route key, e.g. `PUT /serviceconfigs/{scid}/...`. */
  readonly route: string | undefined;
  /** The function answering (its name in the route table's FUNCTIONS), when the wiring names it. */
  readonly operation?: string;
  readonly status: number;
  /** The error code of a 4xx or 5xx answer (the error catalogue's). */
  readonly code?: string;
  readonly durationMs: number;
  /** The caller: the token's xuid, or `server` for a server principal; absent before the token is verified. */
  readonly xuid?: string;
  /** Conditional-write attempts (the first included), lost races among them, and store faults retried. */
  readonly attempts?: number;
  readonly conflicts?: number;
  readonly faults?: number;
  /** Store calls and their milliseconds. */
  readonly storeCalls?: number;
  readonly storeMs?: number;
  /** The answered session's changeNumber. */
  readonly changeNumber?: string;
  /** The resource's keys (scid, template, sessionName, session path; a handle id): the resolver's logKeys. */
  readonly [key: string]: unknown;
}

/**
 * Where the request pipeline reports (DESIGN.md, "Logs"): one line per request, never a token or a body. A deployed
 * function passes its Powertools Logger, which has every method; the local server and the tests pass a console or a
 * recorder, which may leave out `info` (the local server prints its own line per request) and `addContext`.
 */
export interface RequestLog {
  /** 5xx answers with their cause and request id. */
  error(message: string, details: Record<string, unknown>): void;
  /** Degraded paths (fair-use counters unavailable: the request is let in uncounted); `error` when absent. */
  warn?(message: string, details: Record<string, unknown>): void;
  /** The line of a request answered below 500 (a 4xx with its code): a RequestLine. */
  info?(message: string, details: Record<string, unknown>): void;
  /** Given the Lambda context of each invocation, so every line carries the function's and invocation's ids. */
  addContext?(context: LambdaContext): void;
}
