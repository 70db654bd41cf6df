import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/**
 * An API Gateway HTTP API (payload 2.0) handler: what Lambda runs and what the local server calls. Lambda passes its
 * context, which the request pipeline hands to the logger (Powertools reads the function and request ids from it);
 * the local server passes none.
 */
export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context?: LambdaContext,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type LambdaContext = Context;
