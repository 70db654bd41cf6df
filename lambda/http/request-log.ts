import type { LambdaContext } from './api-types';

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
  /** The line of a request answered below 500: route, status, time taken and the resource's keys. */
  info?(message: string, details: Record<string, unknown>): void;
  /** Given the Lambda context of each invocation, so every line carries the function's and invocation's ids. */
  addContext?(context: LambdaContext): void;
}
