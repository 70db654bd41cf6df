import type { RequestLine } from './request-log';

/**
 * Where the request pipeline reports each request's figures (issue 15 item 4): a deployed function passes the
 * Powertools Metrics one (lambda/runtime/emf-request-metrics.ts, CloudWatch embedded metric format); the local server
 * and the tests pass none, or a recorder.
 */
export interface RequestMetrics {
  /** Called once per request, after its line is logged. */
  observe(line: RequestLine): void;
}
