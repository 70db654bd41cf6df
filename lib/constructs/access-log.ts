import { RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * API Gateway access log lines as JSON, one per request, so Logs Insights reads their fields without a parse step
 * (docs/operations.md has the queries). `requestId` is API Gateway's, the same id the function's line carries as
 * `requestId`; `integrationRequestId` is the Lambda invocation's (Powertools' `function_request_id`).
 */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  integrationRequestId: '$context.integration.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  integrationError: '$context.integration.error',
  errorMessage: '$context.error.message',
  responseLength: '$context.responseLength',
});

/** The WebSocket API's lines: one per connect, message and disconnect. */
export const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  integrationRequestId: '$context.awsEndpointRequestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  eventType: '$context.eventType',
  connectionId: '$context.connectionId',
  status: '$context.status',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
});

/** How an API's access logs are kept. */
export interface AccessLogProps {
  /** How long the lines are kept. */
  readonly retention: RetentionDays;
  /** Whether the log group outlives the stack. */
  readonly removalPolicy?: RemovalPolicy;
}

/** The log group of one API's access logs. */
export function accessLogGroup(scope: Construct, id: string, props: AccessLogProps): LogGroup {
  return new LogGroup(scope, id, {
    retention: props.retention,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
  });
}
